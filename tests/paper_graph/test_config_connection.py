"""The one snapshot root (config) and the one Neo4j connection resolution (connection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_graph import config, connection
from paper_graph.run import RunDir


def _config_file(tmp_path: Path) -> Path:
    path = tmp_path / "pipeline.toml"
    path.write_text('[paths]\ndata_root = "data"\nsnapshots = "snaps"\n')
    return path


def test_snapshot_root_from_config_data_env_and_snapshots_env(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = _config_file(tmp_path)
    assert config.load_config(path, env={}).paths.snapshots == config.PROJECT_ROOT / "data" / "snaps"
    env = {"PAPER_GRAPH_DATA": str(tmp_path / "d")}
    assert config.load_config(path, env=env).paths.snapshots == tmp_path / "d" / "snaps"
    env["PAPER_GRAPH_SNAPSHOTS"] = str(tmp_path / "elsewhere")
    assert config.load_config(path, env=env).paths.snapshots == tmp_path / "elsewhere"
    # the CLI's --root default and the plugin read the same function, from the process environment
    monkeypatch.setenv("PAPER_GRAPH_CONFIG", str(path))
    monkeypatch.setenv("PAPER_GRAPH_DATA", str(tmp_path / "d"))
    monkeypatch.delenv("PAPER_GRAPH_SNAPSHOTS", raising=False)
    assert config.snapshot_root() == tmp_path / "d" / "snaps"


@pytest.mark.parametrize(
    ("toml", "env", "named"),
    [
        ('snapshots = "s3://bucket/snapshots"', {}, "[paths] snapshots = 's3://bucket/snapshots'"),
        ('data_root = "gs://bucket/var"', {}, "[paths] data_root"),
        ("", {"PAPER_GRAPH_SNAPSHOTS": "s3://bucket/snapshots"}, "PAPER_GRAPH_SNAPSHOTS"),
        ("", {"PAPER_GRAPH_DATA": "file:///srv/data"}, "PAPER_GRAPH_DATA"),
    ],
)
def test_a_uri_as_a_pipeline_path_is_refused_not_made_a_local_folder(
    tmp_path: Path, toml: str, env: dict[str, str], named: str
) -> None:
    path = tmp_path / "pipeline.toml"
    path.write_text(f"[paths]\n{toml}\n")
    with pytest.raises(config.ConfigError, match="is a URI") as raised:
        config.load_config(path, env=env)
    assert named in str(raised.value)


def test_the_cli_says_a_bad_snapshot_root_setting_in_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    cli = Path(sys.executable).parent / "paper-graph"
    for env, expected in (
        (
            {"PAPER_GRAPH_SNAPSHOTS": "s3://bucket/snapshots"},
            "PAPER_GRAPH_SNAPSHOTS = 's3://bucket/snapshots' is a URI",
        ),
        (
            {"PAPER_GRAPH_CONFIG": str(tmp_path / "missing.toml")},
            "missing.toml: configuration file not found",
        ),
    ):
        result = subprocess.run(
            [str(cli), "snapshot", "list"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1 and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr, result.stderr


def test_run_dir_round_trips_through_xcom(tmp_path: Path) -> None:
    cfg = config.load_config(_config_file(tmp_path), env={"PAPER_GRAPH_DATA": str(tmp_path)})
    run = RunDir.of(cfg, "2024-06-01").create()
    run.papers.write_text("x\n")
    assert RunDir.from_xcom(run.as_xcom()) == run
    assert run.path == tmp_path / "work" / "dt=2024-06-01"
    assert not RunDir.of(cfg, "2024-06-01").create().papers.exists()  # a rerun starts empty


@pytest.fixture
def no_neo4j_env(monkeypatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name in ("NEO4J_URI", "NEO4J_BOLT_PORT", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(connection, "NEO4J_ROOT", tmp_path / ".neo4j")
    monkeypatch.setattr(connection, "PASSWORD_FILE", tmp_path / ".neo4j" / "password")
    return monkeypatch


def test_uri_user_from_env(no_neo4j_env) -> None:  # type: ignore[no-untyped-def]
    assert connection.uri() == "bolt://127.0.0.1:7687"
    no_neo4j_env.setenv("NEO4J_BOLT_PORT", "17703")
    assert connection.uri() == "bolt://127.0.0.1:17703"
    no_neo4j_env.setenv("NEO4J_URI", "bolt://db.example:7000")
    assert connection.uri() == "bolt://db.example:7000"  # an explicit URI wins over the port
    assert connection.user() == "neo4j"
    no_neo4j_env.setenv("NEO4J_USER", "reader")
    assert connection.user() == "reader"


def test_password_env_then_file_created_only_by_the_server(no_neo4j_env) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(connection.ConnectionSettingsError, match="no password file at"):
        connection.password()
    created = connection.password(create=True)  # what the local server does on first start
    assert connection.PASSWORD_FILE.read_text() == created
    assert connection.password() == created  # clients read the same file
    assert connection.airflow_connection(17703)["password"] == created
    no_neo4j_env.setenv("NEO4J_PASSWORD", "from-env")
    assert connection.password() == "from-env"


def test_cli_without_password_is_a_clear_error(no_neo4j_env) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from paper_graph.cli import main

    result = CliRunner().invoke(main, ["query", "top_entities"])
    assert result.exit_code == 1
    assert "set NEO4J_PASSWORD (no password file at" in result.output
    assert "Traceback" not in result.output
