"""`make airflow` as a person meets it: the project's supervisor (paper_graph/local/airflow.py) runs the real
Airflow components; they listen on loopback only, the admin password stays in a 0600 file, the
snapshot page needs a login and downloads from the sidebar in headless Chromium, and Ctrl-C or
SIGTERM leaves no process behind."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph.snapshot import open_snapshot, write_snapshot
from tests.graph_snapshot import fixture_rows
from tests.support.airflow_standalone import AirflowStandalone, neo4j_connection
from tests.support.chromium import wait_for

REPO = Path(__file__).resolve().parents[2]
DAY = "2024-05-27"
SCREENSHOTS = REPO / "var" / "test-screenshots"
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"

pytestmark = pytest.mark.slow


def _start(home: Path, neo4j_server, snapshots: Path) -> AirflowStandalone:  # type: ignore[no-untyped-def]
    airflow = AirflowStandalone(
        home,
        {
            "AIRFLOW_CONN_NEO4J_DEFAULT": neo4j_connection(neo4j_server),
            "PAPER_GRAPH_SNAPSHOTS": str(snapshots),
        },
    )
    airflow.env.pop("AIRFLOW__API__HOST", None)  # the supervisor's own default must be loopback
    airflow.start()
    # the scheduler starts its LocalExecutor workers soon after it reports healthy
    wait_for(lambda: _workers(airflow), 60, "LocalExecutor workers")
    return airflow


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("snapshots")
    write_snapshot(root, DAY, "run-27", fixture_rows.all_tables())
    return root


@pytest.fixture(scope="module")
def airflow(
    tmp_path_factory: pytest.TempPathFactory, neo4j_server, snapshots: Path
) -> Iterator[AirflowStandalone]:  # type: ignore[no-untyped-def]
    airflow = _start(tmp_path_factory.mktemp("airflow-local"), neo4j_server, snapshots)
    try:
        yield airflow
    finally:
        airflow.stop()


def _workers(airflow: AirflowStandalone) -> list[str]:
    return [" ".join(p.cmdline()) for p in airflow.processes() if "LocalExecutor" in " ".join(p.cmdline())]


def _password(airflow: AirflowStandalone) -> str:
    return json.loads((airflow.home / PASSWORD_FILE).read_text())["admin"]


def test_every_listening_socket_is_on_loopback(airflow: AirflowStandalone) -> None:
    listening = {
        (proc.pid, conn.laddr.ip, conn.laddr.port)
        for proc in airflow.processes()
        for conn in proc.net_connections("inet")
        if conn.status == "LISTEN"
    }
    assert (airflow.port) in {port for _, _, port in listening}, listening
    assert all(ipaddress.ip_address(ip).is_loopback for _, ip, _ in listening), listening
    assert not {8793, 8794} & {port for _, _, port in listening}  # no log servers


def test_admin_password_is_in_a_0600_file_and_never_printed(airflow: AirflowStandalone) -> None:
    path = airflow.home / PASSWORD_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    password = _password(airflow)
    assert len(password) >= 16
    assert password not in (airflow.home / "standalone.log").read_text(errors="replace")
    assert airflow.token()  # and it is the password the API server accepts


def test_snapshot_page_needs_a_login(airflow: AirflowStandalone) -> None:
    base = f"{airflow.base_url}/snapshots"
    assert requests.get(f"{base}/{DAY}.zip", timeout=30).status_code == 401
    page = requests.get(f"{base}/", headers={"Accept": "text/html"}, timeout=30, allow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/auth/login?next=")
    authorized = requests.get(f"{base}/", headers={"Authorization": f"Bearer {airflow.token()}"}, timeout=30)
    assert authorized.status_code == 200 and DAY in authorized.text


def test_downloads_from_the_sidebar_entry_in_chromium(
    airflow: AirflowStandalone, snapshots: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    from tests.support.chromium import chromium_browser, wait_for_download

    downloads = tmp_path / "downloads"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    snapshot = open_snapshot(snapshots, DAY)
    with chromium_browser(downloads) as driver:
        driver.get(f"{airflow.base_url}/")
        wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "input[name=username]"), 90, "the login form")
        driver.find_element(By.CSS_SELECTOR, "input[name=username]").send_keys("admin")
        driver.find_element(By.CSS_SELECTOR, "input[name=password]").send_keys(_password(airflow))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        browse = wait_for(
            lambda: driver.find_element(By.CSS_SELECTOR, "[data-testid=nav-sidebar] button[title=Browse]"),
            90,
            "the sidebar's Browse menu",
        )
        browse.click()
        entry = wait_for(
            lambda: driver.find_element(By.CSS_SELECTOR, "a[href='/snapshots/']"), 30, "Snapshots"
        )
        driver.save_screenshot(str(SCREENSHOTS / "airflow-sidebar.png"))
        before = set(driver.window_handles)
        entry.click()
        wait_for(lambda: len(driver.window_handles) > len(before) or "/snapshots/" in driver.current_url, 30)
        new = set(driver.window_handles) - before
        if new:
            driver.switch_to.window(new.pop())
        wait_for(lambda: "paper-graph snapshots" in driver.title, 30, "the snapshot page")
        assert driver.current_url.rstrip("/").endswith("/snapshots")  # the page itself, not an iframe
        driver.save_screenshot(str(SCREENSHOTS / "airflow-snapshots-page.png"))

        driver.find_element(
            By.CSS_SELECTOR, f"a[href='/snapshots/{DAY}/files/papers/part-00000.parquet']"
        ).click()
        parquet = wait_for_download(downloads, f"{DAY}-papers-part-00000.parquet")
        assert (
            hashlib.sha256(parquet.read_bytes()).hexdigest()
            == snapshot.file_entry("papers/part-00000.parquet").sha256
        )

        driver.find_element(By.CSS_SELECTOR, f"a[href='/snapshots/{DAY}.zip']").click()
        archive = wait_for_download(downloads, f"paper-graph-snapshot-{DAY}.zip")
        with zipfile.ZipFile(archive) as zipped:
            members = {name: hashlib.sha256(zipped.read(name)).hexdigest() for name in zipped.namelist()}
        for entry in snapshot.manifest.files():
            assert members[f"dt={DAY}/{entry.path}"] == entry.sha256, entry.path
        assert "Download is disallowed" not in driver.page_source


def test_ctrl_c_leaves_no_process(airflow: AirflowStandalone) -> None:
    """Last in the module: stops the module's Airflow as Ctrl-C does."""
    assert _workers(airflow), "no LocalExecutor workers seen"
    airflow.stop(signal.SIGINT)
    assert airflow.proc is not None and airflow.proc.returncode == 0
    assert not airflow.leftovers, airflow.leftovers


def test_sigterm_leaves_no_process(tmp_path: Path, neo4j_server, snapshots: Path) -> None:  # type: ignore[no-untyped-def]
    airflow = _start(tmp_path / "airflow", neo4j_server, snapshots)
    try:
        assert _workers(airflow)
    finally:
        airflow.stop(signal.SIGTERM)
    assert not airflow.leftovers, airflow.leftovers
