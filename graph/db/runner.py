"""The one runner of named queries (`queries/<name>.cypher`) and the graph's headline counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neo4j import Driver

from graph.db.model import Label, Rel
from graph.db.queries import get, loader_statement


def run_named(
    driver: Driver, name: str, params: Mapping[str, Any] | None = None, database: str | None = None
):  # type: ignore[no-untyped-def]
    """Run a named query (graph/db/queries/<name>.cypher) with its defaults; returns the records."""
    query = get(name)
    records, _, _ = driver.execute_query(query.cypher, query.parameters(params or {}), database_=database)
    return records


def graph_counts(driver: Driver, database: str | None = None) -> dict[str, dict[str, int]]:
    """{"nodes": {label: count}, "relationships": {type: count}} for every name in graph.db.model."""
    records, _, _ = driver.execute_query(
        loader_statement("graph_counts"),
        labels=[label.value for label in Label],
        types=[rel.value for rel in Rel],
        database_=database,
    )
    counts: dict[str, dict[str, int]] = {"nodes": {}, "relationships": {}}
    for record in records:
        counts["nodes" if record["kind"] == "node" else "relationships"][record["name"]] = int(
            record["count"]
        )
    return counts


# load_counts column -> how to count the expected value from the snapshot


def graph_count_rows(driver: Driver, database: str | None = None) -> list[dict[str, Any]]:
    """graph_counts as rows [{kind: node|relationship, name, count}] (the snapshot page shows them)."""
    counts = graph_counts(driver, database)
    return [
        {"kind": "node" if part == "nodes" else "relationship", "name": name, "count": count}
        for part, named_counts in counts.items()
        for name, count in named_counts.items()
    ]
