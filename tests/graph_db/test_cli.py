"""`paper-graph query` and `paper-graph load` against the real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.db.queries import catalog
from graph.db.runner import graph_counts
from paper_graph.cli import main
from tests.graph_db.fixture_snapshot import write_fixture_snapshot


@pytest.fixture
def env(neo4j_server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
    }


def test_query_list_names_every_query() -> None:
    result = CliRunner().invoke(main, ["query", "--list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in catalog():
        assert name in result.output


def test_load_then_query(neo4j_clean, snapshot_root: Path, env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["load", "2024-03-31", "--root", str(snapshot_root), "--batch-size", "2", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["check"]["ok"] is True
    assert report["load"]["load_id"] == "2024-03-31/fixture-run-1"
    assert {s["name"]: s["rows"] for s in report["load"]["steps"]}["mentions"] == 14
    assert graph_counts(neo4j_clean)["nodes"]["Paper"] == 5

    result = runner.invoke(
        main,
        ["query", "top_entities", "-p", "type=DATASET", "--param", "limit=1", "--format", "json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"entity_key": "dataset:imagenet", "name": "ImageNet", "type": "DATASET", "papers": 3}
    ]

    result = runner.invoke(
        main, ["query", "papers_referencing", "-p", "paper_id=2401.00001"], env=env, terminal_width=300
    )
    assert result.exit_code == 0, result.output
    assert "2403.00004" in result.output and "3 row(s)" in result.output


def test_query_parameter_errors_are_reported(env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["query", "similar_papers"], env=env)
    assert result.exit_code != 0 and "parameter paper_id is required" in result.output
    result = runner.invoke(main, ["query", "similar_papers", "-p", "paper_id"], env=env)
    assert result.exit_code != 0 and "is not k=v" in result.output
    result = runner.invoke(main, ["query", "nope"], env=env)
    assert result.exit_code != 0 and "unknown query 'nope'" in result.output


def test_load_refuses_a_corrupt_snapshot(neo4j_clean, tmp_path: Path, env: dict[str, str]) -> None:
    snapshot = write_fixture_snapshot(tmp_path, "v1")
    manifest = Path(snapshot.path, "_manifest.json")
    part = next(Path(snapshot.path, "entities").glob("*.parquet"))
    part.write_bytes(part.read_bytes() + b"x")
    result = CliRunner().invoke(
        main, ["load", "latest", "--root", str(tmp_path), "--batch-size", "10"], env=env
    )
    assert result.exit_code == 1
    assert str(part) in result.output and "size" in result.output
    assert manifest.exists()
    assert graph_counts(neo4j_clean)["nodes"]["Paper"] == 0
