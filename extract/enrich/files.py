"""The work-dir files of the enrich step (beside papers.jsonl of the parse step).

papers.jsonl            rewritten: resolved papers re-keyed to their arXiv id, s2 fields filled
citations.jsonl         extract.records.Citation, one per (citing, cited) pair
hub_repos.jsonl         extract.records.HubRepo, one per hub_key
paper_hub_links.jsonl   extract.records.PaperHubLink
paper_keys.jsonl        {"old_paper_id", "paper_id"} for every re-keyed paper (title key -> arXiv id)
enrich_report.json      EnrichResult.summary(): counts, requests, per-service status and reasons
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from extract.enrich import EnrichResult
from extract.jsonl import read_rows_jsonl, write_records_jsonl, write_rows_jsonl
from extract.records import Citation, HubRepo, PaperHubLink

PAPERS_FILE = "papers.jsonl"
CITATIONS_FILE = "citations.jsonl"
HUB_REPOS_FILE = "hub_repos.jsonl"
PAPER_HUB_LINKS_FILE = "paper_hub_links.jsonl"
PAPER_KEYS_FILE = "paper_keys.jsonl"
REPORT_FILE = "enrich_report.json"


@dataclass(frozen=True, slots=True)
class PaperKey:
    old_paper_id: str
    paper_id: str


def write_enrichment(result: EnrichResult, work_dir: str | Path) -> dict[str, int]:
    """Write every enrich file into `work_dir` (each atomically); returns the row count per file."""
    work = Path(work_dir)
    counts = {
        PAPERS_FILE: write_records_jsonl(result.papers, work / PAPERS_FILE),
        CITATIONS_FILE: write_rows_jsonl(result.citations, work / CITATIONS_FILE),
        HUB_REPOS_FILE: write_rows_jsonl(result.hub_repos, work / HUB_REPOS_FILE),
        PAPER_HUB_LINKS_FILE: write_rows_jsonl(result.links, work / PAPER_HUB_LINKS_FILE),
        PAPER_KEYS_FILE: write_rows_jsonl(
            (PaperKey(old, new) for old, new in sorted(result.rekeyed.items())), work / PAPER_KEYS_FILE
        ),
    }
    temp = work / f".{REPORT_FILE}.tmp"
    temp.write_text(json.dumps(result.summary(), indent=2, sort_keys=True), encoding="utf-8")
    temp.replace(work / REPORT_FILE)
    return counts


def read_citations(work_dir: str | Path) -> list[Citation]:
    return list(read_rows_jsonl(Path(work_dir) / CITATIONS_FILE, Citation))


def read_hub_repos(work_dir: str | Path) -> list[HubRepo]:
    return list(read_rows_jsonl(Path(work_dir) / HUB_REPOS_FILE, HubRepo))


def read_paper_hub_links(work_dir: str | Path) -> list[PaperHubLink]:
    return list(read_rows_jsonl(Path(work_dir) / PAPER_HUB_LINKS_FILE, PaperHubLink))
