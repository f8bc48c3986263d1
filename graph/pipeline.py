"""The pipeline's steps, one function per Airflow task, usable without Airflow.

Every step takes the config path (None: $PAPER_GRAPH_CONFIG or config/pipeline.toml) and the
logical date, reads its inputs from disk and returns a small JSON-able summary (an XCom). Steps are
idempotent per date: each one replaces that date's output.
"""

from __future__ import annotations

import dataclasses
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
PROGRESS_EVERY = 10_000
RESPONSES_FILE = "responses.json"  # the archived bodies the papers were parsed from


FETCH_STATUS = "fetch_status"  # <data_root>/fetch_status/dt=<date>/<source>.json: how each fetch went
OFFLINE_HINT = "without internet, run on saved pages instead: make run SOURCES=dump:../shared/seeds"


class PipelineError(RuntimeError):
    """A step cannot go on (all sources failed, a snapshot is missing, the graph check failed)."""


class PermanentError(PipelineError):
    """Retrying the task cannot help (the source's host is unreachable, nothing was fetched): fail at once.

    The DAGs turn it into AirflowFailException, so Airflow does not retry the task."""


def _config(config_path: str | None) -> PipelineConfig:
    return load_config(config_path)


def plan_sources(config_path: str | None, override: str | None = None) -> list[dict[str, Any]]:
    """The sources of this run: the override string (`kind[:arg],...`) or the configured ones."""
    sources = parse_source_spec(override) if override else list(_config(config_path).sources)
    if not sources:
        raise PipelineError("no sources configured")
    return sources


def fetch(
    config_path: str | None, source: dict[str, Any], run_date: str, refetch: bool = False
) -> dict[str, Any]:
    """Fetch one source for the date into the raw archive (raises when the source gave nothing but errors).

    A source that already has good responses archived for the date is not fetched again unless
    `refetch`: the archive is this step's output, so a rerun of the date parses the same bytes.
    """
    from extract.archive import iter_archived
    from extract.errors import FetchError
    from extract.sources import fetch_source

    config = _config(config_path)
    status = _fetch_status_dir(config, run_date) / f"{source['name']}.json"
    if not refetch:
        archived = [
            r for r in iter_archived(config.paths.archive, source=source["name"], run_date=run_date) if r.ok
        ]
        if archived:
            log.info(
                "%s: %d responses already archived for %s, not fetched again",
                source["name"],
                len(archived),
                run_date,
            )
            summary = {
                "source": source["name"],
                "kind": source["kind"],
                "run_date": run_date,
                "reused": len(archived),
            }
            _write_status(status, {**summary, "ok": True})
            return summary
    try:
        report = fetch_source(source, run_date, config.paths.archive, settings=config.fetch)
    except FetchError as exc:
        cause = exc.cause or "error"
        _write_status(status, {"source": source["name"], "ok": False, "cause": cause, "error": str(exc)})
        if exc.unreachable:
            raise PermanentError(f"source {source['name']}: {exc}; {OFFLINE_HINT}") from exc
        raise
    summary = {k: v for k, v in report.as_dict().items() if k != "paths"}
    _write_status(status, {**summary, "ok": True})
    log.info("fetched %s: %s", source["name"], summary)
    return summary


def _fetch_status_dir(config: PipelineConfig, run_date: str) -> Path:
    return config.paths.data_root / FETCH_STATUS / f"dt={run_date}"


def _write_status(path: Path, status: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(status, indent=1, default=str) + "\n", encoding="utf-8")


def fetch_failures(config_path: str | None, run_date: str, names: list[str]) -> dict[str, str]:
    """Source name -> why its fetch failed for the date ('dns: ...', 'http: ...'), for the named sources."""
    folder = _fetch_status_dir(_config(config_path), run_date)
    failures: dict[str, str] = {}
    for name in names:
        try:
            status = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not status.get("ok"):
            failures[name] = f"{str(status.get('cause') or 'error').upper()}: {status.get('error', '?')}"
    return failures


def parse(config_path: str | None, sources: list[dict[str, Any]], run_date: str) -> dict[str, Any]:
    """Parse every archived response of the date's sources into one deduplicated papers file.

    Fails only when no source has a response archived for the date.
    """
    from extract.archive import iter_archived
    from extract.jsonl import write_records_jsonl
    from extract.parse import parse_archived

    config = _config(config_path)
    names = [s["name"] for s in sources]
    responses = [
        response
        for name in names
        for response in iter_archived(config.paths.archive, source=name, run_date=run_date)
        if response.ok  # error bodies are archived too, but there is nothing to parse in them
    ]
    fetched = sorted({r.source for r in responses})
    failed = [name for name in names if name not in fetched]
    if not fetched:  # parsing again cannot fetch: a permanent failure of this run
        why = fetch_failures(config_path, run_date, failed)
        listed = "; ".join(f"{name} ({why.get(name, 'no response archived')})" for name in failed)
        raise PermanentError(f"all {len(names)} sources failed for {run_date}: {listed}. {OFFLINE_HINT}")
    result = parse_archived([r.path for r in responses], archive_root=config.paths.archive)
    work = _fresh_work_dir(config, run_date)
    count = write_records_jsonl(result.records, work / PAPERS_FILE)
    (work / RESPONSES_FILE).write_text(json.dumps([str(r.path) for r in responses], indent=1))
    summary = {
        "papers": count,
        "responses": len(responses),
        "sources": fetched,
        "failed_sources": failed,
        **{k: v for k, v in result.summary().items() if k != "papers"},
        "papers_file": str(work / PAPERS_FILE),
    }
    log.info("parsed %s", summary)
    return summary


def extract(config_path: str | None, run_date: str) -> dict[str, Any]:
    """Entities of every parsed paper: mentions.jsonl (per paper, in paper order) and entities.jsonl."""
    from extract.jsonl import read_records_jsonl
    from extract.nlp.pipeline import extract_papers
    from extract.nlp.registry import EntityRegistry

    config = _config(config_path)
    work = config.paths.work_dir(run_date)
    registry = EntityRegistry()
    papers = mentions = 0
    with (work / MENTIONS_FILE).open("w", encoding="utf-8") as out:
        papers_in = read_records_jsonl(work / PAPERS_FILE)
        for _paper_id, found in extract_papers(
            papers_in, config.extract_batch_size, config.extract_processes
        ):
            papers += 1
            mentions += len(found)
            registry.add(found)
            if papers % PROGRESS_EVERY == 0:  # task logs show progress on long runs
                log.info("extracted %d papers, %d mentions so far", papers, mentions)
            for mention in found:
                out.write(json.dumps(dataclasses.asdict(mention), ensure_ascii=False) + "\n")
    with (work / ENTITIES_FILE).open("w", encoding="utf-8") as out:
        for entity in registry.entities():
            out.write(json.dumps(dataclasses.asdict(entity), ensure_ascii=False) + "\n")
    summary = {"papers": papers, "mentions": mentions, "entities": len(registry)}
    log.info("extracted %s", summary)
    return summary


def write_snapshot(config_path: str | None, run_date: str, run_id: str) -> dict[str, Any]:
    """Write the date's snapshot (replacing an earlier one of the same date) and return its row counts."""
    from extract.jsonl import read_records_jsonl
    from graph import relations
    from graph.snapshot import SnapshotWriter

    config = _config(config_path)
    work = config.paths.work_dir(run_date)
    with SnapshotWriter(config.paths.snapshots, run_date, run_id) as writer:
        writer.write("papers", (p.to_dict() for p in read_records_jsonl(work / PAPERS_FILE)))
        writer.write(
            "authors", relations.authors(p.to_dict() for p in read_records_jsonl(work / PAPERS_FILE))
        )
        writer.write("entities", _read_jsonl(work / ENTITIES_FILE))
        writer.write("mentions", _read_jsonl(work / MENTIONS_FILE))
        paper_entities = list(relations.paper_entities(_read_jsonl(work / MENTIONS_FILE)))
        writer.write("paper_entities", paper_entities)
        writer.write("references", relations.references(paper_entities))
        writer.write("co_mentions", relations.co_mentions(paper_entities))
        writer.write("raw_responses", _raw_response_rows(config, work))
        manifest = writer.commit()
    summary = {
        "snapshot_date": run_date,
        "path": f"{config.paths.snapshots}/dt={run_date}",
        "rows": {name: entry.rows for name, entry in manifest.tables.items()},
    }
    log.info("snapshot %s", summary)
    return summary


def _raw_response_rows(config: PipelineConfig, work: Path) -> Iterator[dict[str, Any]]:
    from extract.archive import read_sidecar

    for body in json.loads((work / RESPONSES_FILE).read_text()):
        meta = read_sidecar(Path(body))
        if meta is not None:
            row = meta.raw_responses_row()
            row["path"] = str(
                Path(body).relative_to(config.paths.archive)
            )  # portable: relative to the archive
            yield row


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


def _snapshot(config: PipelineConfig, snapshot_date: str | None):  # type: ignore[no-untyped-def]
    from graph.snapshot import open_snapshot

    return open_snapshot(config.paths.snapshots, snapshot_date or "latest")


def verify(config_path: str | None, snapshot_dates: list[str] | None) -> dict[str, Any]:
    """Check every file of the snapshots against their manifests (raises SnapshotIntegrityError).

    `snapshot_dates`: the dates one load run is for (several when Asset events queued up, e.g. during
    a backfill); none means the latest snapshot. The summary names the newest as `snapshot_date` and
    the others, oldest first, as `earlier`.
    """
    config = _config(config_path)
    snapshots = [_snapshot(config, d) for d in sorted(set(snapshot_dates or [None]), key=lambda d: d or "")]
    for snapshot in snapshots:
        snapshot.verify()
    newest = snapshots[-1]
    summary = {
        "snapshot_date": newest.date,
        "earlier": [s.date for s in snapshots[:-1]],
        "run_id": newest.manifest.run_id,
        "rows": newest.manifest.rows,
    }
    log.info("verified %s", summary)
    return summary


def load(
    driver: Any, config_path: str | None, snapshot_date: str, earlier: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """Load papers, authors, entities and mentions (everything but the derived relations).

    Earlier snapshots of the same run are loaded first, completely (relations included) and checked,
    so that each date's data reaches the graph in date order.
    """
    from graph.load import ALL_STEPS, CORE_STEPS, check_load, load_snapshot

    config = _config(config_path)
    for date in earlier:
        snapshot = _snapshot(config, date)
        load_snapshot(driver, snapshot, batch_size=config.load_batch_size, steps=ALL_STEPS)
        check_load(driver, snapshot, relations=True).raise_for_problems()
        log.info("loaded earlier snapshot %s", date)
    report = load_snapshot(
        driver, _snapshot(config, snapshot_date), batch_size=config.load_batch_size, steps=CORE_STEPS
    )
    return report.summary()


def check(driver: Any, config_path: str | None, snapshot_date: str) -> dict[str, Any]:
    """Data-quality checks after the core load: counts match the snapshot, no orphan mentions."""
    from graph.load import check_load

    report = check_load(driver, _snapshot(_config(config_path), snapshot_date), relations=False)
    log.info("graph check %s", report.summary())
    report.raise_for_problems()
    return report.summary()


def load_relations(driver: Any, config_path: str | None, snapshot_date: str) -> dict[str, Any]:
    """Load the derived relations (REFERENCES) and check their count."""
    from graph.load import RELATION_STEPS, check_load, load_snapshot

    config = _config(config_path)
    snapshot = _snapshot(config, snapshot_date)
    report = load_snapshot(driver, snapshot, batch_size=config.load_batch_size, steps=RELATION_STEPS)
    check_load(driver, snapshot, relations=True).raise_for_problems()
    return report.summary()
