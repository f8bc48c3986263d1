"""Serve the Neo4j Browser guide on loopback so that `:play <url>` loads it.

Neo4j Browser fetches a remote guide from its own page (http://127.0.0.1:7474) with `fetch(url,
{headers: {pragma, cache-control}})`: a cross-origin request with non-simple headers, so Chromium
first sends an OPTIONS preflight and then needs `Access-Control-Allow-Origin` on the answer.
`python -m http.server` answers OPTIONS with 501 and sends no such header, so Browser says "No guide
by that name". This server answers both, for loopback origins only, binds 127.0.0.1 only, and
serves only the generated guide files. Browser also plays guides only from the hosts in its
`browser.remote_content_hostname_whitelist` setting (localhost is in it by default; `paper_graph.local.neo4j`
adds 127.0.0.1).

The local Neo4j starts one per instance (`paper-graph neo4j start`), in the background, and stops it
with the server; `python -m paper_graph.local.guide_server --port 8001` serves it in the foreground.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from graph.db.browser_guide import GUIDE_NAME, write_browser_files

HOST = "127.0.0.1"
_MODULE = "paper_graph.local.guide_server"  # how the background server is started, and recognised
_LOOPBACK_ORIGIN = re.compile(r"^https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$")


class GuideRequestHandler(SimpleHTTPRequestHandler):
    """Static files of one folder, with CORS for loopback origins (Browser's preflight included)."""

    def _cors_headers(self) -> None:
        origin = self.headers.get("Origin", "")
        if _LOOPBACK_ORIGIN.match(origin):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
            self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
            requested = self.headers.get("Access-Control-Request-Headers")
            if requested:
                self.send_header("Access-Control-Allow-Headers", requested)
            self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Cache-Control", "no-cache")

    def end_headers(self) -> None:
        self._cors_headers()
        super().end_headers()

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404, "No listing")
        return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        sys.stderr.write(f"{self.log_date_time_string()} {self.address_string()} {format % args}\n")


def make_server(folder: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for `folder` on 127.0.0.1 (port 0: any free port; see `server.server_address`)."""
    handler = functools.partial(GuideRequestHandler, directory=str(folder))
    return ThreadingHTTPServer((HOST, port), handler)


def guide_url(port: int) -> str:
    # `localhost`, not 127.0.0.1: it is in Browser's built-in allowlist, which is what Browser checks
    # when it plays the guide right on connect, before it has read the server's allowlist setting
    return f"http://localhost:{port}/{GUIDE_NAME}"


# -- a background server per Neo4j instance ------------------------------------------------------


def _pid_file(home: Path) -> Path:
    return home / "run" / "guide.pid"


def _port_file(home: Path) -> Path:
    return home / "run" / "guide.port"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    return not cmdline.exists() or _MODULE.encode() in cmdline.read_bytes()


def running_port(home: Path) -> int | None:
    """The port of the instance's guide server when it runs and answers, else None."""
    try:
        pid = int(_pid_file(home).read_text())
        port = int(_port_file(home).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not _alive(pid):
        return None
    try:
        with urllib.request.urlopen(guide_url(port), timeout=2) as resp:
            return port if resp.status == 200 else None
    except OSError:
        return None


def recorded_port(home: Path) -> int | None:
    try:
        return int(_port_file(home).read_text())
    except (FileNotFoundError, ValueError):
        return None


def ensure_running(home: Path, timeout: float = 15.0) -> str:
    """Start the instance's guide server unless it runs (on the port it had before when free); its URL."""
    port = running_port(home)
    if port is not None:
        return guide_url(port)
    stop(home)
    folder = home / "guide"
    write_browser_files(folder)  # fresh from the .cypher files at every start
    try:
        return _spawn(home, folder, recorded_port(home) or 0, timeout)
    except _PortTaken:
        return _spawn(home, folder, 0, timeout)


class _PortTaken(RuntimeError):
    pass


def _spawn(home: Path, folder: Path, port: int, timeout: float) -> str:
    for sub in ("run", "logs"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    port_file = _port_file(home)
    port_file.unlink(missing_ok=True)
    log_path = home / "logs" / "guide.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", _MODULE, "--dir", str(folder), "--port", str(port)]
            + ["--port-file", str(port_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _pid_file(home).write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            if port:
                raise _PortTaken(port)
            raise RuntimeError(f"the guide server exited; see {log_path}")
        found = running_port(home)
        if found is not None:
            return guide_url(found)
        time.sleep(0.1)
    raise RuntimeError(f"the guide server did not answer within {timeout:.0f}s; see {log_path}")


def stop(home: Path) -> bool:
    """Stop the instance's guide server (True if it was running)."""
    pid_file = _pid_file(home)
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return False
    pid_file.unlink(missing_ok=True)
    if not _alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to serve (default: the guide, freshly written to a temporary folder).",
)
@click.option(
    "--port", type=int, default=8001, show_default=True, help="Port on 127.0.0.1 (0: any free port)."
)
@click.option(
    "--port-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the port here once listening.",
)
def main(folder: Path | None, port: int, port_file: Path | None) -> None:
    """Serve the Neo4j Browser guide on 127.0.0.1 with the CORS headers `:play` needs."""
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="paper-graph-guide-"))
        write_browser_files(folder)
    server = make_server(folder, port)
    actual = server.server_address[1]
    # SIGTERM (how the Neo4j instance stops it) ends serve_forever like Ctrl-C does
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    if port_file is not None:
        port_file.write_text(str(actual))
    click.echo(
        f"Serving {folder} on http://{HOST}:{actual}/ ; in Neo4j Browser: :play {guide_url(actual)}", err=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
