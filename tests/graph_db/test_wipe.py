"""Wiping the graph in bounded transactions, on the real server."""

from __future__ import annotations

from graph.db.loader import ensure_schema, wipe_graph


def test_wipe_removes_a_high_degree_node_in_small_transactions(neo4j_clean) -> None:  # type: ignore[no-untyped-def]
    ensure_schema(neo4j_clean)
    neo4j_clean.execute_query(
        "CREATE (hub:Entity {entity_key: 'method:hub'}) WITH hub"
        " UNWIND range(1, $papers) AS i"
        " CREATE (:Paper {paper_id: 'p' + i})-[:MENTIONS]->(hub)",
        papers=5_000,
    )
    wipe_graph(neo4j_clean, rows=500)
    (record,) = neo4j_clean.execute_query(
        "MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels"
    ).records
    assert (record["nodes"], record["rels"]) == (0, 0)
    constraints = neo4j_clean.execute_query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n").records
    assert constraints[0]["n"] > 0  # the schema stays
