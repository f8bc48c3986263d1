"""`paper-graph query NAME [--param k=v ...] [--format table|json]` and `paper-graph query --list`."""

from __future__ import annotations

import json
from typing import Any

import click

from graph.db.queries import QueryError, catalog, get


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not k=v", param_hint="--param")
        params[key.strip()] = value
    return params


def _plain(value: Any) -> Any:
    """Neo4j temporal and spatial values as strings; lists kept."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _print_list() -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("query", "parameters", "description", show_lines=True)
    for query in catalog().values():
        params = "\n".join(
            f"{p.name} ({p.expected}{'' if p.required else f', default {json.dumps(p.default)}'})"
            for p in query.params
        )
        table.add_row(query.name, params, query.description)
    Console().print(table)


def _print_table(keys: list[str], rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*keys)
    for row in rows:
        table.add_row(
            *(json.dumps(row[k], ensure_ascii=False) if not isinstance(row[k], str) else row[k] for k in keys)
        )
    Console().print(table)
    click.echo(f"{len(rows)} row(s)")


@click.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "pairs", multiple=True, metavar="K=V", help="Query parameter (repeatable).")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
def query(name: str | None, pairs: tuple[str, ...], output: str, list_queries: bool) -> None:
    """Run a named query (graph/db/queries/NAME.cypher) against Neo4j."""
    if list_queries:
        _print_list()
        return
    if not name:
        raise click.UsageError("give a query NAME or --list")
    try:
        named = get(name)
        given = _parse_params(pairs)
        named.parameters(given)  # bad parameters fail before connecting
    except QueryError as exc:
        raise click.ClickException(str(exc)) from exc

    from neo4j.exceptions import Neo4jError

    from graph.db.runner import run_named
    from paper_graph.cli.load import cli_driver

    with cli_driver() as driver:
        try:
            records = run_named(driver, named.name, given)
        except Neo4jError as exc:  # parameters are checked first, so this is the server's own refusal
            raise click.ClickException(f"query {name} failed on the server: {exc.message}") from None
        keys = list(records[0].keys()) if records else []
        rows = [{k: _plain(record[k]) for k in keys} for record in records]
    if output == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_table(keys, rows)
