"""Load a verified snapshot into Neo4j: batched, idempotent, incremental.

Each step reads one snapshot table in batches and sends every batch as one parameter list to an
`UNWIND ... MERGE` statement (`queries/loader/*.cypher`) inside a managed write transaction, which the
driver retries on transient errors. Every node and relationship written is stamped with the load id
(`<snapshot date>/<run id>`), so loading the same snapshot again rewrites the same values, and the
prune steps can drop, for the papers of the snapshot, the relationships this load did not write.

Works with any `neo4j.Driver`: the Airflow task passes `Neo4jHook(...).get_conn()`, the CLI a plain
driver. This module never imports Airflow.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import pyarrow as pa
from neo4j import Driver, ManagedTransaction

from extract.clean import title_paper_id
from graph.db import model
from graph.db.queries import loader_statement, named_constraint_statements
from graph.db.writes import NodeWrite, RelWrite, Write
from graph.snapshot.manifest import Manifest

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 2000


class SnapshotSource(Protocol):
    """What the loader needs from a snapshot (graph.snapshot.Snapshot provides it)."""

    @property
    def manifest(self) -> Manifest: ...

    def verify(self) -> None: ...  # raises when the files do not match the manifest

    def iter_batches(self, name: str, batch_size: int) -> Iterable[pa.RecordBatch | pa.Table]: ...


class LoadError(RuntimeError):
    """The load cannot go on (bad snapshot identity or data the graph cannot hold)."""


@dataclass(frozen=True)
class BatchEvent:
    """Passed to `on_batch` after each committed batch (tests inject failures here)."""

    step: str
    batch: int  # 1-based within the step
    rows: int


@dataclass
class StepReport:
    name: str
    table: str | None
    rows: int = 0  # rows read from the snapshot
    written: int = 0  # rows that were written (for relationships: both ends found)
    deleted: int = 0  # relationships (and orphan nodes) removed by prune steps
    batches: int = 0  # transactions sent (a batch that gives no rows sends none)
    seconds: float = 0.0

    @property
    def unmatched(self) -> int:
        """Rows whose paper or entity was not in the graph (nothing written for them)."""
        return self.rows - self.written if self.table else 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class LoadReport:
    load_id: str
    snapshot_date: str
    batch_size: int
    steps: list[StepReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.steps)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def step(self, name: str) -> StepReport:
        return next(s for s in self.steps if s.name == name)

    def summary(self) -> dict[str, Any]:
        """JSON-able (an Airflow XCom)."""
        return {
            "load_id": self.load_id,
            "snapshot_date": self.snapshot_date,
            "batch_size": self.batch_size,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "steps": [
                {**asdict(s), "unmatched": s.unmatched, "rows_per_second": round(s.rows_per_second, 1)}
                for s in self.steps
            ],
        }


# ---- snapshot identity ---------------------------------------------------------------------------


def snapshot_load_id(snapshot: SnapshotSource) -> str:
    manifest = snapshot.manifest
    if not manifest.snapshot_date or not manifest.run_id:
        raise LoadError(f"snapshot manifest lacks a snapshot date or run id: {manifest!r}")
    return model.load_id(manifest.snapshot_date, manifest.run_id)


# ---- rows sent as parameters ---------------------------------------------------------------------


def _rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    return batch.to_pylist()


# A list property that is empty is absent in the graph, as a null scalar is (Neo4j's importer cannot
# write an empty array, so both load paths leave it out); the rows send it as null, so a load whose
# list became empty removes the property (`SET p += row.properties`, `SET e.aliases = row.aliases`).
PAPER_LIST_PROPERTIES: tuple[str, ...] = tuple(
    f.name
    for f in model.TABLES["papers"].schema
    if f.name in model.PAPER_PROPERTIES and (pa.types.is_list(f.type) or pa.types.is_large_list(f.type))
)


def paper_rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    rows = []
    for row in _rows(batch):
        properties = {k: row.get(k) for k in model.PAPER_PROPERTIES}
        for name in PAPER_LIST_PROPERTIES:
            properties[name] = properties[name] or None  # empty: absent (see above)
        rows.append({"paper_id": row["paper_id"], "properties": properties})
    return rows


def repository_rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    return [
        {"paper_id": row["paper_id"], "url": model.repository_url(row["github_repo"])}
        for row in _rows(batch)
        if row.get("github_repo")
    ]


def entity_rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    return [
        {
            "key": row["entity_key"],
            "label": model.entity_label(row["type"]).value,
            "type": row["type"],
            "name": row["name"],
            "aliases": row.get("aliases") or None,  # empty: absent (PAPER_LIST_PROPERTIES)
        }
        for row in _rows(batch)
    ]


def author_rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    return [
        {
            "paper_id": row["paper_id"],
            "position": row["position"],
            "key": model.author_key(row["name"]),
            "name": " ".join(row["name"].split()),
        }
        for row in _rows(batch)
        if row["name"].strip()
    ]


def paper_id_rows(batch: pa.RecordBatch | pa.Table) -> list[str]:
    return batch.column("paper_id").to_pylist()


def alias_rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    """Keys another Paper node may hold for the same paper: its S2 stub key, its former title key."""
    rows = []
    for row in _rows(batch):
        aliases = [f"s2:{row['s2_paper_id']}"] if row.get("s2_paper_id") else []
        title_key = title_paper_id(row["title"])
        if title_key != row["paper_id"]:
            aliases.append(title_key)
        rows.append({"paper_id": row["paper_id"], "aliases": aliases})
    return rows


def s2_enriched_paper_ids(batch: pa.RecordBatch | pa.Table) -> list[str]:
    """Papers whose reference list this snapshot knows (Semantic Scholar found them); only their
    citations are pruned: a paper the enrichment could not reach keeps the citations it had."""
    return [row["paper_id"] for row in _rows(batch) if row.get("s2_paper_id")]


def hub_repo_rows(batch: pa.RecordBatch | pa.Table) -> list[dict[str, Any]]:
    return [
        {
            "key": row["hub_key"],
            "label": model.hub_label(row["kind"]).value,
            "kind": row["kind"],
            "repo_id": row["repo_id"],
            "likes": row.get("likes"),
            "downloads": row.get("downloads"),
            "pipeline_tag": row.get("pipeline_tag"),
            "last_modified": row.get("last_modified"),
        }
        for row in _rows(batch)
    ]


def _has_rows(table: str) -> Callable[[SnapshotSource], bool]:
    def check(snapshot: SnapshotSource) -> bool:
        entry = snapshot.manifest.tables.get(table)
        return bool(entry and entry.rows)

    return check


@dataclass(frozen=True)
class Step:
    name: str
    table: str  # snapshot table read in batches
    statement: str  # queries/loader/<statement>.cypher
    to_rows: Callable[[pa.RecordBatch | pa.Table], list[Any]] = _rows
    prune: bool = False  # the statement deletes (takes $paper_ids, returns deleted counts)
    params: Mapping[str, Any] = field(default_factory=dict)  # further statement parameters
    # What the statement writes, as data (graph/db/writes.py): the bulk importer writes these instead;
    # a step without them runs through its statement after a bulk import.
    writes: tuple[Write, ...] = ()
    when: Callable[[SnapshotSource], bool] | None = None  # run the step only for such snapshots


CORE_STEPS: tuple[Step, ...] = (
    Step(
        "papers",
        "papers",
        "papers",
        paper_rows,
        writes=(
            NodeWrite(model.Label.PAPER, constants={"ingested": True}),
            RelWrite(model.Rel.LOADED_FROM, "paper_id", model.LOAD_STAMP),
        ),
    ),
    Step("absorb_aliases", "papers", "absorb_aliases", alias_rows, prune=True),
    Step(
        "repositories",
        "papers",
        "repositories",
        repository_rows,
        writes=(NodeWrite(model.Label.REPOSITORY), RelWrite(model.Rel.HAS_CODE, "paper_id", "url")),
    ),
    Step(
        "entities",
        "entities",
        "entities",
        entity_rows,
        writes=(NodeWrite(model.Label.ENTITY, extra_label_field="label"),),
    ),
    Step(
        "authors",
        "authors",
        "authors",
        author_rows,
        writes=(NodeWrite(model.Label.AUTHOR), RelWrite(model.Rel.AUTHORED_BY, "paper_id", "key")),
    ),
    Step(
        "mentions",
        "paper_entities",
        "mentions",
        writes=(
            RelWrite(model.Rel.MENTIONS, "paper_id", "entity_key", fields={"count": "mention_count"}),
            RelWrite(model.Rel.PROPOSES, "paper_id", "entity_key", where="proposed"),
        ),
    ),
    Step(
        "prune_paper_rels",
        "papers",
        "prune_paper_rels",
        paper_id_rows,
        prune=True,
        params={"rel_types": [rel.value for rel in model.PAPER_OWNED_RELS]},
    ),
)
RELATION_STEPS: tuple[Step, ...] = (
    Step(
        "references",
        "references",
        "references",
        writes=(RelWrite(model.Rel.REFERENCES, "citing_paper_id", "cited_paper_id"),),
    ),
    Step("prune_references", "papers", "prune_references", paper_id_rows, prune=True),
    Step("citations", "citations", "citations"),
    Step("prune_citations", "papers", "prune_citations", s2_enriched_paper_ids, prune=True),
    Step(
        "hub_repos",
        "hub_repos",
        "hub_repos",
        hub_repo_rows,
        writes=(NodeWrite(model.Label.HUB_REPO, extra_label_field="label"),),
    ),
    # the links' papers are the snapshot's own (the Hub is asked about ingested papers only), so the
    # importer, which matches them among the snapshot's papers, writes what the statement does
    Step(
        "paper_hub_links",
        "paper_hub_links",
        "paper_hub_links",
        writes=(RelWrite(model.Rel.CITES, "hub_key", "paper_id", start=model.Label.HUB_REPO),),
    ),
    # a snapshot without any Hub link was written without the Hub (unreachable): keep the links there are
    Step(
        "prune_hub_links",
        "papers",
        "prune_hub_links",
        paper_id_rows,
        prune=True,
        when=_has_rows("paper_hub_links"),
    ),
)
ALL_STEPS: tuple[Step, ...] = CORE_STEPS + RELATION_STEPS


# ---- transactions --------------------------------------------------------------------------------


def _write_rows(
    tx: ManagedTransaction, statement: str, rows: list[Any], load_id: str, params: Mapping[str, Any]
) -> int:
    record = tx.run(statement, {**params, "rows": rows, "load_id": load_id}).single(strict=True)
    return int(record["written"])


def _prune(
    tx: ManagedTransaction, statement: str, rows: list[Any], load_id: str, params: Mapping[str, Any]
) -> int:
    # prune statements take the paper ids ($paper_ids); absorb_aliases takes alias rows ($rows)
    record = tx.run(statement, {**params, "paper_ids": rows, "rows": rows, "load_id": load_id}).single(
        strict=True
    )
    return sum(int(v) for v in record.values())


def _run_statement(tx: ManagedTransaction, statement: str, params: dict[str, Any]) -> None:
    tx.run(statement, params).consume()


def existing_schema_names(driver: Driver, database: str | None = None) -> set[str]:
    """Names of the graph's indexes and of the constraints owning them."""
    records, _, _ = driver.execute_query(loader_statement("schema_names"), database_=database)
    return {r["name"] for r in records} | {r["owningConstraint"] for r in records if r["owningConstraint"]}


def ensure_schema(driver: Driver, database: str | None = None, *, existing: set[str] | None = None) -> int:
    """Create the constraints and indexes that do not exist yet (each statement is IF NOT EXISTS too:
    a concurrent load may create one meanwhile); returns how many statements ran (0 when all exist).
    `existing`: the schema names already known (a freshly imported database has none), not asked for."""
    if existing is None:
        existing = existing_schema_names(driver, database)
    missing = [s for name, s in named_constraint_statements().items() if name not in existing]
    if missing:
        # one schema transaction: its indexes are populated together, in one scan of each label
        # (measured on the bulk-imported corpus: about half the time of one transaction each). The
        # commit returns once the constraints are online; the other indexes populate in the background.
        with driver.session(database=database) as session, session.begin_transaction() as tx:
            for statement in missing:
                tx.run(statement).consume()
            tx.commit()
    return len(missing)


def wipe_graph(driver: Driver, database: str | None = None, rows: int = 10_000) -> None:
    """Delete all nodes and relationships (constraints and indexes stay), in bounded transactions.

    A single `DETACH DELETE` batch of nodes can carry a node with hundreds of thousands of edges
    (the Transformer entity of the full corpus) and exceed the transaction memory pool.
    """
    with driver.session(database=database) as session:  # CALL IN TRANSACTIONS needs auto-commit
        for statement in ("wipe_relationships", "wipe_nodes"):
            session.run(loader_statement(statement), rows=rows).consume()


def snapshot_properties(manifest: Manifest) -> dict[str, Any]:
    """The Snapshot node's properties besides its key (the bulk importer writes the same)."""
    properties: dict[str, Any] = {
        "snapshot_date": manifest.snapshot_date,
        "run_id": manifest.run_id,
        "schema_version": manifest.schema_version,
    }
    properties.update({f"rows_{name}": entry.rows for name, entry in sorted(manifest.tables.items())})
    return properties


def batches(snapshot: SnapshotSource, table: str, batch_size: int) -> Iterator[pa.RecordBatch | pa.Table]:
    """The table's non-empty batches; a table the snapshot does not have counts as empty."""
    if table not in snapshot.manifest.tables:
        log.warning("snapshot %s has no %s table", snapshot.manifest.snapshot_date, table)
        return
    for batch in snapshot.iter_batches(table, batch_size):
        if batch.num_rows:
            yield batch


def _run_step(
    driver: Driver,
    snapshot: SnapshotSource,
    step: Step,
    load_id: str,
    batch_size: int,
    on_batch: Callable[[BatchEvent], None] | None,
    database: str | None,
) -> StepReport:
    report = StepReport(step.name, None if step.prune else step.table)
    statement = loader_statement(step.statement)
    started = time.perf_counter()
    if step.when is not None and not step.when(snapshot):
        log.info("%s: skipped for this snapshot", step.name)
        return report
    with driver.session(database=database) as session:
        for batch in batches(snapshot, step.table, batch_size):
            rows = step.to_rows(batch)
            if not rows:  # e.g. a batch of papers without a repository: no transaction at all
                continue
            if step.prune:
                report.deleted += session.execute_write(_prune, statement, rows, load_id, step.params)
            else:
                report.written += session.execute_write(_write_rows, statement, rows, load_id, step.params)
                report.rows += len(rows)
            report.batches += 1
            if on_batch is not None:
                on_batch(BatchEvent(step.name, report.batches, len(rows)))
    report.seconds = time.perf_counter() - started
    if report.unmatched:
        log.warning("%s: %d of %d rows matched no paper or entity", step.name, report.unmatched, report.rows)
    log.info(
        "%s: %d rows, %d written, %d deleted in %.2fs",
        step.name,
        report.rows,
        report.written,
        report.deleted,
        report.seconds,
    )
    return report


def load_snapshot(
    driver: Driver,
    snapshot: SnapshotSource,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    steps: Iterable[Step] = ALL_STEPS,
    on_batch: Callable[[BatchEvent], None] | None = None,
    database: str | None = None,
    verify: bool = True,
) -> LoadReport:
    """Verify the snapshot, create constraints and indexes, then run `steps` in order.

    `steps` defaults to everything; the DAG runs CORE_STEPS, checks the graph, then RELATION_STEPS.
    Raises whatever `snapshot.verify()` raises before anything is written. `verify=False` is for a
    caller that has verified this snapshot already (the DAG's verify task: one hashing per load run).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if verify:
        snapshot.verify()
    load_id = snapshot_load_id(snapshot)
    report = LoadReport(load_id, snapshot.manifest.snapshot_date, batch_size)
    started = time.perf_counter()

    schema_started = time.perf_counter()
    statements = ensure_schema(driver, database)
    report.steps.append(
        StepReport("constraints", None, batches=statements, seconds=time.perf_counter() - schema_started)
    )

    snapshot_started = time.perf_counter()
    with driver.session(database=database) as session:
        session.execute_write(
            _run_statement,
            loader_statement("snapshot"),
            {"load_id": load_id, "properties": snapshot_properties(snapshot.manifest)},
        )
    report.steps.append(
        StepReport("snapshot", None, batches=1, seconds=time.perf_counter() - snapshot_started)
    )

    for step in steps:
        report.steps.append(_run_step(driver, snapshot, step, load_id, batch_size, on_batch, database))
    report.seconds = time.perf_counter() - started
    log.info(
        "loaded %s: %d rows in %.2fs (%.0f rows/s)",
        load_id,
        report.rows,
        report.seconds,
        report.rows_per_second,
    )
    return report


# ---- counts and checks ---------------------------------------------------------------------------
