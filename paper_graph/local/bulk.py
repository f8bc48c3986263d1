"""A bulk first load: the local Neo4j database built offline by `neo4j-admin database import full`.

    files = write_import_files(snapshot)      # CSV streamed from the Parquet tables (graph/db/bulk.py)
    stop the server; import; start it again   # paper_graph/local/neo4j.py
    constraints, then the steps the importer does not write, through the transactional loader

The graph is the one `load_snapshot` builds (same nodes, properties, stamps and Snapshot node), so
later incremental loads MERGE into it as usual. Only the project's own local server can be bulk
loaded (the importer writes its store files), and only when its database is empty unless forced.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import Neo4jError

from graph.db.bulk import ImportFiles, write_import_files
from graph.db.loader import ALL_STEPS, LoadReport, SnapshotSource, Step, ensure_schema, load_snapshot
from paper_graph import connection
from paper_graph.local import neo4j as neo4j_local

DATABASE = "neo4j"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class BulkLoadError(RuntimeError):
    """The bulk load was refused (remote server, non-empty database) or failed."""


@dataclass
class BulkReport:
    files: ImportFiles
    stop_seconds: float  # waiting for the server's clean stop once the files are written (it overlaps them)
    tool_seconds: float  # neo4j-admin database import full (its JVM included)
    start_seconds: float  # the server started again, until Bolt and HTTP answer
    schema_seconds: float  # constraints and indexes created (and populated) on the imported graph
    deferred: LoadReport  # the Snapshot stamp and the steps the importer does not write
    seconds: float  # the whole load, from the snapshot to a queryable graph
    probe_seconds: float = 0.0  # starting the server to see whether its database is empty
    probed: bool = True  # False for a new instance (no store yet): the server was not started to count

    @property
    def import_seconds(self) -> float:
        """The downtime after the files: the stop not yet over, the import, the server answering again
        (the server stops while the files are written, so the graph is unavailable from then on)."""
        return self.stop_seconds + self.tool_seconds + self.start_seconds

    @property
    def load_id(self) -> str:
        return self.files.load_id

    @property
    def records(self) -> int:
        """Nodes and relationships written by the importer."""
        return self.files.nodes + self.files.relationships

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows(self) -> int:
        """Snapshot rows loaded, counted as the transactional loader counts them (`LoadReport.rows`)."""
        return self.files.rows + self.deferred.rows

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def phases(self) -> dict[str, float]:
        """Seconds by phase, in order; they add up to `seconds` but for bookkeeping."""
        return {
            "probe": self.probe_seconds,
            "files": self.files.seconds,
            "stop": self.stop_seconds,
            "import tool": self.tool_seconds,
            "start": self.start_seconds,
            "constraints": self.schema_seconds,
            "deferred steps": self.deferred.seconds,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "nodes": self.files.nodes,
            "relationships": self.files.relationships,
            "generate_seconds": round(self.files.seconds, 3),
            "import_seconds": round(self.import_seconds, 3),
            "tool_seconds": round(self.tool_seconds, 3),
            "phases": {name: round(seconds, 3) for name, seconds in self.phases().items()},
            "deferred_steps": self.files.deferred,
            "deferred": self.deferred.summary(),
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.records_per_second, 1),
            "rows": self.rows,
            "rows_per_second": round(self.rows_per_second, 1),
        }


def local_instance(uri: str | None = None) -> neo4j_local.Instance:
    """The local instance `uri` (default: the connection's) points at; refuses any other server."""
    uri = uri or connection.uri()
    instance = neo4j_local.Instance.from_env()
    parts = urlsplit(uri)
    if parts.hostname not in LOCAL_HOSTS or (parts.port or 7687) != instance.bolt_port:
        raise BulkLoadError(
            f"--bulk rebuilds the database files of the project's local Neo4j server "
            f"({instance.uri}, instance {instance.name!r}); {uri} is not that server. "
            "Load a remote server without --bulk."
        )
    return instance


def _driver(instance: neo4j_local.Instance) -> Driver:
    return GraphDatabase.driver(instance.uri, auth=(neo4j_local.USER, neo4j_local.password()))


def database_exists(instance: neo4j_local.Instance, database: str = DATABASE) -> bool:
    """The instance has store files for `database` (a new instance has none until its first start)."""
    return (instance.home / "data" / "databases" / database).exists()


def node_count(driver: Driver) -> int:
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS nodes", database_=DATABASE)
    return int(records[0]["nodes"])


def bulk_load(
    instance: neo4j_local.Instance,
    snapshot: SnapshotSource,
    *,
    force: bool = False,
    steps: list[Step] | None = None,
    batch_size: int = 2000,
    verify: bool = True,
) -> BulkReport:
    """Replace the instance's database with `snapshot`, imported offline; the server runs afterwards."""
    steps = list(ALL_STEPS if steps is None else steps)
    if verify:
        snapshot.verify()
    started = time.perf_counter()
    probed = neo4j_local.running_pid(instance) is not None or database_exists(instance)
    if probed:
        neo4j_local.start(instance)
        with _driver(instance) as driver:
            nodes = node_count(driver)
        if nodes and not force:
            raise BulkLoadError(
                f"the database of {instance.uri} holds {nodes:,} nodes; a bulk load replaces it. "
                "Load without --bulk to add this snapshot, or pass --force to replace the graph."
            )
    # else a new instance: no store yet, so nothing to replace and no server to start just to count
    probe_seconds = time.perf_counter() - started
    folder = instance.home / "import" / "bulk"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        # the server stops (a JVM shutting down, seconds) while the files are written
        with ThreadPoolExecutor(max_workers=1) as pool:
            stopping = pool.submit(neo4j_local.stop, instance)
            try:
                files = write_import_files(snapshot, folder, steps=steps)
            except BaseException:
                stopping.result()
                if probed:  # it ran before: nothing was imported, so the old graph is served again
                    neo4j_local.start(instance)
                raise
            stop_started = time.perf_counter()
            stopping.result()
        tool_started = time.perf_counter()
        try:
            neo4j_local.import_full(instance, [*files.arguments(DATABASE), "--overwrite-destination=true"])
        except neo4j_local.Neo4jLocalError as exc:
            raise BulkLoadError(
                f"{exc}\nThe database of instance {instance.name!r} is likely unusable now: fix the cause"
                " and bulk-load again with --force."
            ) from exc
        finally:
            start_started = time.perf_counter()
            # the server runs again (with the old graph if the import failed); the constraints need
            # only Bolt, so its web server comes up meanwhile (wait_ready below)
            neo4j_local.start(instance, http=False)
        start_seconds = time.perf_counter() - start_started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    deferred_names = set(files.deferred)
    with _driver(instance) as driver:
        schema_started = time.perf_counter()
        try:
            ensure_schema(driver, DATABASE, existing=set())  # the importer wrote no constraints or indexes
        except Neo4jError as exc:  # a key on two nodes: the files give each key one id (write_import_files)
            raise BulkLoadError(
                f"the imported graph breaks a constraint, so it was not created: {exc.message}\n"
                f"The database of instance {instance.name!r} holds the import without its constraints:"
                " fix the cause and bulk-load again with --force."
            ) from exc
        schema_seconds = time.perf_counter() - schema_started
        deferred = load_snapshot(
            driver,
            snapshot,
            steps=[s for s in steps if s.name in deferred_names],
            batch_size=batch_size,
            database=DATABASE,
            verify=False,
        )
    neo4j_local.wait_ready(instance)  # and HTTP (Browser) answers too, as after `start`
    return BulkReport(
        files,
        stop_seconds=tool_started - stop_started,
        tool_seconds=start_started - tool_started,
        start_seconds=start_seconds,
        schema_seconds=schema_seconds,
        deferred=deferred,
        seconds=time.perf_counter() - started,
        probe_seconds=probe_seconds,
        probed=probed,
    )
