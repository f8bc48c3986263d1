"""One resolution of the Neo4j connection (paper_graph.connection) for the CLI, make run, the DAGs' Airflow
connection and the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paper_graph import connection
from paper_graph.local import airflow_env as local_env
from paper_graph.local import neo4j as neo4j_local


def test_defaults_and_precedence(tmp_path: Path) -> None:
    root = {"PAPER_GRAPH_NEO4J_ROOT": str(tmp_path)}
    (tmp_path / "password").write_text("from-the-file\n")
    local = connection.resolve(root)
    assert (local.uri, local.user, local.password, local.local) == (
        "bolt://127.0.0.1:7687",
        "neo4j",
        "from-the-file",
        True,
    )
    assert local.password_source == str(tmp_path / "password")
    assert connection.resolve({**root, "NEO4J_BOLT_PORT": "17999"}).uri == "bolt://127.0.0.1:17999"
    remote = connection.resolve(
        {**root, "NEO4J_BOLT_PORT": "17999", "NEO4J_URI": "neo4j+s://db.example:7777", "NEO4J_USER": "me"}
    )
    assert (remote.uri, remote.user, remote.local) == ("neo4j+s://db.example:7777", "me", False)
    other = tmp_path / "other"
    other.write_text("from-other\n")
    assert connection.resolve({**root, "NEO4J_PASSWORD_FILE": str(other)}).password == "from-other"
    assert connection.resolve({**root, "NEO4J_PASSWORD": "env-wins"}).password == "env-wins"


def test_errors_name_what_to_set(tmp_path: Path) -> None:
    root = {"PAPER_GRAPH_NEO4J_ROOT": str(tmp_path)}
    with pytest.raises(
        connection.ConnectionSettingsError, match="set NEO4J_PASSWORD .*paper-graph neo4j start"
    ):
        connection.resolve(root)
    created = connection.resolve(root, create_password=True)  # only the local server creates it
    assert len(created.password) >= 8 and (tmp_path / "password").stat().st_mode & 0o777 == 0o600
    with pytest.raises(connection.ConnectionSettingsError, match="NEO4J_BOLT_PORT='x' is not a port"):
        connection.resolve({**root, "NEO4J_BOLT_PORT": "x"})
    with pytest.raises(connection.ConnectionSettingsError, match="is not a Neo4j URI"):
        connection.resolve({**root, "NEO4J_URI": "bolt://h:99999"})


def test_the_dags_airflow_connection_is_the_same_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from airflow.models.connection import Connection
    from airflow.providers.neo4j.hooks.neo4j import Neo4jHook

    monkeypatch.delenv("AIRFLOW_CONN_NEO4J_DEFAULT", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", "pw-for-test")
    instance = neo4j_local.Instance(name="x", bolt_port=17990, http_port=17991)
    for uri, expected in [
        (None, "bolt://127.0.0.1:17990"),
        ("neo4j://db.example:7777", "neo4j://db.example:7777"),
    ]:
        if uri:
            monkeypatch.setenv("NEO4J_URI", uri)
        env = local_env.local_airflow_env(instance)
        conn = Connection(conn_id="neo4j_default", **json.loads(env["AIRFLOW_CONN_NEO4J_DEFAULT"]))
        assert Neo4jHook(conn_id="neo4j_default").get_uri(conn) == expected  # the provider's own URI
        assert (conn.login, conn.password) == ("neo4j", "pw-for-test")
