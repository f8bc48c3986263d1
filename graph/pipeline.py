"""The pipeline's steps, one function per Airflow task, usable without Airflow.

Every step takes the config path (None: $PAPER_GRAPH_CONFIG or config/pipeline.toml) and the
logical date, reads its inputs from disk and returns a small JSON-able summary (an XCom). Steps are
idempotent per date: each one replaces that date's output.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extract.config import PipelineConfig, load_config, parse_source_spec

log = logging.getLogger(__name__)

PAPERS_FILE = "papers.jsonl"
MENTIONS_FILE = "mentions.jsonl"
ENTITIES_FILE = "entities.jsonl"


class PipelineError(RuntimeError):
    """A step cannot go on (all sources failed, a snapshot is missing, the graph check failed)."""


def _config(config_path: str | None) -> PipelineConfig:
    return load_config(config_path)


def plan_sources(config_path: str | None, override: str | None = None) -> list[dict[str, Any]]:
    """The sources of this run: the override string (`kind[:arg],...`) or the configured ones."""
    sources = parse_source_spec(override) if override else list(_config(config_path).sources)
    if not sources:
        raise PipelineError("no sources configured")
    return sources


def fetch(config_path: str | None, source: dict[str, Any], run_date: str) -> dict[str, Any]:
    """Fetch one source for the date into the raw archive."""
    from extract.fetch import fetch_source

    config = _config(config_path)
    report = fetch_source(source, run_date, config.paths.archive, settings=config.fetch)
    summary = report.summary()
    log.info("fetched %s: %s", source["name"], summary)
    return summary


def parse(config_path: str | None, sources: list[dict[str, Any]], run_date: str) -> dict[str, Any]:
    """Parse every archived response of the date's sources into one deduplicated papers file."""
    from extract.archive import archived_responses
    from extract.parse import parse_archived
    from extract.records_io import write_records_jsonl

    config = _config(config_path)
    names = [s["name"] for s in sources]
    responses = [r for name in names for r in archived_responses(config.paths.archive, name, run_date)]
    fetched = {r.source for r in responses}
    failed = [name for name in names if name not in fetched]
    if not fetched:
        raise PipelineError(f"all {len(names)} sources failed for {run_date}: {', '.join(failed)}")
    result = parse_archived(responses, quarantine_root=config.paths.archive / "quarantine")
    work = _fresh_work_dir(config, run_date)
    count = write_records_jsonl(result.papers, work / PAPERS_FILE)
    summary = {
        "papers": count,
        "responses": len(responses),
        "quarantined": len(result.quarantined),
        "duplicates_merged": result.duplicates,
        "failed_sources": failed,
        "papers_file": str(work / PAPERS_FILE),
    }
    log.info("parsed %s", summary)
    return summary


def _fresh_work_dir(config: PipelineConfig, run_date: str) -> Path:
    work = config.paths.work_dir(run_date)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)
