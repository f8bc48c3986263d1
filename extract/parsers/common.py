"""What every parser shares: the parse context, value coercion and record construction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from extract.arxiv_ids import normalise_arxiv_id
from extract.clean import clean_text, title_paper_id
from extract.errors import ParseError
from extract.records import PaperRecord, ints_in_range

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParseContext:
    """Where a body came from; copied into every record parsed from it.

    `rejected` collects the entries of the page that were left out ("item 3: item 3 has no title"),
    `warnings` the values that were dropped from kept records.
    """

    origin: str
    source: str = ""
    fetched_at: datetime | None = None
    unescape_latex: bool = False
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, reason: str) -> ParseError:
        return ParseError(self.origin, reason)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        log.warning("%s: %s", self.origin, message)


def one_entry(
    ctx: ParseContext, build: Callable[..., PaperRecord], *args: Any, **kwargs: Any
) -> PaperRecord | None:
    """The record `build(*args, **kwargs)` makes of one entry of a page; a ParseError leaves out that
    entry only (its reason goes to `ctx.rejected`)."""
    try:
        return build(*args, **kwargs)
    except ParseError as exc:
        ctx.rejected.append(exc.reason)
        return None


def parse_day(value: object) -> date | None:
    """The UTC day of an ISO timestamp ("2024-05-24T17:34:15.000Z") or date; None when absent or invalid."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def optional_int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return int(value)
    except (ValueError, OverflowError):
        return None


def optional_str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def make_record(
    ctx: ParseContext,
    *,
    title: object,
    abstract: object = "",
    arxiv_id: object = None,
    authors: list[str] | None = None,
    author_count: int | None = None,
    published_at: date | None = None,
    upvotes: int | None = None,
    github_repo: str | None = None,
    project_page: str | None = None,
    categories: list[str] | None = None,
    where: str = "",
) -> PaperRecord:
    """A cleaned PaperRecord; a missing title is a ParseError (`where` says which entry)."""
    if not isinstance(title, str) or not (clean_title := clean_text(title, latex=ctx.unescape_latex)):
        raise ctx.error(f"{where or 'entry'} has no title")
    clean_abstract = clean_text(abstract, latex=ctx.unescape_latex) if isinstance(abstract, str) else ""
    arxiv = normalise_arxiv_id(arxiv_id)
    names = authors or []
    record = PaperRecord(
        paper_id=arxiv or title_paper_id(clean_title),
        title=clean_title,
        abstract=clean_abstract,
        arxiv_id=arxiv,
        authors=names,
        author_count=max(author_count or 0, len(names)),
        published_at=published_at,
        upvotes=upvotes,
        github_repo=github_repo,
        project_page=project_page,
        categories=categories or [],
        source=ctx.source,
        source_url=ctx.origin,
        fetched_at=ctx.fetched_at,
        sources=[ctx.origin],
    )
    record, problems = ints_in_range(record)
    for problem in problems:
        ctx.warn(f"{where or 'entry'} ({record.paper_id}): {problem}")
    return record


def as_dict(value: Any, ctx: ParseContext, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ctx.error(f"{where} is a {type(value).__name__}, expected an object")
    return value
