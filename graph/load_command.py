"""`paper-graph load SNAPSHOT_DATE|latest`: load a Parquet snapshot into Neo4j with the plain driver.

Connection from NEO4J_URI (default bolt://127.0.0.1:7687), NEO4J_USER (neo4j) and NEO4J_PASSWORD,
else the local server's password file `.neo4j/password` when present.
"""

from __future__ import annotations

import json
import os

import click
from neo4j import Driver, GraphDatabase

from graph.neo4j_local import PASSWORD_FILE
from graph.snapshot import SnapshotError, default_root, open_snapshot

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"


def neo4j_password() -> str:
    if os.environ.get("NEO4J_PASSWORD"):
        return os.environ["NEO4J_PASSWORD"]
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text().strip()
    raise click.ClickException(f"set NEO4J_PASSWORD (no password file at {PASSWORD_FILE})")


def driver_from_env() -> Driver:
    """A driver for NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (see the module doc for defaults)."""
    uri = os.environ.get("NEO4J_URI") or DEFAULT_URI
    driver = GraphDatabase.driver(uri, auth=(os.environ.get("NEO4J_USER") or DEFAULT_USER, neo4j_password()))
    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        raise click.ClickException(f"cannot connect to Neo4j at {uri}: {exc}") from exc
    return driver


@click.command()
@click.argument("snapshot_date", default="latest")
@click.option(
    "--root",
    default=default_root,
    show_default="$PAPER_GRAPH_SNAPSHOTS or var/snapshots",
    help="Snapshot root: a path or URI (file://, s3://, gs://).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Rows per transaction [config: load.batch_size].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the load report as JSON.")
def load(snapshot_date: str, root: str, batch_size: int | None, as_json: bool) -> None:
    """Load a snapshot (YYYY-MM-DD or 'latest') into Neo4j, then check the graph against it."""
    from graph.load import check_load, load_snapshot

    if batch_size is None:
        from extract.config import load_config

        batch_size = load_config().load_batch_size
    try:
        snapshot = open_snapshot(root, snapshot_date)
        with driver_from_env() as driver:
            report = load_snapshot(driver, snapshot, batch_size=batch_size)
            check = check_load(driver, snapshot)
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"load": report.summary(), "check": check.summary()}, indent=2, default=str))
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
