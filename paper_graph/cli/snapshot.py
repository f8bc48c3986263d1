"""`paper-graph snapshot list|show|verify`: what the Parquet snapshots hold."""

from __future__ import annotations

import json

import click

from graph.snapshot import SnapshotError, list_snapshots, open_snapshot
from paper_graph.cli.options import root_option


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


@click.group()
def snapshot() -> None:
    """List, show and verify Parquet snapshots."""


@snapshot.command("list")
@root_option
def list_command(root: str) -> None:
    """One line per snapshot: date, rows, size, tables, run."""
    snapshots = list_snapshots(root)
    if not snapshots:
        click.echo(f"no snapshots under {root}")
        return
    for snap in snapshots:
        m = snap.manifest
        size = _size(m.size)
        click.echo(
            f"{m.snapshot_date}  {m.rows:>10,} rows  {size:>9}  {len(m.tables)} tables  run {m.run_id}"
        )


@snapshot.command("show")
@click.argument("snapshot_date", default="latest")
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def show_command(snapshot_date: str, root: str, as_json: bool) -> None:
    """A snapshot's manifest (SNAPSHOT_DATE: YYYY-MM-DD or 'latest')."""
    try:
        snap = open_snapshot(root, snapshot_date)
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    m = snap.manifest
    if as_json:
        click.echo(json.dumps(m.to_dict(), indent=2, sort_keys=True))
        return
    click.echo(f"snapshot {m.snapshot_date}  ({snap.path})")
    click.echo(f"schema {m.schema_version}  run {m.run_id}  writer {m.writer_version}")
    for name, table in m.tables.items():
        click.echo(f"  {name:<16}{table.rows:>10,} rows  {_size(table.size):>9}")
        for f in table.files:
            click.echo(f"      {f.path}  {f.rows:,} rows  {f.size:,} B  sha256 {f.sha256}")


@snapshot.command("verify")
@click.argument("snapshot_date", default="latest")
@root_option
def verify_command(snapshot_date: str, root: str) -> None:
    """Check every file against the manifest (exit 1 on a mismatch)."""
    try:
        snap = open_snapshot(root, snapshot_date)
        snap.verify()
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"snapshot {snap.date}: {len(snap.manifest.files())} files match the manifest")
