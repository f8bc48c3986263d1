"""Enrichment of parsed papers: arXiv ids for title-only papers, Semantic Scholar citations, Hub repos.

Entry point (the pipeline's `enrich` step calls it once per run date):

    result = enrich_papers(papers, run_date, archive_root, settings=EnrichSettings | [enrich] dict,
                           fetch_settings=FetchSettings | [fetch] dict, s2_api_key=None)
    result.papers        # list[PaperRecord]: resolved (re-keyed to the arXiv id, title rows merged in),
                         #   s2_paper_id / citation_count filled; sorted by paper_id
    result.citations     # list[Citation]   (sorted by citing, cited)
    result.hub_repos     # list[HubRepo]    (sorted by hub_key)
    result.links         # list[PaperHubLink] (sorted by paper_id, hub_key)
    result.rekeyed       # {old title key: arXiv id}
    result.services      # {"arxiv_title" | "s2" | "hf_hub": ServiceReport}: status, requests, skipped, why
    result.summary()     # JSON-able dict of all the counts (the step's return value / task log)

Fail soft: a service that is disabled, unreachable or failing is reported and skipped; the others go
on, and the papers come back unchanged where nothing was learnt. Every response is archived under
`<archive_root>/raw/source=<arxiv_title|s2|hf_hub>/dt=<run_date>/` like any fetch, and read back from
there on a rerun of the date (good answers and 404s; failures are asked again).
See extract/enrich/README.md for the work-dir files (extract.enrich.files).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from extract.archive import Archive
from extract.clean import normalise_title
from extract.dedupe import dedupe, merge_into
from extract.enrich.hub import SOURCE as HUB_SOURCE
from extract.enrich.hub import fetch_hub
from extract.enrich.resolve import SOURCE as ARXIV_SOURCE
from extract.enrich.resolve import resolve_titles, resolve_via_s2
from extract.enrich.s2 import SOURCE as S2_SOURCE
from extract.enrich.s2 import InGraph, citations_of, fetch_s2
from extract.enrich.service import ServiceClient, ServiceReport
from extract.enrich.settings import ArxivTitleSettings, EnrichSettings, HubSettings, S2Settings
from extract.fetch import Fetcher, FetchSettings
from extract.records import Citation, HubRepo, PaperHubLink, PaperRecord

SERVICES = (ARXIV_SOURCE, S2_SOURCE, HUB_SOURCE)

__all__ = [
    "SERVICES",
    "ArxivTitleSettings",
    "EnrichResult",
    "EnrichSettings",
    "HubSettings",
    "S2Settings",
    "ServiceReport",
    "enrich_papers",
]


@dataclass
class EnrichResult:
    papers: list[PaperRecord]
    citations: list[Citation] = field(default_factory=list)
    hub_repos: list[HubRepo] = field(default_factory=list)
    links: list[PaperHubLink] = field(default_factory=list)
    rekeyed: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceReport] = field(default_factory=dict)
    requests: int = 0
    from_archive: int = 0
    seconds: float = 0.0

    @property
    def unavailable(self) -> list[str]:
        """Services that were skipped entirely or in part, with the reason (for the run summary)."""
        return [r.summary_line() for r in self.services.values() if r.status in ("unavailable", "partial")]

    def summary(self) -> dict[str, Any]:
        in_graph = {p.paper_id for p in self.papers}
        return {
            "papers": len(self.papers),
            "with_arxiv_id": sum(1 for p in self.papers if p.arxiv_id),
            "resolved_arxiv_ids": len(self.rekeyed),
            "with_s2_id": sum(1 for p in self.papers if p.s2_paper_id),
            "citations": len(self.citations),
            "citations_in_graph": sum(1 for c in self.citations if c.cited_paper_id in in_graph),
            "hub_repos": len(self.hub_repos),
            "hub_links": len(self.links),
            "requests": self.requests,
            "from_archive": self.from_archive,
            "seconds": self.seconds,
            "unavailable": self.unavailable,
            "services": {name: r.as_dict() for name, r in self.services.items()},
        }


def enrich_papers(
    papers: Iterable[PaperRecord],
    run_date: date | str,
    archive_root: str | os.PathLike[str],
    settings: EnrichSettings | dict[str, Any] | None = None,
    fetch_settings: FetchSettings | dict[str, Any] | None = None,
    *,
    s2_api_key: str | None = None,
) -> EnrichResult:
    """Resolve, then cite, then link; see the module docstring. Never raises for a failing service."""
    started = time.monotonic()
    config = settings if isinstance(settings, EnrichSettings) else EnrichSettings.from_dict(settings)
    base_fetch = (
        fetch_settings
        if isinstance(fetch_settings, FetchSettings)
        else FetchSettings.from_dict(fetch_settings)
    )
    fetch = replace(
        base_fetch, host_requests_per_second={**base_fetch.host_requests_per_second, **config.host_rates()}
    )
    day = run_date if isinstance(run_date, date) else date.fromisoformat(str(run_date))
    records = [PaperRecord(**p.to_dict()) for p in papers]  # the caller's objects stay untouched
    result = EnrichResult(papers=records)
    if not config.enabled:
        result.services = {name: ServiceReport(name, status="disabled") for name in SERVICES}
        return result
    api_key = s2_api_key or os.environ.get(config.s2.api_key_env) or None

    with Fetcher(Archive(archive_root), fetch) as fetcher:

        def client(name: str, enabled: bool) -> ServiceClient | None:
            result.services[name] = ServiceReport(name, status="ok" if enabled else "disabled")
            if not enabled:
                return None
            return ServiceClient(
                fetcher,
                result.services[name],
                day,
                unreachable_after=config.unreachable_after,
                failing_after=config.failing_after,
            )

        arxiv = client(ARXIV_SOURCE, config.arxiv.enabled)
        s2 = client(S2_SOURCE, config.s2.enabled)
        if arxiv is not None:
            resolution = resolve_titles(records, arxiv, config.arxiv)
            if config.arxiv.s2_match_fallback and resolution.unmatched and not arxiv.down:
                match = ServiceClient(
                    fetcher,
                    ServiceReport(ARXIV_SOURCE),  # archived under arxiv_title: it is title resolution
                    day,
                    unreachable_after=config.unreachable_after,
                    failing_after=config.failing_after,
                )
                headers = {"x-api-key": api_key} if api_key else {}
                more = resolve_via_s2(
                    resolution.unmatched, match, arxiv, config.s2.base_url, config.arxiv.base_url, headers
                )
                _fold_title_match(arxiv.report, match.report)
                resolution.matches.update(more)
                arxiv.report.counts["matched_via_s2"] = len(more)
                arxiv.report.counts["matched"] = len(resolution.matches)
                arxiv.report.counts["unmatched"] = len(resolution.unmatched) - len(more)
            arxiv.finish()
            records, result.rekeyed = _merge_resolved(records, resolution.matches)

        by_arxiv = {p.arxiv_id: p for p in records if p.arxiv_id}
        if s2 is not None:
            answers = fetch_s2(sorted(by_arxiv), s2, config.s2, api_key)
            for arxiv_id, answer in answers.papers.items():
                paper = by_arxiv[arxiv_id]
                paper.s2_paper_id = answer.work.s2_id or paper.s2_paper_id
                if answer.citation_count is not None:
                    paper.citation_count = answer.citation_count
            in_graph = InGraph.of(records, config.arxiv.min_title_words)
            citations: list[Citation] = []
            anonymous = 0
            for arxiv_id, answer in sorted(answers.papers.items()):
                rows, missing = citations_of(by_arxiv[arxiv_id].paper_id, answer.references or [], in_graph)
                citations += rows
                anonymous += missing
            s2.report.counts.update(citations=len(citations), references_without_identity=anonymous)
            s2.finish()
            result.citations = sorted(citations, key=lambda c: (c.citing_paper_id, c.cited_paper_id))

        if hub := client(HUB_SOURCE, config.hf_hub.enabled):
            found = fetch_hub({a: p.paper_id for a, p in by_arxiv.items()}, hub, config.hf_hub)
            hub.finish()
            result.hub_repos, result.links = found.repo_rows(), found.link_rows()

        result.requests, result.from_archive = fetcher.requests_made, fetcher.from_archive
    result.papers = sorted(records, key=lambda p: p.paper_id)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _fold_title_match(report: ServiceReport, match: ServiceReport) -> None:
    """S2's title matches count in the title resolution's report; S2 being down only makes it partial."""
    report.requests += match.requests
    report.from_archive += match.from_archive
    report.failed += match.failed
    report.errors += match.errors[: max(0, 10 - len(report.errors))]
    report.counts["s2_title_lookups"] = match.requests + match.from_archive
    if match.status != "ok" and report.status == "ok":
        report.status, report.reason = "partial", f"S2 title match: {match.reason}"


def _merge_resolved(
    records: list[PaperRecord], matches: dict[str, PaperRecord]
) -> tuple[list[PaperRecord], dict[str, str]]:
    """Title-only records take the arXiv id of their match and its fields; rows of one paper merge."""
    rekeyed: dict[str, str] = {}
    for record in records:
        match = matches.get(normalise_title(record.title)) if record.arxiv_id is None else None
        if match is None:
            continue
        rekeyed[record.paper_id] = match.paper_id
        record.paper_id, record.arxiv_id = match.paper_id, match.arxiv_id
        merge_into(record, match)
    return dedupe(records), rekeyed
