"""Offline: a host that does not resolve or refuses the connection fails at once, with the reason.

Real requests with the real fetcher: to a loopback port nobody listens on (refused) and to
`nonexistent.invalid` (RFC 2606: resolution fails locally, nothing leaves the machine).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path

import pytest

from extract.archive import Archive
from extract.errors import CONNECT, DNS, FetchError
from extract.fetch import Fetcher, FetchSettings, Request
from paper_graph import steps as pipeline
from tests.support.pipeline_config import write_pipeline_config

JSON = ("application/json",)
# what the retries would cost with the shipped backoff (1 s doubling): about 1 + 2 + 4 + 8 s
SLOW_BACKOFF = FetchSettings(max_retries=4, backoff_factor=1.0, backoff_jitter=0.0, requests_per_second=0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def refused_url() -> str:
    return f"http://127.0.0.1:{_closed_port()}/api/daily_papers"


def _get(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.get(Request(url, JSON), source="s", kind="hf_daily", run_date="2024-06-01")
    return caught.value


@pytest.mark.parametrize(
    ("target", "cause", "says"),
    [("refused", CONNECT, "Connection refused"), ("dns", DNS, "does not resolve")],
)
def test_unreachable_host_fails_at_once_without_http_retries(
    target: str, cause: str, says: str, refused_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = refused_url if target == "refused" else "http://nonexistent.invalid/api/daily_papers"
    caplog.set_level(logging.WARNING, logger="urllib3")
    began = time.monotonic()
    with Fetcher(Archive(tmp_path), SLOW_BACKOFF) as fetcher:
        error = _get(fetcher, url)
        again = _get(fetcher, url.replace("daily_papers", "papers/search"))
    assert time.monotonic() - began < 5  # the backoff alone would sleep ~15 s
    assert not [r for r in caplog.records if "Retrying" in r.getMessage()]  # urllib3 logs each retry
    assert error.cause == cause and error.unreachable
    assert says in str(error) and url in str(error)
    assert again.cause == cause and "not tried again this run" in str(again)


def test_other_errors_are_not_called_unreachable(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.http_server import Reply

    http_server.route("/api/daily_papers", Reply(status=404, body=b"no"))
    settings = FetchSettings(max_retries=0, requests_per_second=0)
    with Fetcher(Archive(tmp_path), settings) as fetcher:
        error = _get(fetcher, f"{http_server.base_url}/api/daily_papers")
    assert error.cause == "http" and error.status == 404 and not error.unreachable


def test_steps_name_each_failed_source_and_why_and_fail_permanently(refused_url: str, tmp_path: Path) -> None:
    base = refused_url.rsplit("/api", 1)[0]
    unreachable = [
        {"name": "local_down", "kind": "hf_daily", "base_url": base},
        {"name": "no_dns", "kind": "hf_search", "query": "x", "base_url": "http://nonexistent.invalid"},
    ]
    fetch = {"max_retries": 4, "backoff_factor": 1.0, "requests_per_second": 0}
    config = write_pipeline_config(tmp_path, unreachable, fetch)
    sources = pipeline.plan_sources(str(config))
    for source in sources:
        with pytest.raises(
            pipeline.PermanentError, match=f"source {source['name']}: .*make run SOURCES=dump:"
        ):
            pipeline.fetch(str(config), source, "2024-06-01")
    failures = pipeline.fetch_failures(str(config), "2024-06-01", [s["name"] for s in sources])
    assert failures["local_down"].startswith("CONNECT: ") and "Connection refused" in failures["local_down"]
    assert failures["no_dns"].startswith("DNS: ") and "nonexistent.invalid" in failures["no_dns"]
    status = json.loads((tmp_path / "data" / "fetch_status" / "dt=2024-06-01" / "no_dns.json").read_text())
    assert status["ok"] is False and status["cause"] == DNS

    with pytest.raises(pipeline.PermanentError) as caught:
        pipeline.parse(str(config), sources, "2024-06-01")
    message = str(caught.value)
    assert "all 2 sources failed" in message and "make run SOURCES=dump:../shared/seeds" in message
    assert "local_down (CONNECT:" in message and "no_dns (DNS:" in message


def test_unresolvable_hosts_are_found_before_any_request(refused_url: str, tmp_path: Path) -> None:
    from extract.sources import unresolvable_host

    down = {"name": "d", "kind": "hf_daily", "base_url": "http://nonexistent.invalid"}
    assert "the host name nonexistent.invalid does not resolve" in (unresolvable_host(down) or "")
    assert unresolvable_host({"name": "l", "kind": "hf_daily", "base_url": refused_url}) is None  # resolves
    assert unresolvable_host({"name": "s", "kind": "dump", "path": str(tmp_path)}) is None


def test_make_run_offline_stops_at_once_naming_each_source(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    sources = [
        {"name": "no_dns", "kind": "hf_daily", "base_url": "http://nonexistent.invalid"},
        {"name": "no_dns_either", "kind": "arxiv", "query": "x", "base_url": "http://also.invalid"},
    ]
    config = write_pipeline_config(tmp_path, sources)
    script = Path(__file__).resolve().parents[2] / "scripts" / "run_pipeline.py"
    result = subprocess.run(
        [sys.executable, str(script), "--date", "2024-06-01"],
        env={**os.environ, "PAPER_GRAPH_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "source no_dns: the host name nonexistent.invalid does not resolve" in result.stdout
    assert "source no_dns_either: the host name also.invalid does not resolve" in result.stdout
    assert "make run SOURCES=dump:../shared/seeds" in result.stderr
    assert "Starting Neo4j" not in result.stdout  # nothing started for a run that cannot fetch
