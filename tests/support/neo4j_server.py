"""Pytest fixtures giving a real Neo4j server.

NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD point the tests at a server you run yourself (resolved by
paper_graph.connection, like every entry point); otherwise the session starts the project's local `test`
instance (ports 17687/17474, overridable with PG_TEST_NEO4J_BOLT_PORT / PG_TEST_NEO4J_HTTP_PORT) and
stops it at the end if it started it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from paper_graph import connection
from paper_graph.local import neo4j as neo4j_local


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    http_url: str | None


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    if os.environ.get("NEO4J_URI"):
        conn = connection.resolve()
        yield Neo4jServer(conn.uri, conn.user, conn.password, os.environ.get("NEO4J_HTTP_URL"))
        return
    instance = neo4j_local.Instance(
        name="test",
        bolt_port=int(os.environ.get("PG_TEST_NEO4J_BOLT_PORT", 17687)),
        http_port=int(os.environ.get("PG_TEST_NEO4J_HTTP_PORT", 17474)),
    )
    started_here = neo4j_local.running_pid(instance) is None
    neo4j_local.start(instance)
    conn = connection.resolve({**os.environ, "NEO4J_BOLT_PORT": str(instance.bolt_port)})
    try:
        yield Neo4jServer(conn.uri, conn.user, conn.password, instance.http_url)
    finally:
        if started_here:
            neo4j_local.stop(instance)


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server: Neo4jServer):  # type: ignore[no-untyped-def]
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password))
    driver.verify_connectivity()
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def neo4j_clean(neo4j_driver):  # type: ignore[no-untyped-def]
    """The driver, on an empty database (constraints and indexes are kept)."""
    from graph.db.loader import wipe_graph

    wipe_graph(neo4j_driver)
    return neo4j_driver
