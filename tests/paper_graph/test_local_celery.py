"""The supervisor's CeleryExecutor parts without Airflow: the real redis-server it starts, waits for and
stops; workers stopped before the rest of the group; a taken port or a missing redis-server said plainly."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from paper_graph.local import celery
from paper_graph.local.airflow import Supervisor
from tests.support.airflow_standalone import free_port

needs_redis = pytest.mark.skipif(
    not os.access("/usr/bin/redis-server", os.X_OK), reason="redis-server absent (`make redis`)"
)


@needs_redis
def test_redis_is_started_ready_on_loopback_in_memory_and_stopped(tmp_path: Path) -> None:
    port = free_port()
    supervisor = Supervisor(
        {"redis": celery.redis_command(tmp_path, port)},
        dict(os.environ),
        grace_s=10,
        ready={"redis": lambda: celery.redis_ready(port)},
    )
    supervisor.start()
    try:
        assert celery.redis_ready(port)  # start() returned only once it answered PING
        redis = psutil.Process(supervisor.procs["redis"].pid)
        listening = {c.laddr for c in redis.net_connections("inet") if c.status == "LISTEN"}
        assert {(a.ip, a.port) for a in listening} == {("127.0.0.1", port)}
        assert celery.worker_nodes(port, timeout=0.5) == []  # a broker with no worker yet
    finally:
        supervisor.stop()
    assert not celery.port_taken(port)
    assert list(tmp_path.iterdir()) == []  # `--save ""`, no AOF: nothing written on shutdown


def test_workers_are_stopped_before_the_rest_of_the_group(tmp_path: Path) -> None:
    """A worker's warm shutdown (here: 1 s of work after SIGTERM) ends before the others get SIGTERM."""
    log = tmp_path / "log"
    script = textwrap.dedent(
        """
        import signal, sys, time
        name, delay, log = sys.argv[1], float(sys.argv[2]), sys.argv[3]
        def stop(*_):
            with open(log, "a") as out:
                out.write(f"{name} SIGTERM {time.monotonic()}\\n")
            time.sleep(delay)
            with open(log, "a") as out:
                out.write(f"{name} exit {time.monotonic()}\\n")
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        open(log + "." + name, "w").close()
        while True:
            time.sleep(0.05)
        """
    )
    commands = {
        "scheduler": [sys.executable, "-c", script, "scheduler", "0", str(log)],
        "worker": [sys.executable, "-c", script, "worker", "1", str(log)],
    }
    supervisor = Supervisor(commands, dict(os.environ), grace_s=20, stop_first=("worker",))
    supervisor.start()
    deadline = time.monotonic() + 20
    while not all((tmp_path / f"log.{n}").exists() for n in commands) and time.monotonic() < deadline:
        time.sleep(0.05)
    supervisor.stop()
    events = [line.split()[:2] for line in log.read_text().splitlines()]
    assert events == [
        ["worker", "SIGTERM"],
        ["worker", "exit"],
        ["scheduler", "SIGTERM"],
        ["scheduler", "exit"],
    ]
    assert all(p.poll() is not None for p in supervisor.procs.values())


def _supervisor(home: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIRFLOW_HOME": str(home), **env_vars}
    return subprocess.run(
        [sys.executable, "-m", "paper_graph.local.airflow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_taken_redis_port_is_said_plainly(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _supervisor(tmp_path, "--executor", "celery", "--redis-port", str(port))
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is taken" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_redis_server_is_said_plainly(tmp_path: Path) -> None:
    env_path = str(Path(sys.executable).parent)  # no /usr/bin: no redis-server on PATH
    result = _supervisor(tmp_path, "--executor", "celery", "--redis-port", "1", PATH=env_path)
    assert result.returncode == 1
    assert "make redis" in result.stderr and "Traceback" not in result.stderr


def test_outside_a_celery_task_the_hostname_is_the_machines() -> None:
    import socket

    assert celery.worker_hostname() == socket.getfqdn()
