"""The work folder of one run date: the files each pipeline step writes for the next, named once.

`parse` creates it (fresh), the enrich, extract and snapshot steps receive it; across Airflow tasks it
travels as the small dict `as_xcom()` returns and `from_xcom()` reads.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.enrich import files as enrich_files
from paper_graph.config import PipelineConfig


@dataclass(frozen=True)
class RunDir:
    path: Path
    run_date: str

    PAPERS = "papers.jsonl"  # parsed, deduplicated PaperRecords
    RESPONSES = "responses.json"  # the archived bodies the papers were parsed from
    QUARANTINE = "quarantine.json"  # pages and entries parse left out, with reasons (ParseResult)
    SHARDS = (
        "shards"  # the extract stage's shards: shards/<index>/{papers,mentions}.jsonl (paper_graph.shards)
    )
    # written by the enrich stage, named by extract.enrich.files (which rewrites papers.jsonl too)
    CITATIONS = enrich_files.CITATIONS_FILE
    HUB_REPOS = enrich_files.HUB_REPOS_FILE
    PAPER_HUB_LINKS = enrich_files.PAPER_HUB_LINKS_FILE
    ENRICH_REPORT = enrich_files.REPORT_FILE

    @classmethod
    def of(cls, config: PipelineConfig, run_date: str) -> RunDir:
        return cls(config.paths.work / f"dt={run_date}", run_date)

    @classmethod
    def from_xcom(cls, data: Mapping[str, Any]) -> RunDir:
        return cls(Path(data["work_dir"]), data["run_date"])

    def as_xcom(self) -> dict[str, str]:
        return {"work_dir": str(self.path), "run_date": self.run_date}

    def create(self) -> RunDir:
        """Empty the folder (a rerun of the date replaces its files) and return self."""
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        return self

    @property
    def papers(self) -> Path:
        return self.path / self.PAPERS

    @property
    def shards(self) -> Path:
        return self.path / self.SHARDS

    @property
    def responses(self) -> Path:
        return self.path / self.RESPONSES

    @property
    def quarantine(self) -> Path:
        return self.path / self.QUARANTINE

    @property
    def citations(self) -> Path:
        return self.path / self.CITATIONS

    @property
    def hub_repos(self) -> Path:
        return self.path / self.HUB_REPOS

    @property
    def paper_hub_links(self) -> Path:
        return self.path / self.PAPER_HUB_LINKS

    @property
    def enrich_report(self) -> Path:
        return self.path / self.ENRICH_REPORT
