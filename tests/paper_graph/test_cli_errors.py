"""The real `paper-graph` command, as a subprocess, on bad input and a missing server: exit 1, one clear
message, never a traceback. Also: load and query find the server the way `make run` does (NEO4J_BOLT_PORT).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from paper_graph.local import neo4j as neo4j_local
from tests.graph_db.fixture_snapshot import write_fixture_snapshot

CLI = Path(sys.executable).parent / "paper-graph"
CONNECTION_VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_PASSWORD_FILE", "NEO4J_BOLT_PORT")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONNECTION_VARS}
    return {**env, **values}


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=timeout)


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def server_env(neo4j_server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return _env(
        NEO4J_URI=neo4j_server.uri, NEO4J_USER=neo4j_server.user, NEO4J_PASSWORD=neo4j_server.password
    )


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("since=garbage", "parameter since: 'garbage' is not valid; expected a date YYYY-MM-DD"),
        ("until=2024-02-30", "parameter until: '2024-02-30' is not valid; expected a date YYYY-MM-DD"),
        ("limit=-1", "parameter limit: '-1' is not valid; expected an integer >= 0"),
        ("limit=99999999999999999999", "parameter limit: '99999999999999999999' is not valid"),
        ("limit=2.5", "parameter limit: '2.5' is not valid; expected an integer >= 0"),
    ],
)
def test_bad_query_parameters_are_refused_before_the_server_sees_them(
    server_env: dict[str, str], param: str, expected: str
) -> None:
    result = _run(["query", "top_entities", "-p", param], server_env)
    _assert_one_clear_line(result, "query top_entities", expected)


def test_good_parameters_still_run(server_env: dict[str, str]) -> None:
    result = _run(
        ["query", "top_entities", "-p", "since=2024-01-01", "-p", "limit=0", "--format", "json"], server_env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""  # no driver notifications ("label does not exist") on a person's screen


@pytest.fixture(scope="module")
def snapshot_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("snapshots")
    write_fixture_snapshot(root, "v1")
    return root


def test_load_with_no_server_fails_fast_with_one_line(snapshot_root: Path) -> None:
    uri = f"bolt://127.0.0.1:{_free_port()}"  # nothing listens there: connection refused
    result = _run(["load", "--root", str(snapshot_root)], _env(NEO4J_URI=uri, NEO4J_PASSWORD="whatever1"))
    _assert_one_clear_line(
        result, f"cannot reach Neo4j at {uri}", "Connection refused", "paper-graph neo4j start"
    )


@pytest.fixture
def hung_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (a hung or stopped Neo4j)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def test_load_against_a_hung_server_gives_up_in_seconds(snapshot_root: Path, hung_server: int) -> None:
    uri = f"bolt://127.0.0.1:{hung_server}"
    began = time.monotonic()
    result = _run(["load", "--root", str(snapshot_root)], _env(NEO4J_URI=uri, NEO4J_PASSWORD="whatever1"))
    elapsed = time.monotonic() - began
    _assert_one_clear_line(
        result, f"cannot reach Neo4j at {uri}", "no Bolt answer", "paper-graph neo4j start"
    )
    assert elapsed < 40, elapsed  # the driver's own default waits 60 s


def test_query_with_a_bad_uri_or_missing_password_says_what_to_set(tmp_path: Path) -> None:
    result = _run(["query", "top_entities"], _env(NEO4J_URI="http://127.0.0.1:7474", NEO4J_PASSWORD="x"))
    _assert_one_clear_line(result, "NEO4J_URI='http://127.0.0.1:7474' is not a Neo4j URI")
    missing = tmp_path / "nope"
    result = _run(["query", "top_entities"], _env(NEO4J_PASSWORD_FILE=str(missing)))
    _assert_one_clear_line(result, f"NEO4J_PASSWORD_FILE={missing}")


def test_load_and_query_honour_neo4j_bolt_port_like_make_run(neo4j_server, snapshot_root: Path) -> None:  # type: ignore[no-untyped-def]
    port = neo4j_server.uri.rsplit(":", 1)[1]
    env = _env(NEO4J_BOLT_PORT=port, NEO4J_PASSWORD=neo4j_server.password)  # no NEO4J_URI
    result = _run(["load", "--root", str(snapshot_root), "--batch-size", "50"], env)
    assert result.returncode == 0, result.stderr
    result = _run(["query", "top_entities", "-p", "type=DATASET", "-p", "limit=1", "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    assert '"dataset:imagenet"' in result.stdout


def test_neo4j_start_when_the_server_dies_shows_the_log(tmp_path: Path) -> None:
    """The HTTP port is taken, so the real server exits while starting (after Bolt came up)."""
    name = f"dies-{uuid.uuid4().hex[:8]}"
    instance = neo4j_local.Instance(name=name, bolt_port=_free_port(), http_port=_free_port())
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", instance.http_port))
    squatter.listen(1)
    try:
        result = _run(
            [
                "neo4j",
                "start",
                "--instance",
                name,
                "--bolt-port",
                str(instance.bolt_port),
                "--http-port",
                str(instance.http_port),
            ],
            _env(),
            timeout=300,
        )
    finally:
        squatter.close()
        neo4j_local.stop(instance)
        shutil.rmtree(instance.home, ignore_errors=True)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert f"Neo4j '{name}' exited while starting. Last lines of {instance.log_file}:" in result.stderr
    assert f"{instance.http_port} is already in use" in result.stderr
    assert "\tat " not in result.stderr  # Java stack frames left out
