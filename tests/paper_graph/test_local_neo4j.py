"""The local Neo4j server really serves Bolt and the Browser."""

from __future__ import annotations

import urllib.request
import uuid

import pytest


def test_write_and_read_nodes_over_bolt(neo4j_clean) -> None:
    marker = str(uuid.uuid4())
    neo4j_clean.execute_query(
        "UNWIND range(1, $n) AS i CREATE (:StackProbe {marker: $marker, i: i})", n=25, marker=marker
    )
    records, _, _ = neo4j_clean.execute_query(
        "MATCH (p:StackProbe {marker: $marker}) RETURN count(p) AS n, sum(p.i) AS total", marker=marker
    )
    assert records[0]["n"] == 25
    assert records[0]["total"] == sum(range(1, 26))


def test_server_is_neo4j_5_26_community(neo4j_driver) -> None:
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN *"
    )
    assert records[0]["edition"] == "community"
    assert records[0]["versions"][0].startswith("5.26.")


def test_browser_is_served_over_http(neo4j_server) -> None:
    if not neo4j_server.http_url:
        pytest.skip("NEO4J_HTTP_URL not given for an external server")
    with urllib.request.urlopen(f"{neo4j_server.http_url}/browser/", timeout=10) as resp:
        body = resp.read().decode("utf-8", "replace")
        assert resp.status == 200
    assert "<title>Neo4j Browser</title>" in body
