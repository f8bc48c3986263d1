"""Semantic Scholar source `s2`: citation counts and references of every paper with an arXiv id.

`POST /graph/v1/paper/batch?fields=...` with `{"ids": ["arXiv:<id>", ...]}` (at most `batch_size`
ids a call); the answer is an array in request order with `null` for an id S2 does not know. A paper
whose nested references reached S2's cap (`nested_reference_cap`) while `referenceCount` says there
are more is paged through `GET /graph/v1/paper/{paperId}/references` (`offset`/`next`). The optional
API key (environment variable `api_key_env`, default S2_API_KEY) is sent as `x-api-key` and never
archived (the archive keeps response headers only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from extract.clean import normalise_title, title_paper_id
from extract.enrich.service import REUSE_OK, ServiceClient, ServiceUnavailable
from extract.enrich.settings import S2Settings
from extract.errors import FetchError, ParseError
from extract.fetch import Request
from extract.parsers.s2_json import S2Paper, S2Work, parse_batch, parse_reference_page
from extract.records import Citation, PaperRecord

SOURCE = "s2"
JSON = ("application/json",)
WORK_FIELDS = ("paperId", "externalIds", "title", "year")
BATCH_FIELDS = ("paperId", "externalIds", "title", "year", "citationCount", "referenceCount") + tuple(
    f"references.{name}" for name in WORK_FIELDS
)


@dataclass
class S2Result:
    papers: dict[str, S2Paper] = field(default_factory=dict)  # arXiv id -> S2's answer
    not_found: list[str] = field(default_factory=list)  # arXiv ids in a null slot


@dataclass(frozen=True)
class InGraph:
    """The ingested papers a cited work without an arXiv id can still be recognised as."""

    by_s2_id: dict[str, str] = field(default_factory=dict)  # S2 paperId -> paper_id
    by_title: dict[str, str] = field(default_factory=dict)  # normalised title -> paper_id (unique only)
    min_title_words: int = 3

    @classmethod
    def of(cls, papers: Iterable[PaperRecord], min_title_words: int = 3) -> InGraph:
        by_s2, by_title, seen = {}, {}, set()
        for paper in papers:
            if paper.s2_paper_id:
                by_s2[paper.s2_paper_id] = paper.paper_id
            key = normalise_title(paper.title)
            if key in seen:
                by_title.pop(key, None)  # two ingested papers with one title: recognise neither
            else:
                seen.add(key)
                by_title[key] = paper.paper_id
        return cls(by_s2, by_title, min_title_words)

    def paper_id(self, work: S2Work) -> str | None:
        if work.s2_id and work.s2_id in self.by_s2_id:
            return self.by_s2_id[work.s2_id]
        key = normalise_title(work.title or "")
        return self.by_title.get(key) if len(key.split()) >= self.min_title_words else None


def cited_paper_id(work: S2Work, in_graph: InGraph | None = None) -> str | None:
    """The paper key of a cited work: its arXiv id; else the ingested paper with its S2 id or exact
    normalised title; else 's2:' + paperId; else the title key; None without any of them."""
    if work.arxiv_id:
        return work.arxiv_id
    known = in_graph.paper_id(work) if in_graph else None
    if known:
        return known
    if work.s2_id:
        return f"s2:{work.s2_id}"
    if work.title:
        return title_paper_id(work.title)
    return None


def citations_of(
    citing_paper_id: str, references: list[S2Work], in_graph: InGraph | None = None
) -> tuple[list[Citation], int]:
    """One Citation per distinct cited work (first occurrence kept), and how many had no identity."""
    rows: dict[str, Citation] = {}
    anonymous = 0
    for work in references:
        key = cited_paper_id(work, in_graph)
        if key is None:
            anonymous += 1
            continue
        if key == citing_paper_id or key in rows:
            continue
        rows[key] = Citation(
            citing_paper_id=citing_paper_id,
            cited_paper_id=key,
            cited_arxiv_id=work.arxiv_id,
            cited_s2_id=work.s2_id,
            cited_doi=work.doi,
            cited_title=work.title,
            cited_year=work.year,
            source=SOURCE,
        )
    return list(rows.values()), anonymous


def fetch_s2(
    arxiv_ids: list[str], client: ServiceClient, settings: S2Settings, api_key: str | None
) -> S2Result:
    result = S2Result()
    wanted = sorted(set(arxiv_ids))
    client.report.items = len(wanted)
    headers = {"x-api-key": api_key} if api_key else {}
    base = settings.base_url.rstrip("/")
    size = max(1, min(settings.batch_size, 500))
    for start in range(0, len(wanted), size):
        chunk = wanted[start : start + size]
        request = Request(
            f"{base}/graph/v1/paper/batch",
            JSON,
            format="s2_batch",
            params={"fields": ",".join(BATCH_FIELDS)},
            method="POST",
            json_body={"ids": [f"arXiv:{i}" for i in chunk]},
            headers=headers,
        )
        try:
            archived = client.get(request, reuse=REUSE_OK)
            slots = client.parse(archived, parse_batch)
        except ServiceUnavailable:
            break
        except (FetchError, ParseError):
            continue
        if len(slots) != len(chunk):
            client.reject(archived, ParseError(archived.url, f"{len(slots)} slots for {len(chunk)} ids"))
            continue
        for arxiv_id, slot in zip(chunk, slots, strict=True):
            if slot is None:
                result.not_found.append(arxiv_id)
                client.report.not_found += 1
            else:
                result.papers[arxiv_id] = slot
        client.report.done += len(chunk)
    for arxiv_id, paper in sorted(result.papers.items()):
        if client.down:
            break
        if _needs_paging(paper, settings) and paper.work.s2_id:
            refs = _page_references(paper.work.s2_id, client, settings, headers)
            if refs is not None:
                result.papers[arxiv_id] = S2Paper(
                    paper.work, paper.citation_count, paper.reference_count, refs
                )
                client.report.counts["paged_papers"] = client.report.counts.get("paged_papers", 0) + 1
    return result


def _needs_paging(paper: S2Paper, settings: S2Settings) -> bool:
    listed = len(paper.references or [])
    return (
        bool(paper.reference_count)
        and listed < (paper.reference_count or 0)
        and (paper.references is None or listed >= settings.nested_reference_cap)
    )


def _page_references(
    s2_id: str, client: ServiceClient, settings: S2Settings, headers: dict[str, str]
) -> list[S2Work] | None:
    """Every reference of one paper through the paged endpoint; None when a page failed."""
    url = f"{settings.base_url.rstrip('/')}/graph/v1/paper/{quote(s2_id)}/references"
    refs: list[S2Work] = []
    offset: int | None = 0
    for _ in range(settings.max_reference_pages):
        if offset is None:
            break
        params = {
            "fields": ",".join(WORK_FIELDS),
            "offset": str(offset),
            "limit": str(settings.reference_page_size),
        }
        try:
            archived = client.get(Request(url, JSON, format="s2_references", params=params, headers=headers))
            page = client.parse(archived, parse_reference_page)
        except (FetchError, ParseError, ServiceUnavailable):
            return None
        refs += page.references
        offset = page.next if page.next is not None and page.next > offset else None
    return refs
