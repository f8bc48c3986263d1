"""A real Neo4j 5.26 Community server on loopback, without Docker.

The server jars (and the Neo4j Browser jar) are resolved from Maven Central by `neo4j/pom.xml`
into `.neo4j/lib`. Each *instance* (`default` for `make run`, `test` for the test suite) is its
own Neo4j home under `.neo4j/instances/<name>` with its own conf, data, logs and pid file, so the
test suite never touches the data `make run` loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from paper_graph import connection
from paper_graph.config import PROJECT_ROOT
from paper_graph.connection import NEO4J_ROOT
from paper_graph.local import class_data, guide_server

POM = PROJECT_ROOT / "neo4j" / "pom.xml"
USER = connection.DEFAULT_USER

# Taken from the stock 5.26 neo4j.conf; AlwaysPreTouch is left out on purpose (it commits the whole heap).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]

CONF_TEMPLATE = """\
# Written by paper_graph/local/neo4j.py; edit that file, not this one.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:{bolt_port}
server.bolt.advertised_address=127.0.0.1:{bolt_port}
server.http.enabled=true
server.http.listen_address=127.0.0.1:{http_port}
server.http.advertised_address=127.0.0.1:{http_port}
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
server.memory.heap.initial_size={heap_initial}
server.memory.heap.max_size={heap_max}
server.memory.pagecache.size={pagecache}
dbms.memory.transaction.total.max=512m
server.directories.import=import
# internal setting: stop in ~2 s instead of ~12 s
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
# Browser: play guides from this machine's guide server (paper_graph/local/guide_server.py), ours on connect
browser.remote_content_hostname_whitelist=guides.neo4j.com,localhost,127.0.0.1
browser.post_connect_cmd=play {guide_url}
"""


TAIL_LINES = 15  # log lines shown when the server fails to start
_STACK_FRAME = re.compile(r"^\s+(at |\.\.\. \d+ more)")


class Neo4jLocalError(RuntimeError):
    """The local server could not be installed, started or stopped."""


@dataclass(frozen=True)
class Instance:
    name: str = "default"
    bolt_port: int = 7687
    http_port: int = 7474
    heap_initial: str = "512m"
    heap_max: str = "1g"
    pagecache: str = "256m"

    @property
    def home(self) -> Path:
        return NEO4J_ROOT / "instances" / self.name

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @classmethod
    def from_env(cls, name: str = "default", bolt_port: int = 7687, http_port: int = 7474) -> Instance:
        return cls(
            name=os.environ.get("NEO4J_INSTANCE", name),
            bolt_port=connection.bolt_port() if os.environ.get("NEO4J_BOLT_PORT") else bolt_port,
            http_port=int(os.environ.get("NEO4J_HTTP_PORT", http_port)),
        )


def lib_dir() -> Path:
    return NEO4J_ROOT / "lib"


def _pom_stamp() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def install(force: bool = False) -> None:
    """Resolve the server and Browser jars with Maven (skipped when the pom is unchanged)."""
    stamp_file = NEO4J_ROOT / ".installed"
    if (
        not force
        and stamp_file.exists()
        and stamp_file.read_text() == _pom_stamp()
        and any(lib_dir().glob("*.jar"))
    ):
        return
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise Neo4jLocalError(
            "Neo4j needs `java` (17) and `mvn` on PATH (Debian: openjdk-17-jre-headless maven)"
        )
    if lib_dir().exists():
        shutil.rmtree(lib_dir())
    cmd = ["mvn", "-B", "-q", f"-Dneo4j.home={NEO4J_ROOT}", "-f", str(POM), "package"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise Neo4jLocalError(
            f"resolving Neo4j jars failed ({' '.join(cmd)}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    jars = list(lib_dir().glob("*.jar"))
    if not any(j.name.startswith("neo4j-browser") for j in jars):
        raise Neo4jLocalError(f"{lib_dir()}: the Neo4j Browser jar is missing after `mvn package`")
    stamp_file.write_text(_pom_stamp())


def password() -> str:
    """The server's password: NEO4J_PASSWORD, else the generated one in .neo4j/password (created)."""
    return connection.password(create=True)


def _classpath() -> str:
    return f"{lib_dir()}/*"


def _prepare(instance: Instance, guide_url: str) -> None:
    for sub in ("conf", "data", "logs", "run", "import", "plugins"):
        (instance.home / sub).mkdir(parents=True, exist_ok=True)
    (instance.home / "conf" / "neo4j.conf").write_text(
        CONF_TEMPLATE.format(
            guide_url=guide_url,
            bolt_port=instance.bolt_port,
            http_port=instance.http_port,
            heap_initial=instance.heap_initial,
            heap_max=instance.heap_max,
            pagecache=instance.pagecache,
        )
    )
    auth_file = instance.home / "data" / "dbms" / "auth.ini"
    if not auth_file.exists():
        pw = password()
        if len(pw) < 8:
            raise Neo4jLocalError("the Neo4j password must have at least 8 characters")
        result = admin(instance, ["dbms", "set-initial-password", "--", pw])
        if result.returncode != 0:
            raise Neo4jLocalError(f"set-initial-password failed: {result.stderr or result.stdout}")


def admin(
    instance: Instance, args: list[str], heap: str | None = None, *, archive_role: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `neo4j-admin ARGS` (org.neo4j.cli.AdminTool) against the instance's home and conf; with
    `archive_role`, through that kind of run's class-data archive (paper_graph/local/class_data.py)."""
    flags = [f"-Xmx{heap}"] if heap else []
    archive = class_data.Archive.for_run(archive_role, [_classpath()], flags) if archive_role else None
    result = subprocess.run(
        [
            "java",
            *flags,
            *(archive.flags() if archive else []),
            "-cp",
            _classpath(),
            "org.neo4j.cli.AdminTool",
            *args,
        ],
        env={**os.environ, "NEO4J_HOME": str(instance.home), "NEO4J_CONF": str(instance.home / "conf")},
        capture_output=True,
        text=True,
    )
    if archive:
        archive.finish(clean_exit=result.returncode == 0)
    return result


def import_full(instance: Instance, args: list[str], heap: str = "1g") -> str:
    """`neo4j-admin database import full ARGS` into the stopped instance; returns the tool's output.

    The conf is rewritten first (as `start` does) so the importer sees the instance's directories."""
    install()
    if running_pid(instance) is not None:
        raise Neo4jLocalError(f"instance {instance.name} is running; stop it before an offline import")
    _prepare(instance, guide_url(instance))  # `start` rewrites the conf with the guide server it starts
    result = admin(instance, ["database", "import", "full", *args], heap=heap, archive_role="import")
    if result.returncode != 0:
        raise Neo4jLocalError(
            f"neo4j-admin database import full failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def running_pid(instance: Instance) -> int | None:
    try:
        pid = int(instance.pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"CommunityEntryPoint" not in cmdline.read_bytes():
        return None  # a recycled pid, not our server
    return pid


def bolt_ready(instance: Instance, pw: str) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    try:
        with GraphDatabase.driver(instance.uri, auth=(USER, pw), connection_timeout=2) as driver:
            driver.verify_connectivity()  # unlike execute_query, does not retry for 30 s
        return True
    except (DriverError, Neo4jError, OSError):  # a server dying mid-handshake raises SessionExpired too
        return False


def http_ready(instance: Instance) -> bool:
    """The server's own HTTP listener answers (any HTTP status; a squatter on the port does not)."""
    try:
        with urllib.request.urlopen(f"{instance.http_url}/", timeout=2) as resp:
            return resp.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def start(instance: Instance, timeout: float = 120.0, *, http: bool = True) -> int:
    """Start the instance in the background (no-op when it already runs); return its pid once Bolt (and,
    unless `http=False`, HTTP) answers. Bolt answers a second or more before the web server: a caller
    with Bolt work to do first passes `http=False` and calls `wait_ready` afterwards."""
    install()
    pid = running_pid(instance)
    pw = password()
    guide = guide_server.ensure_running(instance.home)  # on the port the conf names, when still free
    if pid is not None:
        if not bolt_ready(instance, pw):
            _wait_bolt(instance, pw, pid, timeout)
        return pid
    _prepare(instance, guide)
    if _listening(instance.bolt_port):
        raise Neo4jLocalError(
            f"port {instance.bolt_port} already answers, but not as instance {instance.name!r}"
            f" (no server of its own runs from {instance.home}); pick other ports"
        )
    class_path = [f"{instance.home}/plugins/*", f"{instance.home}/conf/*", _classpath()]
    flags = [*JVM_FLAGS, f"-Xms{instance.heap_initial}", f"-Xmx{instance.heap_max}"]
    archive = class_data.Archive.for_run("server", class_path, flags)
    _finish_pending_archive(instance, clean_exit=False)  # one left by a server that died
    if archive and archive.pending:  # this server dumps its classes when it stops (see `stop`)
        _pending_archive_file(instance).write_text(f"{archive.path}\n{archive.pending}\n")
    cmd = [
        "java",
        "-cp",
        ":".join(class_path),
        *flags,
        *(archive.flags() if archive else []),
        "org.neo4j.server.CommunityEntryPoint",
        f"--home-dir={instance.home}",
        f"--config-dir={instance.home / 'conf'}",
        "--console-mode",
    ]
    log_start = instance.log_file.stat().st_size if instance.log_file.exists() else 0
    with open(instance.log_file, "ab") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    instance.pid_file.write_text(str(proc.pid))
    _wait_bolt(instance, pw, proc.pid, timeout, log_start, http=http)
    return proc.pid


def wait_ready(instance: Instance, timeout: float = 120.0) -> None:
    """Wait until the running instance answers on Bolt and HTTP (after `start(..., http=False)`)."""
    pid = running_pid(instance)
    if pid is None:
        raise Neo4jLocalError(
            f"Neo4j '{instance.name}' is not running. Last lines of {instance.log_file}:\n"
            f"{_tail(instance.log_file, TAIL_LINES)}"
        )
    _wait_bolt(instance, password(), pid, timeout)


POLL_SECONDS = 0.05  # a refused TCP connect is all a poll costs until the port listens (`_listening`)
STOP_POLL_SECONDS = 0.02  # a signal-0 probe of the pid


def _wait_bolt(
    instance: Instance, pw: str, pid: int, timeout: float, log_start: int = 0, *, http: bool = True
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # both listeners: Bolt comes up first, and the server still exits if the HTTP port is taken;
        # the driver's handshake only once the port listens (it costs CPU the starting JVM needs)
        if (
            _listening(instance.bolt_port)
            and bolt_ready(instance, pw)
            and (not http or (_listening(instance.http_port) and http_ready(instance)))
        ):
            return
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0 if _alive(pid) else pid
        if finished:
            raise Neo4jLocalError(
                f"Neo4j '{instance.name}' exited while starting. Last lines of {instance.log_file}:\n"
                f"{_tail(instance.log_file, TAIL_LINES, since=log_start)}"
            )
        time.sleep(POLL_SECONDS)
    raise Neo4jLocalError(
        f"Neo4j '{instance.name}' did not answer on {instance.uri} within {timeout:.0f}s."
        f" Last lines of {instance.log_file}:\n{_tail(instance.log_file, TAIL_LINES, since=log_start)}"
    )


def _listening(port: int) -> bool:
    """Something accepts TCP connections on the loopback port (refused at once when nothing does)."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _tail(path: Path, lines: int = 30, since: int = 0) -> str:
    """The last `lines` lines of the log written after byte `since` (this start's, not earlier ones)."""
    try:
        with path.open("rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return "  (no log file)"
    # Java stack frames say nothing to a person: keep the ERROR / "Caused by" lines and the rest
    kept = [line for line in text.splitlines() if not _STACK_FRAME.match(line)][-lines:]
    return "\n".join(f"  {line}" for line in kept) if kept else "  (the log is empty)"


def stop(instance: Instance, timeout: float = 60.0) -> bool:
    """SIGTERM the server and wait for a clean exit (SIGKILL after `timeout`). True if it was running."""
    guide_server.stop(instance.home)
    pid = running_pid(instance)
    if pid is None:
        instance.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child
            os.waitpid(pid, os.WNOHANG)
        time.sleep(STOP_POLL_SECONDS)
    killed = _alive(pid)
    if killed:
        os.kill(pid, signal.SIGKILL)
    instance.pid_file.unlink(missing_ok=True)
    _finish_pending_archive(instance, clean_exit=not killed)
    return True


def _pending_archive_file(instance: Instance) -> Path:
    return instance.home / "run" / "class-archive.pending"


def _finish_pending_archive(instance: Instance, clean_exit: bool) -> None:
    """The server started without a class-data archive wrote one when it exited: keep it if clean."""
    marker = _pending_archive_file(instance)
    try:
        path, pending = marker.read_text().splitlines()
    except (FileNotFoundError, ValueError):
        return
    class_data.finish_pending(Path(path), Path(pending), clean_exit)
    marker.unlink(missing_ok=True)


def guide_url(instance: Instance) -> str:
    """The URL to `:play` in Browser for the named queries' guide (served while the instance runs)."""
    port = guide_server.running_port(instance.home) or guide_server.recorded_port(instance.home)
    return guide_server.guide_url(port) if port else "(start the server: paper-graph neo4j start)"


def browser_ok(instance: Instance) -> bool:
    try:
        with urllib.request.urlopen(f"{instance.http_url}/browser/", timeout=5) as resp:
            return resp.status == 200 and b"Neo4j Browser" in resp.read()
    except OSError:
        return False
