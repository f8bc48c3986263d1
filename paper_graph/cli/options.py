"""Options shared by several commands."""

from __future__ import annotations

import click

from paper_graph.config import snapshot_root

root_option = click.option(
    "--root",
    default=lambda: str(snapshot_root()),
    show_default="config paths.snapshots ($PAPER_GRAPH_SNAPSHOTS overrides it)",
    help="Snapshot root: a path or URI (file://, s3://, gs://).",
)
