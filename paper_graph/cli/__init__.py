"""`paper-graph`: every command of the command line, a thin click layer over `extract` and `graph`.

One module per command in this package. Each is imported only when invoked, so `paper-graph --help`
stays fast and a broken optional dependency only breaks its own command.
"""

from __future__ import annotations

from collections.abc import Callable

import click


def _parse() -> click.Command:
    from paper_graph.cli.parse import parse

    return parse


def _extract() -> click.Command:
    from paper_graph.cli.extract import extract

    return extract


def _snapshot() -> click.Command:
    from paper_graph.cli.snapshot import snapshot

    return snapshot


def _load() -> click.Command:
    from paper_graph.cli.load import load

    return load


def _query() -> click.Command:
    from paper_graph.cli.query import query

    return query


def _enrich_cost() -> click.Command:
    from paper_graph.cli.enrich_cost import enrich_cost

    return enrich_cost


def _neo4j() -> click.Command:
    from paper_graph.cli.neo4j import neo4j

    return neo4j


SUBCOMMANDS: dict[str, Callable[[], click.Command]] = {
    "parse": _parse,
    "extract": _extract,
    "snapshot": _snapshot,
    "load": _load,
    "query": _query,
    "neo4j": _neo4j,
    "enrich-cost": _enrich_cost,
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = SUBCOMMANDS.get(cmd_name)
        return command() if command else None


@click.group(cls=LazyGroup)
@click.version_option(package_name="paper-graph")
def main() -> None:
    """paper-graph: ML paper pages -> papers, entities, Parquet snapshots and a Neo4j graph."""


if __name__ == "__main__":
    main()
