"""One parser per page format, chosen by the source that fetched the body or by sniffing its content.

Every parser takes the raw bytes and a ParseContext and returns PaperRecords; any input it cannot
read raises `extract.errors.ParseError` (never another exception).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from extract.parsers.arxiv_atom import parse_arxiv_atom
from extract.parsers.common import ParseContext
from extract.parsers.hf_html import parse_hf_html
from extract.parsers.hf_json import load_json, records_from_hf_data
from extract.parsers.text_dump import parse_text_dump
from extract.records import PaperRecord

Parser = Callable[[bytes, ParseContext], Iterable[PaperRecord]]

PARSERS: dict[str, Parser] = {
    "hf_json": lambda body, ctx: _parse_json(body, ctx),  # defined below: it recurses into parse_body
    "hf_html": parse_hf_html,
    "arxiv_atom": parse_arxiv_atom,
    "text_dump": parse_text_dump,
}

# File suffixes a folder of saved pages may hold.
SUPPORTED_SUFFIXES = (".txt", ".json", ".html", ".htm", ".xml", ".atom")


def detect_format(body: bytes) -> str:
    """The parser name for a body, from its first significant characters."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:1] in (b"[", b"{"):
        return "hf_json"
    if head.startswith(b"<?xml") or head.startswith(b"<feed"):
        return "hf_html" if b"<html" in head else "arxiv_atom"
    if head.startswith(b"<"):
        return "hf_html"
    return "text_dump"


@dataclass(slots=True)
class Page:
    """What one page gave: its records, the entries left out (with reasons) and dropped values."""

    records: list[PaperRecord]
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_body(body: bytes, origin: str, **options: Any) -> list[PaperRecord]:
    """All good records of one page (`options`: those of `parse_page`)."""
    return parse_page(body, origin, **options).records


def parse_page(
    body: bytes,
    origin: str,
    *,
    fmt: str | None = None,
    source: str = "",
    fetched_at: datetime | None = None,
    unescape_latex: bool = False,
) -> Page:
    """The good records of one page and the entries left out; raises ParseError when the page as a
    whole does not parse, or when every entry of it was left out."""
    fmt = fmt or detect_format(body)
    ctx = ParseContext(
        origin=origin, source=source or fmt, fetched_at=fetched_at, unescape_latex=unescape_latex
    )
    records = _parse_with(body, fmt, ctx)
    if not records and ctx.rejected:
        shown = "; ".join(ctx.rejected[:3]) + ("; ..." if len(ctx.rejected) > 3 else "")
        raise ctx.error(f"every entry was left out ({len(ctx.rejected)}): {shown}")
    return Page(records, ctx.rejected, ctx.warnings)


def _parse_with(body: bytes, fmt: str, ctx: ParseContext) -> list[PaperRecord]:
    parser = PARSERS.get(fmt)
    if parser is None:
        raise ctx.error(f"unknown page format {fmt!r} (known: {', '.join(PARSERS)})")
    return list(parser(body, ctx))


def _parse_json(body: bytes, ctx: ParseContext) -> Iterable[PaperRecord]:
    data = load_json(body, ctx)
    if isinstance(data, dict) and isinstance(data.get("body"), str) and "status_code" in data:
        # A recorded response ({"url", "status_code", "body"} with the body decoded as latin-1).
        try:
            inner = data["body"].encode("latin-1")
        except UnicodeEncodeError as exc:
            raise ctx.error("recorded response body is not latin-1 decoded bytes") from exc
        return _parse_with(inner, detect_format(inner), ctx)
    return records_from_hf_data(data, ctx)
