"""arXiv API Atom feeds (export.arxiv.org/api/query): entries, paging counters and the error feed.

Tolerates both the current feed form and the older one (per-element namespace declarations,
`<title type="html">`, summaries hard-wrapped and starting with whitespace).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from extract.arxiv_ids import normalise_arxiv_id
from extract.errors import ArxivApiError
from extract.parsers.common import ParseContext, make_record, one_entry, optional_int, parse_day
from extract.records import PaperRecord

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(slots=True)
class Feed:
    total_results: int | None
    start_index: int
    items_per_page: int | None
    records: list[PaperRecord] = field(default_factory=list)


def parse_arxiv_atom(body: bytes, ctx: ParseContext) -> Iterator[PaperRecord]:
    yield from parse_feed(body, ctx).records


def parse_feed(body: bytes, ctx: ParseContext) -> Feed:
    """The whole feed of one response (at most one API page, so it is small)."""
    # Atom feeds never carry a DTD; refusing one rules out entity-expansion bombs.
    if _DTD.search(body):
        raise ctx.error("XML with a DTD or entity declarations is not an arXiv feed")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ctx.error(f"invalid XML: {exc}") from exc
    if root.tag != f"{ATOM}feed":
        raise ctx.error(f"XML root is <{root.tag}>, expected an Atom <feed>")
    entries = root.findall(f"{ATOM}entry")
    _raise_on_error_feed(entries, ctx)
    feed = Feed(
        total_results=optional_int(_text(root, f"{OPENSEARCH}totalResults")),
        start_index=optional_int(_text(root, f"{OPENSEARCH}startIndex")) or 0,
        items_per_page=optional_int(_text(root, f"{OPENSEARCH}itemsPerPage")),
    )
    for index, entry in enumerate(entries):
        record = one_entry(ctx, _record, entry, ctx, f"entry {index}")
        if record is not None:
            feed.records.append(record)
    return feed


def _raise_on_error_feed(entries: list[ET.Element], ctx: ParseContext) -> None:
    for entry in entries:
        entry_id = _text(entry, f"{ATOM}id")
        if "/api/errors" in entry_id or (_text(entry, f"{ATOM}title") == "Error" and not _arxiv_id(entry)):
            message = " ".join(_text(entry, f"{ATOM}summary").split()) or entry_id
            raise ArxivApiError(ctx.origin, f"arXiv API error: {message}")


def _record(entry: ET.Element, ctx: ParseContext, where: str) -> PaperRecord:
    arxiv_id = _arxiv_id(entry)
    if arxiv_id is None:
        raise ctx.error(f"{where}: <id> {_text(entry, f'{ATOM}id')!r} is not an arXiv abs URL")
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    authors = [" ".join(_text(a, f"{ATOM}name").split()) for a in entry.findall(f"{ATOM}author")]
    return make_record(
        ctx,
        title=_text(entry, f"{ATOM}title"),
        abstract=_text(entry, f"{ATOM}summary"),
        arxiv_id=arxiv_id,
        authors=[name for name in authors if name],
        published_at=parse_day(_text(entry, f"{ATOM}published")),
        categories=list(dict.fromkeys(c for c in categories if c)),
        where=f"{where} ({arxiv_id})",
    )


def _arxiv_id(entry: ET.Element) -> str | None:
    return normalise_arxiv_id(_text(entry, f"{ATOM}id"))


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""
