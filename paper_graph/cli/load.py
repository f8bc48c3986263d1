"""`paper-graph load SNAPSHOT_DATE|latest`: load a Parquet snapshot into Neo4j with the plain driver.

Connection: `paper_graph.connection` (NEO4J_URI or NEO4J_BOLT_PORT, NEO4J_USER, NEO4J_PASSWORD or the
local server's password file). Snapshot root and batch size: the config (`paper_graph.config`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from graph.snapshot import Snapshot, SnapshotError, open_snapshot
from paper_graph import connection
from paper_graph.cli.options import root_option

if TYPE_CHECKING:
    from neo4j import Driver


@contextmanager
def cli_driver() -> Iterator[Driver]:
    """A checked, fail-fast driver (see `paper_graph.connection`); no server, or losing it inside the
    block, is one ClickException line naming the URI and what to do."""
    try:
        conn = connection.resolve()
        driver = connection.open_driver(conn)
    except connection.ConnectionSettingsError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with driver:
            yield driver
    except connection.driver_errors() as exc:
        raise click.ClickException(str(connection.unavailable(conn, exc))) from None


AUTO_BULK_MIN_PAPERS = 20_000


def _auto_bulk(snapshot: Snapshot) -> bool:
    """Bulk only where it is safe and pays off: the local server, an empty database, a big snapshot."""
    from paper_graph.local.bulk import BulkLoadError, local_instance, node_count

    entry = snapshot.manifest.tables.get("papers")
    if entry is None or entry.rows < AUTO_BULK_MIN_PAPERS:
        return False
    try:
        local_instance()
    except BulkLoadError:
        return False
    with cli_driver() as driver:
        return node_count(driver) == 0


@click.command()
@click.argument("snapshot_date", default="latest")
@root_option
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Rows per transaction [config: load.batch_size].",
)
@click.option(
    "--bulk/--no-bulk",
    default=None,
    help="Build the database offline with neo4j-admin import (local server only; it is restarted)."
    f" Default: bulk when the local server's database is empty and the snapshot has at least"
    f" {AUTO_BULK_MIN_PAPERS:,} papers.",
)
@click.option("--force", is_flag=True, help="With --bulk: replace a database that is not empty.")
@click.option("--json", "as_json", is_flag=True, help="Print the load report as JSON.")
def load(
    snapshot_date: str, root: str, batch_size: int | None, bulk: bool | None, force: bool, as_json: bool
) -> None:
    """Load a snapshot (YYYY-MM-DD or 'latest') into Neo4j, then check the graph against it."""
    from graph.db.checks import check_load
    from graph.db.loader import load_snapshot
    from paper_graph.config import load_config
    from paper_graph.local.bulk import BulkLoadError, bulk_load, local_instance
    from paper_graph.local.neo4j import Neo4jLocalError

    if batch_size is None:
        batch_size = load_config().load_batch_size
    try:
        snapshot = open_snapshot(root, snapshot_date)
        if bulk is None:
            bulk = _auto_bulk(snapshot)
        if bulk:
            try:
                bulk_report = bulk_load(local_instance(), snapshot, force=force, batch_size=batch_size)
            except (BulkLoadError, Neo4jLocalError) as exc:
                raise click.ClickException(str(exc)) from exc
            report = bulk_report.deferred
        with cli_driver() as driver:
            if not bulk:
                report = load_snapshot(driver, snapshot, batch_size=batch_size)
            check = check_load(driver, snapshot)
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        summary = bulk_report.summary() if bulk else report.summary()
        click.echo(json.dumps({"load": summary, "check": check.summary()}, indent=2, default=str))
    elif bulk:
        files = bulk_report.files
        click.echo(
            f"bulk-loaded {bulk_report.load_id}: {files.nodes:,} nodes and {files.relationships:,}"
            f" relationships in {bulk_report.seconds:.1f}s ({bulk_report.records_per_second:,.0f} records/s):"
            f" files {files.seconds:.1f}s, import with restart {bulk_report.import_seconds:.1f}s,"
            f" constraints and stamps {report.seconds:.1f}s"
        )
    else:
        click.echo(
            f"loaded {report.load_id}: {report.rows:,} rows in {report.seconds:.1f}s"
            f" ({report.rows_per_second:,.0f} rows/s)"
        )
        for step in report.steps:
            click.echo(
                f"  {step.name:<17} rows {step.rows:>9,}  written {step.written:>9,}"
                f"  deleted {step.deleted:>7,}  {step.batches:>5} batches  {step.seconds:7.2f}s"
            )
        click.echo(
            f"check: {'ok' if check.ok else 'FAILED'}; duplicate aliases {len(check.duplicate_aliases)},"
            f" orphan nodes {len(check.orphan_nodes)}"
        )
    if not check.ok:
        raise click.ClickException("graph check failed: " + "; ".join(check.problems))
