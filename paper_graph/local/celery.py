"""The CeleryExecutor on one machine: a loopback Redis broker and Celery workers, run by the supervisor in
paper_graph.local.airflow beside the other components (`make airflow EXECUTOR=celery`, the Celery slow test).

- Broker: Debian's `redis-server` (`make redis`) on 127.0.0.1, in-memory only (`--save ""`, no AOF): a
  queued task lost with it is re-queued by the scheduler, and nothing of the pipeline's is kept there.
- Result backend: Celery's SQLAlchemy backend in its own SQLite file beside the metadata database
  (`db+sqlite:///$AIRFLOW_HOME/celery_results.db`). Airflow 3.1 accepts SQLite with the CeleryExecutor
  (it no longer refuses SQLite for any executor), and in Airflow 3 the workers never write the
  metadata database (task state goes through the API server's execution API), so the only writers
  of the results file are the workers' task-state records and the only reader is the scheduler.
- Workers: `airflow celery worker`, each with its own Celery node name (`worker<N>@<host>`) and pid file,
  without a log server (the logs are files in the one AIRFLOW_HOME the API server reads, and each
  worker's server would listen on 0.0.0.0:8793).
- Task instances record the node name of the Celery worker that ran them as their `hostname`
  (`worker_hostname`, Airflow's `[core] hostname_callable`): on a cluster every worker is its own
  machine and the FQDN tells them apart; here they share one, and the node name still does.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

HOSTNAME_CALLABLE = "paper_graph.local.celery.worker_hostname"
DEFAULT_REDIS_PORT = 6379
DEFAULT_WORKERS = 2


def broker_url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


def celery_env(home: Path, redis_port: int) -> dict[str, str]:
    """Airflow settings of the CeleryExecutor with the local broker and result backend."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url(redis_port),
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+sqlite:///{home}/celery_results.db",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": HOSTNAME_CALLABLE,
    }


def redis_command(home: Path, port: int) -> list[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed: `make redis` installs Debian's redis-server")
    return [
        binary,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--protected-mode",
        "yes",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(home),
        "--daemonize",
        "no",
    ]


def worker_commands(airflow: str, home: Path, workers: int, concurrency: int) -> dict[str, list[str]]:
    """`airflow celery worker` N times: distinct node names and pid files, no log servers."""
    return {
        f"celery-worker-{n}": [
            airflow,
            "celery",
            "worker",
            "--celery-hostname",
            f"worker{n}@%h",
            "--concurrency",
            str(concurrency),
            "--pid",
            str(home / f"airflow-worker-{n}.pid"),
            "--skip-serve-logs",
        ]
        for n in range(1, workers + 1)
    }


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def redis_ready(port: int) -> bool:
    """Redis answers PING on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def worker_nodes(port: int, timeout: float = 2.0) -> list[str]:
    """The Celery node names that answer a ping through the broker on 127.0.0.1:port."""
    from celery import Celery

    app = Celery(broker=broker_url(port))
    try:
        replies = app.control.ping(timeout=timeout) or []
    finally:
        app.close()
    return sorted(name for reply in replies for name in reply)


def worker_hostname() -> str:
    """The Celery node running the current task (`worker1@host`); the machine's FQDN elsewhere."""
    try:
        from celery import current_task
    except ImportError:
        current_task = None
    node = getattr(getattr(current_task, "request", None), "hostname", None) if current_task else None
    return node or socket.getfqdn()
