"""`paper-graph`: the command line, a thin click layer over the `extract` and `graph` packages.

Subcommands live next to the code they drive and are imported only when invoked, so
`paper-graph --help` stays fast and a broken optional dependency only breaks its own command.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of a click command
SUBCOMMANDS: dict[str, str] = {
    "parse": "extract.parse_command:parse",
    "extract": "extract.nlp.command:extract",
    "snapshot": "graph.snapshot_command:snapshot",
    "load": "graph.load_command:load",
    "query": "graph.query_command:query",
    "neo4j": "graph.neo4j_local:neo4j",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup)
@click.version_option(package_name="paper-graph")
def main() -> None:
    """paper-graph: ML paper pages -> papers, entities, Parquet snapshots and a Neo4j graph."""


if __name__ == "__main__":
    main()
