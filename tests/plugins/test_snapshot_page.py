"""The snapshot download page, over real HTTP, served by a real `airflow api-server` with the plugin."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from graph.snapshot import open_snapshot, write_snapshot
from tests.graph_snapshot import fixture_rows
from tests.support.airflow_standalone import free_port, neo4j_connection

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
DAY = "2024-05-27"
BROWSER_URL = "http://127.0.0.1:17474/browser/"


@dataclass(frozen=True)
class Page:
    base_url: str
    root: Path
    home: Path
    probe: str
    neo4j: Any
    headers: dict[str, str]  # an Airflow login: the page answers nothing without one


def _env(home: Path, root: Path, neo4j_server) -> dict[str, str]:
    (home / "dags").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
        "AIRFLOW_CONN_NEO4J_DEFAULT": neo4j_connection(neo4j_server),
        "PAPER_GRAPH_SNAPSHOTS": str(root),
        "NEO4J_BROWSER_URL": BROWSER_URL,
    }


def _stop(proc: subprocess.Popen[bytes]) -> None:
    pgid = os.getpgid(proc.pid)
    os.killpg(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # workers still hanging on
        proc.wait(timeout=10)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, neo4j_server) -> Iterator[Page]:
    home = tmp_path_factory.mktemp("airflow-home")
    root = tmp_path_factory.mktemp("snapshots")
    tables = fixture_rows.all_tables()
    write_snapshot(root, "2024-05-26", "run-26", {"papers": tables["papers"][:1]})
    write_snapshot(root, DAY, "run-27", tables)

    probe = f"https://example.org/snapshot-page-probe-{uuid.uuid4().hex[:8]}/"  # Repository urls
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        driver.execute_query("UNWIND range(1, 3) AS i CREATE (:Repository {url: $probe + i})", probe=probe)
        # two labels each: the headline must count these nodes once, not once per label
        driver.execute_query("UNWIND range(1, 2) AS i CREATE (:Entity:Method {key: $probe + i})", probe=probe)

    env = _env(home, root, neo4j_server)
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=180)
    port = free_port()
    log = (home / "api-server.log").open("wb")
    proc = subprocess.Popen(
        [AIRFLOW, "api-server", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"api-server exited: see {home / 'api-server.log'}"
            try:
                if requests.get(f"{base_url}/api/v2/monitor/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"api-server not healthy: see {home / 'api-server.log'}"
            time.sleep(0.5)
        password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
        token = requests.post(
            f"{base_url}/auth/token", json={"username": "admin", "password": password}, timeout=30
        ).json()["access_token"]
        yield Page(
            base_url=f"{base_url}/snapshots",
            root=root,
            home=home,
            probe=probe,
            neo4j=neo4j_server,
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        pgid = os.getpgid(proc.pid)
        _stop(proc)
        log.close()
        assert not _group_alive(pgid), "api-server processes left behind"
        with GraphDatabase.driver(
            neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)
        ) as driver:
            driver.execute_query("MATCH (n:Repository) WHERE n.url STARTS WITH $probe DELETE n", probe=probe)
            driver.execute_query("MATCH (n:Entity) WHERE n.key STARTS WITH $probe DELETE n", probe=probe)


def test_listing_shows_snapshots_counts_and_links(page: Page) -> None:
    response = requests.get(f"{page.base_url}/", headers=page.headers, timeout=30)
    assert response.status_code == 200
    text = response.text
    assert text.index(DAY) < text.index("2024-05-26")  # newest first
    assert f'href="/snapshots/{DAY}/files/papers/part-00000.parquet"' in text
    assert f"href='/snapshots/{DAY}.zip'" in text
    assert "papers: 3 rows" in text and "mentions: 10 rows" in text
    assert f'href="{BROWSER_URL}"' in text
    assert "graph unavailable" not in text
    # read from the real Neo4j through the provider's hook: graph.db.runner.graph_counts, per model label
    from neo4j import GraphDatabase

    with GraphDatabase.driver(page.neo4j.uri, auth=(page.neo4j.user, page.neo4j.password)) as driver:
        records, _, _ = driver.execute_query("MATCH (n:Repository) RETURN count(n) AS n")
    repositories = records[0]["n"]
    assert repositories >= 3  # the probes
    assert f"node Repository: {repositories:,}" in text

    listing = requests.get(f"{page.base_url}/api/snapshots", headers=page.headers, timeout=30).json()
    assert [s["date"] for s in listing] == ["2024-05-26", DAY]
    assert listing[1]["tables"]["mentions"]["rows"] == 10
    assert listing[1]["size"] == open_snapshot(page.root, DAY).manifest.size


def test_headline_counts_each_node_once_and_pluralises(page: Page, neo4j_server) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
        labelled = driver.execute_query("MATCH (n) UNWIND labels(n) AS l RETURN count(*) AS n").records[0][
            "n"
        ]
        rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    assert labelled > nodes  # the probe nodes carry two labels
    text = requests.get(f"{page.base_url}/", headers=page.headers, timeout=30).text
    node_word = "node" if nodes == 1 else "nodes"
    rel_word = "relationship" if rels == 1 else "relationships"
    assert f'<p id="graph-totals">{nodes:,} {node_word}, {rels:,} {rel_word}</p>' in text
    assert "papers: 1 row," in text and "1 rows" not in text  # the 2024-05-26 snapshot holds one paper


def test_plugin_is_registered_with_a_nav_link(page: Page) -> None:
    base = page.base_url.removesuffix("/snapshots")
    plugins = requests.get(f"{base}/api/v2/plugins", headers=page.headers, timeout=30).json()["plugins"]
    (ours,) = [p for p in plugins if p["name"] == "paper_graph_snapshots"]
    assert ours["fastapi_apps"][0]["url_prefix"] == "/snapshots"
    (view,) = ours["external_views"]
    assert (view["name"], view["href"], view["destination"]) == ("Snapshots", "/snapshots/", "nav")
    assert view["category"] == "browse"  # a menu entry is a real link (a top-level one is a dead <button>)
    # without url_route the UI links to the page instead of embedding it in a sandboxed iframe
    assert view.get("url_route") is None


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/snapshots",
        f"/{DAY}.zip",
        f"/{DAY}/_manifest.json",
        f"/{DAY}/files/papers/part-00000.parquet",
    ],
)
def test_nothing_is_served_without_an_airflow_login(page: Page, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Cookie": "_token=forged"}):
        response = requests.get(page.base_url + path, headers=headers, timeout=30, allow_redirects=False)
        assert response.status_code == 401, (path, headers, response.status_code)
        assert b"PAR1" not in response.content and DAY not in response.text


def test_a_browser_without_login_is_sent_to_the_login_page(page: Page) -> None:
    response = requests.get(
        f"{page.base_url}/", headers={"Accept": "text/html"}, timeout=30, allow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=/snapshots/"
    cookie = page.headers["Authorization"].removeprefix("Bearer ")
    logged_in = requests.get(f"{page.base_url}/", cookies={"_token": cookie}, timeout=30)  # the UI's session
    assert logged_in.status_code == 200 and DAY in logged_in.text


def test_file_download_matches_the_bytes_on_disk(page: Page) -> None:
    response = requests.get(
        f"{page.base_url}/{DAY}/files/mentions/part-00000.parquet", headers=page.headers, timeout=30
    )
    assert response.status_code == 200
    on_disk = (page.root / f"dt={DAY}" / "mentions" / "part-00000.parquet").read_bytes()
    assert response.content == on_disk
    assert (
        response.headers["x-checksum-sha256"]
        == open_snapshot(page.root, DAY).file_entry("mentions/part-00000.parquet").sha256
    )
    manifest = requests.get(f"{page.base_url}/{DAY}/_manifest.json", headers=page.headers, timeout=30)
    assert manifest.content == (page.root / f"dt={DAY}" / "_manifest.json").read_bytes()


def test_zip_holds_every_file(page: Page) -> None:
    response = requests.get(f"{page.base_url}/{DAY}.zip", headers=page.headers, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    folder = page.root / f"dt={DAY}"
    expected = {f"dt={DAY}/{p.relative_to(folder)}": p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == expected


@pytest.mark.parametrize(
    "path",
    [
        "/2030-01-01.zip",
        "/2030-01-01/files/papers/part-00000.parquet",
        f"/{DAY}/files/papers/part-00009.parquet",
    ],
)
def test_unknown_snapshot_or_file_is_404(page: Page, path: str) -> None:
    assert requests.get(page.base_url + path, headers=page.headers, timeout=30).status_code == 404


@pytest.mark.parametrize(
    "raw_path",
    [
        f"/snapshots/{DAY}/files/../../../../etc/passwd",
        f"/snapshots/{DAY}/files/papers/..%2F..%2F_manifest.json",
        f"/snapshots/{DAY}/files/..%2F{DAY}/papers",
        "/snapshots/..%2Fdt=2024-05-27.zip",
        "/snapshots/../../etc/passwd.zip",
        f"/snapshots/{DAY}/files/%2Fetc/passwd",
        "/snapshots/%2Fetc%2Fpasswd/_manifest.json",
    ],
)
def test_path_traversal_is_refused(page: Page, raw_path: str) -> None:
    # http.client sends the path exactly as written (requests would normalise the dots away)
    host, port = page.base_url.removeprefix("http://").split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", raw_path, headers=page.headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status in (400, 404), (raw_path, response.status)
    assert b"root:" not in body and b"PAR1" not in body


def test_graph_unavailable_is_shown_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: with Neo4j down (a closed port) or no connection at all, the page still renders."""
    monkeypatch.syspath_prepend(str(REPO / "plugins"))
    import paper_graph_snapshots as plugin

    closed = json.dumps({"conn_type": "neo4j", "host": "127.0.0.1", "port": free_port(), "login": "neo4j"})
    monkeypatch.setenv("AIRFLOW_CONN_NEO4J_DEFAULT", closed)
    with pytest.raises(Exception, match="(?i)connect"):
        plugin.graph_counts()
    assert asyncio.run(plugin._graph_counts_or_none()) is None
    monkeypatch.delenv("AIRFLOW_CONN_NEO4J_DEFAULT")
    assert asyncio.run(plugin._graph_counts_or_none()) is None
    page = plugin.render_page([], None, None)
    assert "graph unavailable" in page and "no snapshots yet" in page
