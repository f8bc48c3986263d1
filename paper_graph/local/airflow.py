"""`make airflow`: Airflow's components on loopback, supervised as one process group.

What `airflow standalone` starts (API server, scheduler, DAG processor, triggerer), started here
instead, because standalone
- binds the API server to 0.0.0.0 unless told otherwise, and its scheduler and triggerer start log
  servers on every interface (ports 8793/8794) with no setting to bind them elsewhere;
- prints the generated admin password to the console, in a file created with mode 644;
- on Ctrl-C leaves the scheduler's LocalExecutor workers running (and on SIGTERM orphans them).

Here the API server listens on 127.0.0.1 (AIRFLOW__API__HOST, AIRFLOW__API__PORT, default 8080), the
log servers are not started (`--skip-serve-logs`: with the LocalExecutor every log is a local file the
API server reads itself), the admin password is generated into a 0600 file and never printed, and all
components run in one new process group (not the terminal's foreground group): SIGINT, SIGTERM or
SIGHUP to this process (Ctrl-C, `kill`, a closed terminal) is forwarded to the whole group, which
gets `GRACE_S` to exit before it is killed; when one component dies, the others are stopped too. No
process of the group is left when this returns, and if this process is killed outright the
components get SIGTERM from the kernel (PR_SET_PDEATHSIG).

`--executor celery` (`make airflow EXECUTOR=celery`) runs the CeleryExecutor instead: a loopback Redis
broker and `--celery-workers` Celery workers join the same process group (paper_graph.local.celery).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from paper_graph.local import celery
from paper_graph.local.airflow_env import local_airflow_env

GRACE_S = 30.0
READY_TIMEOUT_S = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # Ctrl-C, kill, a closed terminal
PR_SET_PDEATHSIG = 1
PASSWORD_FILE_NAME = "simple_auth_manager_passwords.json.generated"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
COMPONENTS: dict[str, list[str]] = {
    "api-server": ["api-server"],  # host and port from AIRFLOW__API__HOST / AIRFLOW__API__PORT
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}


def airflow_bin() -> str:
    return str(Path(sys.executable).parent / "airflow")


def supervised_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The components' environment: the local stack's, on loopback, LocalExecutor, simple auth."""
    env = {**os.environ, **local_airflow_env(), **(base or {})}
    env.setdefault("AIRFLOW__API__HOST", "127.0.0.1")
    env.setdefault("AIRFLOW__API__PORT", "8080")
    host, port = env["AIRFLOW__API__HOST"], env["AIRFLOW__API__PORT"]
    url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    env.setdefault("AIRFLOW__API__BASE_URL", f"http://{url_host}:{port}")
    env.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", f"http://{url_host}:{port}/execution/")
    env.setdefault("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    env.setdefault("AIRFLOW__CORE__AUTH_MANAGER", SIMPLE_AUTH_MANAGER)
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{env['AIRFLOW_HOME']}/airflow.db")
    # standalone's components find each other as `airflow ...` on PATH
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def ensure_password_file(home: Path) -> Path:
    """The admin's generated password, in a 0600 file (the simple auth manager reads it, prints nothing)."""
    path = home / PASSWORD_FILE_NAME
    home.mkdir(parents=True, exist_ok=True)
    if not path.exists() or not path.read_text().strip():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps({"admin": secrets.token_urlsafe(16)}) + "\n")
    path.chmod(0o600)
    return path


def say(message: str) -> None:
    """A status line; never fails (stdout may be a pipe whose reader Ctrl-C has already killed)."""
    with contextlib.suppress(OSError, ValueError):
        print(f"airflow-local | {message}", flush=True)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Supervisor:
    """Starts commands in one new process group; stops the whole group, always."""

    def __init__(
        self,
        commands: dict[str, list[str]],
        env: dict[str, str],
        grace_s: float = GRACE_S,
        ready: dict[str, Callable[[], bool]] | None = None,
        stop_first: tuple[str, ...] = (),
    ) -> None:
        self.commands = commands
        self.env = env
        self.grace_s = grace_s
        self.ready = ready or {}  # a command the later ones need: started, then waited for
        # commands that finish their own work when asked (Celery's warm shutdown: the running tasks
        # end, their results reach the broker and result backend): SIGTERM to them alone first
        self.stop_first = stop_first
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.pgid: int | None = None
        self._stop_signal: int | None = None

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stop_signal = signum

    def start(self) -> None:
        for name, args in self.commands.items():
            # the first one leads a new process group (0); the others join it. The group is not the
            # terminal's foreground group, so Ctrl-C reaches only this process, which forwards it.
            group = 0 if self.pgid is None else self.pgid
            proc = subprocess.Popen(
                args, env=self.env, stdin=subprocess.DEVNULL, process_group=group, preexec_fn=_die_with_parent
            )
            if self.pgid is None:
                self.pgid = proc.pid
            self.procs[name] = proc
            say(f"started {name} (pid {proc.pid}, process group {self.pgid})")
            if name in self.ready:
                self._wait_ready(name, proc)

    def _wait_ready(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.ready[name]():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}) before it was ready")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after {READY_TIMEOUT_S:.0f}s")
            time.sleep(0.1)

    def wait(self) -> int:
        """Until a signal arrives or a component exits; then stop the group. The exit status."""
        # the handler only takes note, so a second Ctrl-C (or the terminal closing) while the group
        # stops does not interrupt the stopping
        previous = {s: signal.signal(s, self._on_signal) for s in STOP_SIGNALS}
        try:
            exited: str | None = None
            try:
                self.start()
            except RuntimeError as exc:
                say(f"{exc}; stopping the others")
                return 1
            while self._stop_signal is None and exited is None:
                exited = next((n for n, p in self.procs.items() if p.poll() is not None), None)
                time.sleep(0.2)
            if exited is not None:
                code = self.procs[exited].returncode
                say(f"{exited} exited ({code}); stopping the others")
            else:
                say(f"{signal.Signals(self._stop_signal).name}: stopping")
        finally:
            self.stop()
            for s, handler in previous.items():
                signal.signal(s, handler)
        return 0 if exited is None else 1

    def stop(self) -> None:
        """SIGTERM to the `stop_first` commands, then to the whole group, SIGKILL to what is left after the
        grace period; reap."""
        if self.pgid is None:
            return
        deadline = time.monotonic() + self.grace_s
        first = [self.procs[name] for name in self.stop_first if name in self.procs]
        for proc in first:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in first:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        while time.monotonic() < deadline:
            for proc in self.procs.values():
                proc.poll()  # reap our children, or the group would look alive (zombies)
            if not group_alive(self.pgid):
                break
            time.sleep(0.2)
        else:
            say(f"still running after {self.grace_s:.0f}s: killing the group")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGKILL)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        say("stopped")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m paper_graph.local.airflow", description="Airflow on loopback, one process group"
    )
    parser.add_argument("--executor", choices=("local", "celery"), default="local")
    parser.add_argument("--celery-workers", type=int, default=celery.DEFAULT_WORKERS, metavar="N")
    parser.add_argument("--worker-concurrency", type=int, default=2, metavar="N", help="task slots each")
    parser.add_argument("--redis-port", type=int, default=celery.DEFAULT_REDIS_PORT, metavar="PORT")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.umask(0o077)  # what the components write (logs, the metadata database) is the user's alone
    home = Path(supervised_env()["AIRFLOW_HOME"])
    executor_env = celery.celery_env(home, args.redis_port) if args.executor == "celery" else {}
    env = supervised_env(executor_env)
    airflow = airflow_bin()
    commands: dict[str, list[str]] = {}
    ready: dict[str, Callable[[], bool]] = {}
    if args.executor == "celery":
        if celery.port_taken(args.redis_port):
            sys.exit(f"127.0.0.1:{args.redis_port} is taken: choose another port (--redis-port, REDIS_PORT)")
        try:
            commands["redis"] = celery.redis_command(home, args.redis_port)
        except FileNotFoundError as exc:
            sys.exit(str(exc))
        ready["redis"] = lambda: celery.redis_ready(args.redis_port)
    commands |= {name: [airflow, *component] for name, component in COMPONENTS.items()}
    workers: dict[str, list[str]] = {}
    if args.executor == "celery":
        workers = celery.worker_commands(airflow, home, args.celery_workers, args.worker_concurrency)
    commands |= workers
    password_file = ensure_password_file(home)
    migrate = subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, text=True)
    if migrate.returncode != 0:
        sys.exit(f"airflow db migrate failed:\n{migrate.stdout[-2000:]}{migrate.stderr[-2000:]}")
    print(
        f"Airflow UI: {env['AIRFLOW__API__BASE_URL']}  user admin, password in {password_file}\n"
        f"Snapshot downloads: {env['AIRFLOW__API__BASE_URL']}/snapshots/ (after login)   Stop: Ctrl-C",
        flush=True,
    )
    sys.exit(Supervisor(commands, env, ready=ready, stop_first=tuple(workers)).wait())


if __name__ == "__main__":
    main()
