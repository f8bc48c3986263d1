"""A real Airflow (API server, scheduler, DAG processor, triggerer) for slow tests, started as
`make airflow` starts it: by the project's supervisor (`python -m paper_graph.local.airflow`); with
`executor="celery"`, as `make airflow EXECUTOR=celery` does: a loopback Redis and Celery workers too."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def neo4j_connection(neo4j_server) -> str:  # type: ignore[no-untyped-def]
    """AIRFLOW_CONN_NEO4J_DEFAULT for the test Neo4j (the neo4j_server fixture)."""
    host, port = neo4j_server.uri.split("://")[1].rsplit(":", 1)
    return json.dumps(
        {
            "conn_type": "neo4j",
            "host": host,
            "port": int(port),
            "login": neo4j_server.user,
            "password": neo4j_server.password,
            "extra": {},
        }
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AirflowStandalone:
    """Starts the supervisor in its own session; `stop()` sends it SIGINT (Ctrl-C) and checks that
    every process it started is gone (killing and reporting any that are not)."""

    def __init__(
        self,
        home: Path,
        extra_env: dict[str, str],
        executor: str = "local",
        celery_workers: int = 2,
        worker_concurrency: int = 1,
    ) -> None:
        self.home = home
        self.port = free_port()
        self.executor = executor
        self.redis_port = free_port() if executor == "celery" else None
        self.args = ["--executor", executor]
        if self.redis_port is not None:
            self.args += ["--redis-port", str(self.redis_port), "--celery-workers", str(celery_workers)]
            self.args += ["--worker-concurrency", str(worker_concurrency)]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": "slow-test-" + "y" * 48,
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
            **extra_env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        self.leftovers: list[str] = []  # processes still running after stop() (then killed)

    def start(self, timeout: float = 180) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.home / "standalone.log", "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "paper_graph.local.airflow", *self.args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Airflow supervisor exited: see {self.home / 'standalone.log'}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/v2/monitor/health", timeout=5) as resp:
                    health = json.load(resp)
                if health.get("scheduler", {}).get("status") == "healthy" and self._password_file().exists():
                    return
            except (OSError, ValueError):
                pass
            time.sleep(2)
        raise TimeoutError(f"Airflow not healthy after {timeout}s: see {self.home / 'standalone.log'}")

    def wait_for_celery_workers(self, count: int, timeout: float = 120) -> list[str]:
        """The Celery node names, once `count` workers answer a ping through the broker."""
        from paper_graph.local import celery

        assert self.redis_port is not None, "not started with the CeleryExecutor"
        deadline = time.monotonic() + timeout
        nodes: list[str] = []
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the Airflow supervisor exited: see {self.home / 'standalone.log'}")
            nodes = celery.worker_nodes(self.redis_port)
            if len(nodes) >= count:
                return nodes
            time.sleep(2)
        raise TimeoutError(f"Celery workers {nodes} after {timeout}s (want {count})")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        quoted = urllib.parse.quote(run_id, safe="")
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{quoted}/taskInstances?limit=1000")["task_instances"]

    def _password_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json.generated"

    def processes(self) -> list[Any]:
        """The supervisor's descendants now (psutil processes)."""
        import psutil

        if self.proc is None:
            return []
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self, signum: int = signal.SIGINT) -> None:
        import psutil

        if self.proc is None or self.proc.poll() is not None:
            return
        started = self.processes()
        os.kill(self.proc.pid, signum)  # as Ctrl-C (SIGINT) or `kill` (SIGTERM) would
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=90)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        _, alive = psutil.wait_procs(started, timeout=5)
        self.leftovers = [f"{p.pid} {' '.join(p.cmdline())[:80]}" for p in alive if p.is_running()]
        for p in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()

    def token(self) -> str:
        if self._token is None:
            password = json.loads(self._password_file().read_text())["admin"]
            body = self._request(
                "POST", "/auth/token", {"username": "admin", "password": password}, auth=False
            )
            self._token = body["access_token"]
        return self._token

    def _request(self, method: str, path: str, payload: Any = None, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as resp:
            return json.load(resp)

    def api(self, method: str, path: str, payload: Any = None) -> Any:
        return self._request(method, "/api/v2" + path, payload)

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.api("GET", f"/dags/{dag_id}")
                return
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    raise
            time.sleep(2)
        raise TimeoutError(f"DAG {dag_id} not parsed within {timeout}s")

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]

    def wait_until_idle(self, dag_id: str, timeout: float) -> list[dict[str, Any]]:
        """Wait until the DAG has runs and none is queued or running; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs(dag_id)
            if runs and all(r["state"] in ("success", "failed") for r in runs):
                return runs
            time.sleep(3)
        raise TimeoutError(
            f"{dag_id} still has unfinished runs after {timeout}s; see {self.home / 'standalone.log'}"
        )

    def wait_for_run(self, dag_id: str, timeout: float, run_id: str | None = None) -> dict[str, Any]:
        """Wait until the given run (or the first run of the DAG) finishes; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if run_id:
                runs = [self.api("GET", f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}")]
            else:
                runs = self.api("GET", f"/dags/{dag_id}/dagRuns?limit=10")["dag_runs"]
            finished = [r for r in runs if r["state"] in ("success", "failed")]
            if finished:
                return finished[0]
            time.sleep(3)
        raise TimeoutError(
            f"no finished run of {dag_id} within {timeout}s; see {self.home / 'standalone.log'}"
        )
