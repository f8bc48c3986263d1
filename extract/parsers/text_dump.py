"""Text renderings of Hugging Face paper listing pages (the format of ../shared/seeds).

Two layouts follow a short header that ends at the "Subscribe" button:

* compact: no blank lines; title and abstract lines strictly alternate, and the first title is
  glued to the button ("SubscribeFaceTalk: ...");
* spaced: blank-line separated blocks; each entry is a title block, an abstract block and an
  optional meta block ("  • 5 authors", "·", "Sep 22 2" = date [year] [upvotes]).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from extract.clean import strip_subscribe
from extract.parsers.common import ParseContext, make_record, one_entry
from extract.records import PaperRecord

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_AUTHORS = re.compile(r"^\s*•\s*(\d{1,6})\s+authors?\s*$")
_SEPARATOR = re.compile(r"^\s*·\s*$")
_DATE = re.compile(
    r"^\s*(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<votes>\d{1,7}))?\s*$"
)
_BOILERPLATE = {
    "new",
    "subscribe",
    "daily papers",
    "trending papers",
    "byak and the research community",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
}
_HEADER_LINES = 12  # the "Subscribe" button is within the first lines of a page


@dataclass(slots=True)
class _Meta:
    author_count: int | None = None
    published_at: date | None = None
    upvotes: int | None = None
    lines: list[str] = field(default_factory=list)


def parse_text_dump(body: bytes, ctx: ParseContext) -> Iterator[PaperRecord]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ctx.error(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body_lines = _after_header(lines)
    if body_lines is None:
        raise ctx.error("not a saved paper listing: no 'Subscribe' header line")
    if any(line.strip() for line in body_lines) and not any(
        not line.strip() for line in _trimmed(body_lines)
    ):
        entries = _compact_entries(_trimmed(body_lines), ctx)
    else:
        entries = _spaced_entries(body_lines, ctx)
    count = 0
    for count, (title, abstract, meta) in enumerate(entries, start=1):
        record = one_entry(
            ctx,
            make_record,
            ctx,
            title=title,
            abstract=abstract,
            author_count=meta.author_count,
            published_at=meta.published_at,
            upvotes=meta.upvotes,
            where=f"entry {count - 1}",
        )
        if record is not None:
            yield record
    if count == 0:
        raise ctx.error("saved paper listing has no entries")


def _after_header(lines: list[str]) -> list[str] | None:
    """The lines after the "Subscribe" button; a title glued to it becomes the first line."""
    for index, line in enumerate(lines[:_HEADER_LINES]):
        if line.strip() == "Subscribe":
            return lines[index + 1 :]
        if (title := strip_subscribe(line)) is not None:
            return [title, *lines[index + 1 :]]
    return None


def _trimmed(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _compact_entries(lines: list[str], ctx: ParseContext) -> Iterator[tuple[str, str, _Meta]]:
    if len(lines) % 2:
        raise ctx.error(f"compact listing has {len(lines)} lines: a title without its abstract at the end")
    for i in range(0, len(lines), 2):
        yield lines[i], lines[i + 1], _Meta()


def _spaced_entries(lines: list[str], ctx: ParseContext) -> Iterator[tuple[str, str, _Meta]]:
    blocks = _blocks(lines)
    # Before the first entry: boilerplate and the page's own date ("Mar 14").
    while blocks and (_is_boilerplate(blocks[0]) or _meta(blocks[0]) is not None):
        blocks.pop(0)
    index = 0
    while index < len(blocks):
        title_block = blocks[index]
        if index + 1 >= len(blocks) or _meta(blocks[index + 1]) is not None:
            raise ctx.error(f"entry {' '.join(title_block)[:60]!r} has no abstract block")
        abstract_block = blocks[index + 1]
        index += 2
        meta = _meta(blocks[index]) if index < len(blocks) else None
        if meta is not None:
            index += 1
        # A block is one paragraph: a line break inside it is a rendering artefact.
        yield " ".join(title_block), " ".join(abstract_block), meta or _Meta()


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_boilerplate(block: list[str]) -> bool:
    return all(line.strip().casefold() in _BOILERPLATE for line in block)


def _meta(block: list[str]) -> _Meta | None:
    """The entry's meta block (authors, separator, date [upvotes]), or None when it is not one."""
    meta = _Meta(lines=block)
    for line in block:
        if match := _AUTHORS.match(line):
            meta.author_count = int(match.group(1))
        elif _SEPARATOR.match(line):
            continue
        elif (match := _DATE.match(line)) and match.group("mon") in _MONTHS:
            meta.published_at = _day(match.group("year"), match.group("mon"), match.group("day"))
            meta.upvotes = int(match.group("votes")) if match.group("votes") else None
        else:
            return None
    return meta


def _day(year: str | None, month: str, day: str) -> date | None:
    """The date when the page gives its year; "Sep 22" (this year, unstated) stays unknown."""
    if year is None:
        return None
    try:
        return date(int(year), _MONTHS[month], int(day))
    except ValueError:
        return None
