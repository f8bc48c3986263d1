"""Hugging Face paper listing pages (huggingface.co/papers): the state embedded in `data-props`.

The page server-renders its data as HTML-escaped JSON in the `data-props` attribute of
`<div data-target="DailyPapers">` (a single paper page: `data-target="PaperContent"`). When no such
block is present, the visible paper links (`<h3><a href="/papers/<id>">title</a></h3>`) are used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from extract.parsers.common import ParseContext, make_record, one_entry
from extract.parsers.hf_json import records_from_hf_data
from extract.records import PaperRecord

DATA_TARGETS = ("DailyPapers", "PaperContent")
_PAPER_HREF = re.compile(r"^(?:https?://huggingface\.co)?/papers/([^/?#]+)$")


class _PageScanner(HTMLParser):
    """Collects the data-props of the paper blocks and the text of paper links inside headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.props: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._heading_depth = 0
        self._link_href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("data-target") in DATA_TARGETS and values.get("data-props"):
            self.props.append(values["data-props"] or "")
        if tag in ("h2", "h3"):
            self._heading_depth += 1
        elif tag == "a" and self._heading_depth and (match := _PAPER_HREF.match(values.get("href") or "")):
            self._link_href, self._link_text = match.group(1), []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3") and self._heading_depth:
            self._heading_depth -= 1
        elif tag == "a" and self._link_href is not None:
            self.links.append((self._link_href, "".join(self._link_text)))
            self._link_href = None

    def handle_data(self, data: str) -> None:
        if self._link_href is not None:
            self._link_text.append(data)


def parse_hf_html(body: bytes, ctx: ParseContext) -> Iterator[PaperRecord]:
    scanner = _PageScanner()
    scanner.feed(body.decode("utf-8", errors="replace"))
    scanner.close()
    if scanner.props:
        for index, props in enumerate(scanner.props):
            try:
                data = json.loads(props)
            except (json.JSONDecodeError, RecursionError) as exc:
                raise ctx.error(f"data-props block {index} is not valid JSON: {exc}") from exc
            if isinstance(data, dict) and isinstance(data.get("paper"), dict):
                data = data["paper"]  # PaperContent props
            yield from records_from_hf_data(data, ctx)
        return
    links = [(href, text) for href, text in scanner.links if text.strip()]
    if not links:
        raise ctx.error("HTML page has no DailyPapers data-props and no paper links")
    for index, (href, text) in enumerate(links):
        record = one_entry(ctx, make_record, ctx, title=text, arxiv_id=href, where=f"link {index}")
        if record is not None:
            yield record
