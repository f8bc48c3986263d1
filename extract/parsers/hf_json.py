"""Hugging Face paper JSON: daily_papers and papers/search lists, a single /api/papers/{id}, page props.

Every shape carries the same `paper` object; unknown keys are ignored, optional ones may be missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from extract.errors import ParseError
from extract.parsers.common import (
    ParseContext,
    as_dict,
    make_record,
    one_entry,
    optional_int,
    optional_str,
    parse_day,
)
from extract.records import PaperRecord


def load_json(body: bytes, ctx: ParseContext) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ctx.error(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ctx.error(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise ctx.error("invalid JSON: nested too deeply") from exc


def parse_hf_json(body: bytes, ctx: ParseContext) -> Iterator[PaperRecord]:
    yield from records_from_hf_data(load_json(body, ctx), ctx)


def records_from_hf_data(data: Any, ctx: ParseContext) -> Iterator[PaperRecord]:
    """Records from decoded HF JSON of any supported shape."""
    if isinstance(data, dict) and isinstance(data.get("dailyPapers"), list):
        data = data["dailyPapers"]  # the props of the HTML listing page
    if isinstance(data, list):
        for index, item in enumerate(data):
            where = f"item {index}"
            record = one_entry(ctx, _record_from_any, item, ctx, where)
            if record is not None:
                yield record
    elif isinstance(data, dict) and ("paper" in data or "title" in data):
        yield record_from_item(data, ctx, "paper")
    elif isinstance(data, dict) and "error" in data:
        raise ctx.error(f"Hugging Face API error: {str(data['error'])[:200]}")
    else:
        raise ctx.error(f"JSON {type(data).__name__} is not a Hugging Face paper list or paper")


def _record_from_any(item: Any, ctx: ParseContext, where: str) -> PaperRecord:
    return record_from_item(as_dict(item, ctx, where), ctx, where)


def record_from_item(item: dict[str, Any], ctx: ParseContext, where: str) -> PaperRecord:
    """One listing item ({"paper": {...}, "title", ...}) or a bare paper object."""
    paper = as_dict(item["paper"], ctx, f"{where}.paper") if "paper" in item else item
    return make_record(
        ctx,
        title=paper.get("title") or item.get("title"),
        abstract=paper.get("summary") or item.get("summary") or "",
        arxiv_id=paper.get("id"),
        authors=_author_names(paper.get("authors"), ctx, where),
        published_at=parse_day(paper.get("publishedAt")) or parse_day(item.get("publishedAt")),
        upvotes=optional_int(paper.get("upvotes")),
        github_repo=optional_str(paper.get("githubRepo")),
        project_page=optional_str(paper.get("projectPage")),
        where=where,
    )


def _author_names(authors: Any, ctx: ParseContext, where: str) -> list[str]:
    if authors is None:
        return []
    if not isinstance(authors, list):
        raise ParseError(ctx.origin, f"{where}: authors is a {type(authors).__name__}, expected a list")
    names = []
    for author in authors:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            names.append(" ".join(name.split()))
    return names
