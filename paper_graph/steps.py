"""The pipeline's steps, one function per Airflow task, usable without Airflow.

Every step takes the config path (None: $PAPER_GRAPH_CONFIG or config/pipeline.toml) and what the
step before it made, and returns a small JSON-able summary (an XCom) that names what it made:
`parse` creates the run's work folder (`paper_graph.run.RunDir`), whose `run` entry the steps after
it receive; `plan_shards` cuts the papers into shards, `extract_shard` extracts one, and
`write_snapshot` merges them; `verify` names the verified snapshots, which the load steps receive. Each
step reads its inputs once. Steps are idempotent per date: each one replaces that date's output.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from extract.archive import ArchivedResponse, iter_archived, read_sidecar
from paper_graph import shards
from paper_graph.config import PipelineConfig, load_config, parse_source_spec
from paper_graph.run import RunDir
from paper_graph.shards import Shard

log = logging.getLogger(__name__)

WRITE_CHUNK = 10_000  # rows handed to the snapshot writer at a time
QUARANTINE_EXAMPLES = 5  # quarantine lines in the parse summary; RunDir.quarantine holds them all


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
    from extract.jsonl import write_records_jsonl
    from extract.parse import DEFAULT_MAX_BYTES, parse_archived

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
    result = parse_archived(
        [r.path for r in responses],
        archive_root=config.paths.archive,
        max_bytes=int(config.fetch.get("max_bytes", DEFAULT_MAX_BYTES)),
    )
    run = RunDir.of(config, run_date).create()
    count = write_records_jsonl(result.records, run.papers)
    run.responses.write_text(json.dumps([str(r.path) for r in responses], indent=1))
    run.quarantine.write_text(json.dumps(result.quarantine_report(), indent=1, ensure_ascii=False))
    summary = {
        "papers": count,
        "responses": len(responses),
        "sources": fetched,
        "failed_sources": failed,
        **{k: v for k, v in result.summary().items() if k != "papers"},
        "quarantine_examples": result.quarantine_lines(QUARANTINE_EXAMPLES),
        "quarantine_dir": str(config.paths.archive / "quarantine"),
        "run": run.as_xcom(),
    }
    log.info("parsed %s", summary)
    for line in summary["quarantine_examples"]:
        log.warning("quarantined %s", line)
    return summary


# ---- enrichment (extract.enrich): one task per service, then one merge -----------------------------

# The services, in the order they build on each other: title resolution first (S2 and the Hub are
# asked about arXiv ids), then S2 and the Hub side by side (the DAG maps one task over them).
ENRICH_SERVICES: tuple[str, ...] = ("arxiv_title", "s2", "hf_hub")
ENRICH_MAPPED: tuple[str, ...] = ("s2", "hf_hub")
_SETTINGS_KEY = {"arxiv_title": "arxiv", "s2": "s2", "hf_hub": "hf_hub"}
# a service that answered (partial: some requests failed) or had nothing to look up (idle)
_REACHED = ("ok", "partial", "idle")


class ServiceUnavailableError(PipelineError):
    """An enrichment service could not be reached; raised only while the task has retries left."""


def _enrich_settings(config: PipelineConfig, services: Iterable[str]):  # type: ignore[no-untyped-def]
    """The configured [enrich] settings with only `services` enabled (those not configured stay off)."""
    from dataclasses import replace

    from extract.enrich import EnrichSettings

    settings = EnrichSettings.from_dict(config.enrich)
    wanted = set(services)
    return replace(
        settings,
        **{
            key: replace(getattr(settings, key), enabled=getattr(settings, key).enabled and name in wanted)
            for name, key in _SETTINGS_KEY.items()
        },
    )


def _service_enabled(config: PipelineConfig, service: str) -> bool:
    from extract.enrich import EnrichSettings

    settings = EnrichSettings.from_dict(config.enrich)
    return settings.enabled and getattr(settings, _SETTINGS_KEY[service]).enabled


def enrich_service(
    config_path: str | None,
    parsed: Mapping[str, Any],
    service: str,
    after: Iterable[Mapping[str, Any] | None] = (),
    final_try: bool = True,
) -> dict[str, Any]:
    """Ask one enrichment service about the run's papers; its answers go to the raw archive, where
    `merge_enrichment` reads them back (and a rerun of the date finds them).

    `after`: the summaries of the services this one builds on (title resolution for S2 and the Hub);
    those that were reached are replayed from the archive first. Fails soft: an unreachable service
    raises ServiceUnavailableError while the task has retries left (`final_try` false), then returns a
    summary with status "unavailable" and the reason, and the run goes on.
    """
    from extract.enrich import enrich_papers
    from extract.jsonl import read_records_jsonl

    if service not in ENRICH_SERVICES:
        raise PipelineError(f"unknown enrichment service {service!r}; known: {', '.join(ENRICH_SERVICES)}")
    config = _config(config_path)
    run = RunDir.from_xcom(parsed["run"])
    if not _service_enabled(config, service):
        return {
            "service": service,
            "status": "disabled",
            "reason": "disabled in [enrich]",
            "run": run.as_xcom(),
        }
    before = [s["service"] for s in after if s and s.get("status") in _REACHED]
    result = enrich_papers(
        read_records_jsonl(run.papers),
        run.run_date,
        config.paths.archive,
        _enrich_settings(config, [*before, service]),
        config.fetch,
    )
    report = result.services[service]
    summary = {**report.as_dict(), "run": run.as_xcom()}
    if report.status == "unavailable":
        if not final_try:
            raise ServiceUnavailableError(f"{service} unavailable for {run.run_date}: {report.reason}")
        log.warning(
            "enrichment %s skipped for %s (no retries left): %s", service, run.run_date, report.reason
        )
    elif report.status == "partial":
        log.warning("enrichment %s partial for %s: %s", service, run.run_date, report.summary_line())
    else:
        log.info("enrichment %s: %s", service, report.summary_line())
    return summary


def merge_enrichment(
    config_path: str | None, parsed: Mapping[str, Any], services: Iterable[Mapping[str, Any] | None]
) -> dict[str, Any]:
    """Assemble the run's enrichment from the services' answers in the archive and write its work files
    (papers re-keyed, citations, Hub repos and links). Services whose task did not reach them are
    left out, and the summary's `skipped` says which and why; their rows are missing from this
    snapshot and a later run of the same date asks again."""
    from extract.enrich import enrich_papers
    from extract.enrich.files import write_enrichment
    from extract.jsonl import read_records_jsonl

    if not parsed:
        raise PipelineError("parse did not finish: nothing to enrich")
    config = _config(config_path)
    run = RunDir.from_xcom(parsed["run"])
    by_service = {s["service"]: s for s in services if s}
    reached = [name for name in ENRICH_SERVICES if by_service.get(name, {}).get("status") in _REACHED]
    skipped = {
        name: (by_service[name].get("reason") or by_service[name].get("status"))
        if name in by_service
        else "its task failed"
        for name in ENRICH_SERVICES
        if name not in reached
    }
    result = enrich_papers(
        read_records_jsonl(run.papers),
        run.run_date,
        config.paths.archive,
        _enrich_settings(config, reached),
        config.fetch,
    )
    write_enrichment(result, run.path)
    report = {
        **result.summary(),
        "skipped": {name: reason for name, reason in skipped.items() if reason != "disabled in [enrich]"},
    }
    temp = run.enrich_report.with_name(f".{run.enrich_report.name}.tmp")
    temp.write_text(json.dumps(report, indent=2, sort_keys=True), encoding="utf-8")
    temp.replace(run.enrich_report)  # the services' own report, with what their tasks could not reach
    summary = {
        **{k: v for k, v in report.items() if k != "services"},
        "idle": [name for name, r in result.services.items() if r.status == "idle"],
        "run": run.as_xcom(),
    }
    for name, reason in summary["skipped"].items():
        log.warning("enrichment of %s: %s skipped: %s", run.run_date, name, reason)
    log.info("enriched %s", {k: v for k, v in summary.items() if k != "run"})
    return summary


# ---- extraction: the papers in shards, one mapped task each, merged by the snapshot -------------------


def plan_shards(
    config_path: str | None, enriched: Mapping[str, Any], shard_size: int | None = None
) -> list[dict[str, Any]]:
    """Cut the run's papers into shards of `shard_size` papers (None: `[extract] shard_size`), each its
    own work file; one summary per shard, for `extract_shard` (the DAG maps a task over them)."""
    config = _config(config_path)
    run = RunDir.from_xcom(enriched["run"])
    planned = shards.plan(run, shard_size or config.extract_shard_size)
    log.info(
        "%d papers of %s in %d shards of up to %d",
        sum(s.papers for s in planned),
        run.run_date,
        len(planned),
        shard_size or config.extract_shard_size,
    )
    return [shard.as_xcom() for shard in planned]


def extract_shard(
    config_path: str | None, shard: Mapping[str, Any], pool: Any | None = None
) -> dict[str, Any]:
    """Entities of one shard's papers into the shard's own mentions file (a rerun replaces only it).

    Returns the shard's summary: the shard (run, index, count, first, papers), its mention and
    distinct entity counts, and its mentions file. `pool`: `shards.worker_pool(n_process)` when the
    caller started it already."""
    config = _config(config_path)
    summary = shards.extract(
        Shard.from_xcom(shard), config.extract_batch_size, config.extract_processes, pool
    )
    log.info("extracted shard %s", {k: v for k, v in summary.items() if k != "run"})
    return summary


def shards_extracted(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The extract stage's summary from its shards' summaries (checked to be one complete plan)."""
    results = list(results)
    complete = shards.complete(results)
    by_index = sorted(results, key=lambda r: r["index"])
    return {
        "papers": sum(r["papers"] for r in by_index),
        "mentions": sum(r["mentions"] for r in by_index),
        "shards": by_index,
        "run": complete[0].run.as_xcom(),
    }


def extract(config_path: str | None, parsed: Mapping[str, Any]) -> dict[str, Any]:
    """Entities of every paper of `parsed["run"]` in this process: the whole run as one shard
    (`n_process` workers when configured); what the sharded DAG tasks give, without Airflow. The
    workers' forkserver starts first: it builds the pipeline while this process writes the shard."""
    processes = _config(config_path).extract_processes
    shards.start_workers(processes)
    (shard,) = plan_shards(config_path, parsed, shard_size=max(1, _paper_count(parsed)))
    with shards.worker_pool(processes) as pool:
        return shards_extracted([extract_shard(config_path, shard, pool)])


def _paper_count(parsed: Mapping[str, Any]) -> int:
    from extract.jsonl import count_lines

    return count_lines(RunDir.from_xcom(parsed["run"]).papers)


def write_snapshot(config_path: str | None, extracted: Mapping[str, Any], run_id: str) -> dict[str, Any]:
    """Write the snapshot of the extracted run's date (replacing an earlier one of the same date) and
    return its row counts.

    `extracted`: `shards_extracted` of every shard. The shards' mentions are read back in shard order
    and the entity table is aggregated over all of them, exactly as over one shard: the files are
    byte-for-byte those of an unsharded run.
    """
    from graph import relations
    from graph.snapshot import SnapshotWriter

    config = _config(config_path)
    merged = shards.complete(extracted["shards"])
    run = merged[0].run

    with SnapshotWriter(config.paths.snapshots, run.run_date, run_id) as writer:
        papers = _papers_table(run.papers)
        writer.write("papers", papers)
        writer.write("authors", relations.authors_table(papers))
        del papers
        mentions = _mentions_table(merged)
        writer.write("mentions", mentions)
        writer.write("entities", _entities(mentions))  # every mention seen: the whole run's entities
        paper_entities = relations.paper_entities_table(mentions)
        del mentions
        writer.write("paper_entities", paper_entities)
        writer.write("references", relations.references_table(paper_entities))
        writer.write("co_mentions", relations.co_mentions_table(paper_entities))
        del paper_entities
        writer.write("raw_responses", _raw_response_rows(config, run))
        for table, path in (
            ("citations", run.citations),
            ("hub_repos", run.hub_repos),
            ("paper_hub_links", run.paper_hub_links),
        ):
            if path.exists():  # absent when the run was not enriched: the table stays empty
                writer.write(table, _enrichment_rows(table, path))
        manifest = writer.commit()
    summary = {
        "snapshot_date": run.run_date,
        "path": f"{config.paths.snapshots}/dt={run.run_date}",
        "rows": {name: entry.rows for name, entry in manifest.tables.items()},
        "shards": len(merged),
        "enrichment_unavailable": _enrichment_unavailable(run),
    }
    log.info("snapshot %s", summary)
    return summary


def _papers_table(path: Path) -> Any:
    """The run's papers as a `papers` table (the PaperRecord reader fills defaults, names a bad line)."""
    from extract.jsonl import read_records_jsonl

    return _jsonl_table("papers", [path], lambda: read_records_jsonl(path), unknown_fields="ignore")


def _mentions_table(merged: list[Shard]) -> Any:
    """The shards' mentions, in shard order, as a `mentions` table (`Mention` rows fill defaults and
    refuse unknown fields)."""
    from extract.records import Mention

    files = [s.mentions_file for s in merged]
    return _jsonl_table("mentions", files, lambda: (Mention(**row) for row in shards.mentions(merged)))


def _jsonl_table(
    table: str, paths: list[Path], rows: Callable[[], Iterable[Any]], unknown_fields: str = "error"
) -> Any:
    """JSON-lines files as one snapshot table: pyarrow's JSON reader, else (a line it cannot take as
    is) the row readers `rows` gives, converted in chunks."""
    import pyarrow as pa

    from extract.jsonl import read_jsonl_table
    from graph.schema import TABLES
    from graph.snapshot import rows_to_arrow

    found = read_jsonl_table(paths, TABLES[table].schema, unknown_fields=unknown_fields)
    if found is not None:
        return found
    chunks = [rows_to_arrow(table, chunk) for chunk in _chunks(rows())]
    return pa.concat_tables(chunks) if chunks else TABLES[table].schema.empty_table()


def _chunks(rows: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, WRITE_CHUNK)):
        yield chunk


def _entities(mentions: Any) -> Any:
    """The entity table of the mentions (EntityRegistry), fed each distinct (key, surface) once with its
    count (counted by Arrow) instead of mention by mention: the same counts, the same entities."""
    import pyarrow as pa

    from extract.nlp.registry import EntityRegistry
    from graph.schema import TABLES

    # the type a key was first seen with, as the registry keeps it (ordered "first": one thread)
    types = mentions.group_by("entity_key", use_threads=False).aggregate([("type", "first")])
    first_type = dict(zip(types["entity_key"].to_pylist(), types["type_first"].to_pylist(), strict=True))
    surfaces = mentions.group_by(["entity_key", "text"]).aggregate([("paper_id", "count")])
    registry = EntityRegistry()
    registry.add_surface_counts(
        first_type,
        surfaces["entity_key"].to_pylist(),
        surfaces["text"].to_pylist(),
        surfaces["paper_id_count"].to_pylist(),
    )
    return pa.Table.from_pydict(registry.entity_columns(), schema=TABLES["entities"].schema)


def _enrichment_rows(table: str, path: Path) -> Iterator[Any]:
    from extract.jsonl import read_rows_jsonl
    from extract.records import Citation, HubRepo, PaperHubLink

    record = {"citations": Citation, "hub_repos": HubRepo, "paper_hub_links": PaperHubLink}[table]
    return read_rows_jsonl(path, record)


def _enrichment_unavailable(run: RunDir) -> list[str]:
    """What the enrich stage could not do for this run (its report), for the snapshot's summary."""
    if not run.enrich_report.exists():
        return ["enrichment: not run"]
    report = json.loads(run.enrich_report.read_text(encoding="utf-8"))
    return [*report.get("unavailable", []), *(f"{k}: {v}" for k, v in report.get("skipped", {}).items())]


def _raw_response_rows(config: PipelineConfig, run: RunDir) -> Iterator[dict[str, Any]]:
    """The run's fetched bodies, then the enrichment services' answers archived for its date."""
    fetched = (read_sidecar(Path(body)) for body in json.loads(run.responses.read_text()))
    archive = config.paths.archive
    enriched = (meta for name in ENRICH_SERVICES for meta in iter_archived(archive, name, run.run_date))
    for meta in itertools.chain(fetched, enriched):
        if meta is not None:
            yield _portable_row(config, meta)


def _portable_row(config: PipelineConfig, meta: ArchivedResponse) -> dict[str, Any]:
    row = meta.raw_responses_row()
    row["path"] = str(meta.path.relative_to(config.paths.archive))  # portable: relative to the archive
    return row


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
