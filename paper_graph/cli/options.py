"""Options shared by several commands."""

from __future__ import annotations

import click

from paper_graph.config import ConfigError, snapshot_root


def _default_root() -> str:
    try:
        return str(snapshot_root())
    except ConfigError as exc:  # one line, not a traceback, for a bad config file or path setting
        raise click.ClickException(str(exc)) from None


root_option = click.option(
    "--root",
    default=_default_root,
    show_default="config paths.snapshots ($PAPER_GRAPH_SNAPSHOTS overrides it)",
    help="Snapshot root: a path or URI (file://, s3://, gs://).",
)
