"""The pipeline's steps, one function per Airflow task, usable without Airflow.

Every step takes the config path (None: $PAPER_GRAPH_CONFIG or config/pipeline.toml) and what the
step before it made, and returns a small JSON-able summary (an XCom) that names what it made:
`parse` creates the run's work folder (`paper_graph.run.RunDir`), whose `run` entry `extract` and
`write_snapshot` receive; `verify` names the verified snapshots, which the load steps receive. Each
step reads its inputs once. Steps are idempotent per date: each one replaces that date's output.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from paper_graph.config import PipelineConfig, load_config, parse_source_spec
from paper_graph.run import RunDir

log = logging.getLogger(__name__)

PROGRESS_EVERY = 10_000
WRITE_CHUNK = 10_000  # rows handed to the snapshot writer at a time


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

    Creates the run's work folder (its `run` entry). Fails only when no source has a response
    archived for the date.
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
    run = RunDir.of(config, run_date).create()
    count = write_records_jsonl(result.records, run.papers)
    run.responses.write_text(json.dumps([str(r.path) for r in responses], indent=1))
    summary = {
        "papers": count,
        "responses": len(responses),
        "sources": fetched,
        "failed_sources": failed,
        **{k: v for k, v in result.summary().items() if k != "papers"},
        "run": run.as_xcom(),
    }
    log.info("parsed %s", summary)
    return summary


def extract(config_path: str | None, parsed: Mapping[str, Any]) -> dict[str, Any]:
    """Entities of every parsed paper of `parsed["run"]`: its mentions (per paper, in paper order)
    and entities files."""
    from extract.jsonl import read_records_jsonl, write_jsonl
    from extract.nlp.pipeline import extract_papers
    from extract.nlp.registry import EntityRegistry

    config = _config(config_path)
    run = RunDir.from_xcom(parsed["run"])
    registry = EntityRegistry()
    counts = {"papers": 0, "mentions": 0}

    def mentions() -> Iterator[Any]:
        papers_in = read_records_jsonl(run.papers)
        for _paper_id, found in extract_papers(
            papers_in, config.extract_batch_size, config.extract_processes
        ):
            counts["papers"] += 1
            counts["mentions"] += len(found)
            registry.add(found)
            if counts["papers"] % PROGRESS_EVERY == 0:  # task logs show progress on long runs
                log.info("extracted %d papers, %d mentions so far", counts["papers"], counts["mentions"])
            yield from found

    write_jsonl(mentions(), run.mentions)
    write_jsonl(registry.entities(), run.entities)
    summary = {**counts, "entities": len(registry), "run": run.as_xcom()}
    log.info("extracted %s", summary)
    return summary


def write_snapshot(config_path: str | None, extracted: Mapping[str, Any], run_id: str) -> dict[str, Any]:
    """Write the snapshot of `extracted["run"]`'s date (replacing an earlier one of the same date)
    and return its row counts."""
    from extract.jsonl import read_jsonl, read_records_jsonl
    from graph import relations
    from graph.snapshot import SnapshotWriter

    config = _config(config_path)
    run = RunDir.from_xcom(extracted["run"])
    with SnapshotWriter(config.paths.snapshots, run.run_date, run_id) as writer:
        papers = (p.to_dict() for p in read_records_jsonl(run.papers))
        writer.write("authors", relations.authors(_also_written(writer, "papers", papers)))
        writer.write("entities", read_jsonl(run.entities))
        mentions = _also_written(writer, "mentions", read_jsonl(run.mentions))
        paper_entities = list(relations.paper_entities(mentions))
        writer.write("paper_entities", paper_entities)
        writer.write("references", relations.references(paper_entities))
        writer.write("co_mentions", relations.co_mentions(paper_entities))
        writer.write("raw_responses", _raw_response_rows(config, run))
        manifest = writer.commit()
    summary = {
        "snapshot_date": run.run_date,
        "path": f"{config.paths.snapshots}/dt={run.run_date}",
        "rows": {name: entry.rows for name, entry in manifest.tables.items()},
    }
    log.info("snapshot %s", summary)
    return summary


def _also_written(writer: Any, table: str, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Pass `rows` through while the writer buffers them into `table` (one read serves two tables)."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, WRITE_CHUNK)):
        writer.write(table, chunk)
        yield from chunk


def _raw_response_rows(config: PipelineConfig, run: RunDir) -> Iterator[dict[str, Any]]:
    from extract.archive import read_sidecar

    for body in json.loads(run.responses.read_text()):
        meta = read_sidecar(Path(body))
        if meta is not None:
            row = meta.raw_responses_row()
            row["path"] = str(
                Path(body).relative_to(config.paths.archive)
            )  # portable: relative to the archive
            yield row


def _snapshot(config: PipelineConfig, snapshot_date: str | None):  # type: ignore[no-untyped-def]
    from graph.snapshot import open_snapshot

    return open_snapshot(config.paths.snapshots, snapshot_date or "latest")


def verify(config_path: str | None, snapshot_dates: list[str] | None) -> dict[str, Any]:
    """Check every file of the snapshots against their manifests (raises SnapshotIntegrityError).

    The one verification of a load run: the load steps take this summary and do not hash again.
    `snapshot_dates`: the dates one load run is for (several when Asset events queued up, e.g. during
    a backfill); none means the latest snapshot. The summary names the newest as `snapshot_date` and
    the others, oldest first, as `earlier`; `run_ids` holds each verified snapshot's run id.
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
        "run_ids": {s.date: s.manifest.run_id for s in snapshots},
        "rows": newest.manifest.rows,
    }
    log.info("verified %s", summary)
    return summary


def _verified(config: PipelineConfig, verified: Mapping[str, Any], snapshot_date: str):  # type: ignore[no-untyped-def]
    """The snapshot `verify` checked; PipelineError when it was replaced since (a new run id)."""
    snapshot = _snapshot(config, snapshot_date)
    expected = verified["run_ids"][snapshot_date]
    if snapshot.manifest.run_id != expected:
        raise PipelineError(
            f"snapshot {snapshot_date} changed since it was verified (run {snapshot.manifest.run_id},"
            f" verified {expected}): load it in a new run"
        )
    return snapshot


def load(driver: Any, config_path: str | None, verified: Mapping[str, Any]) -> dict[str, Any]:
    """Load papers, authors, entities and mentions of the verified snapshot (all but the derived relations).

    Earlier snapshots of the same run are loaded first, completely (relations included) and checked,
    so that each date's data reaches the graph in date order.
    """
    from graph.db.checks import check_load
    from graph.db.loader import ALL_STEPS, CORE_STEPS, load_snapshot

    config = _config(config_path)
    for date in verified["earlier"]:
        snapshot = _verified(config, verified, date)
        load_snapshot(driver, snapshot, batch_size=config.load_batch_size, steps=ALL_STEPS, verify=False)
        check_load(driver, snapshot, relations=True).raise_for_problems()
        log.info("loaded earlier snapshot %s", date)
    snapshot = _verified(config, verified, verified["snapshot_date"])
    report = load_snapshot(
        driver, snapshot, batch_size=config.load_batch_size, steps=CORE_STEPS, verify=False
    )
    return {**report.summary(), "snapshot": dict(verified)}


def check(driver: Any, config_path: str | None, loaded: Mapping[str, Any]) -> dict[str, Any]:
    """Data-quality checks after the core load: counts match the snapshot, no orphan mentions."""
    from graph.db.checks import check_load

    verified = loaded["snapshot"]
    snapshot = _verified(_config(config_path), verified, verified["snapshot_date"])
    report = check_load(driver, snapshot, relations=False)
    log.info("graph check %s", report.summary())
    report.raise_for_problems()
    return {**report.summary(), "snapshot": dict(verified)}


def load_relations(driver: Any, config_path: str | None, checked: Mapping[str, Any]) -> dict[str, Any]:
    """Load the derived relations (REFERENCES) of the checked snapshot and check their count."""
    from graph.db.checks import check_load
    from graph.db.loader import RELATION_STEPS, load_snapshot

    config = _config(config_path)
    verified = checked["snapshot"]
    snapshot = _verified(config, verified, verified["snapshot_date"])
    report = load_snapshot(
        driver, snapshot, batch_size=config.load_batch_size, steps=RELATION_STEPS, verify=False
    )
    check_load(driver, snapshot, relations=True).raise_for_problems()
    return {**report.summary(), "snapshot": dict(verified)}
