"""The Neo4j Browser guide and favourites carry exactly the catalog's queries, and they run: on the
server (each `:param` expression evaluated as Browser does) and played in Neo4j Browser itself,
in headless Chromium, from the guide server the local instance runs."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from graph.db.browser_guide import FAVORITES_NAME, GUIDE_NAME, params_command, write_browser_files
from graph.db.loader import ALL_STEPS, load_snapshot, wipe_graph
from graph.db.queries import catalog
from tests.conftest import REPO, shared_dir

SEED_LIKE = REPO / "tests" / "fixtures" / "guide"
SCREENSHOTS = REPO / "var" / "test-screenshots"
DAY = "2024-06-01"
_PARAM_LINE = re.compile(r"^:param (\w+) => (.*);$")


def test_guide_and_favorites_hold_every_query(tmp_path: Path) -> None:
    guide, favorites = write_browser_files(tmp_path)
    assert (guide.name, favorites.name) == (GUIDE_NAME, FAVORITES_NAME)
    text = guide.read_text(encoding="utf-8")
    with zipfile.ZipFile(favorites) as archive:
        assert sorted(archive.namelist()) == sorted(f"{name}.cypher" for name in catalog())
        for name, query in catalog().items():
            assert html.escape(query.body) in text
            assert html.escape(params_command(query)) in text
            favorite = archive.read(f"{name}.cypher").decode("utf-8")
            header, _, body = favorite.partition("\n")
            assert header.startswith(f"// {name}: ")
            param_lines = [line for line in body.splitlines() if line.startswith(":param ")]
            assert [line.split()[1] for line in param_lines] == [p.name for p in query.params]
            assert body.split("\n", len(param_lines))[-1].strip() == query.body


def test_files_are_reproducible(tmp_path: Path) -> None:
    first = [p.read_bytes() for p in write_browser_files(tmp_path / "a")]
    second = [p.read_bytes() for p in write_browser_files(tmp_path / "b")]
    assert first == second


def test_params_are_set_with_param_lines_that_keep_integers() -> None:
    """`:params {limit: 20}` is parsed by Browser, which stores 20.0; `:param limit => 20` is not."""
    for query in catalog().values():
        lines = params_command(query).splitlines()
        assert [_PARAM_LINE.match(line).group(1) for line in lines] == [p.name for p in query.params]
        if "$limit" in query.body:
            assert "toInteger($limit)" in query.body and ":param limit => " in params_command(query)


def build_graph_from_dump(driver: Any, dump: Path, tmp_path: Path) -> None:
    """What `make run SOURCES=dump:<dump>` does (fetch, parse, extract, snapshot, load), in process."""
    from graph.snapshot import open_snapshot
    from paper_graph import steps
    from paper_graph.config import load_config

    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f'[paths]\ndata_root = "{tmp_path / "data"}"\n\n'
        f'[[sources]]\nname = "saved"\nkind = "dump"\npath = "{dump}"\n',
        encoding="utf-8",
    )
    sources = steps.plan_sources(str(config))
    for source in sources:
        steps.fetch(str(config), source, DAY)
    parsed = steps.parse(str(config), sources, DAY)
    extracted = steps.extract(str(config), parsed)
    steps.write_snapshot(str(config), extracted, "guide-test")
    wipe_graph(driver)
    load_snapshot(driver, open_snapshot(load_config(str(config)).paths.snapshots, DAY), steps=ALL_STEPS)


def slide_params(driver: Any, query_name: str) -> dict[str, Any]:
    """The slide's parameters as Browser sets them (`:param name => expr` runs `RETURN expr`)."""
    values = {}
    for line in params_command(catalog()[query_name]).splitlines():
        name, expression = _PARAM_LINE.match(line).groups()
        (record,) = driver.execute_query(f"RETURN {expression} AS value").records
        values[name] = record["value"]
    return values


def citation_queries() -> set[str]:
    """The slides that read what enrichment loads (CITES edges, Hub repos)."""
    return {name for name, query in catalog().items() if ":CITES" in query.body}


def assert_every_slide_returns_rows(driver: Any) -> None:
    """Every slide gives rows, except the citation slides on a graph without citations: these pages
    carry titles only, and offline nothing resolves them to arXiv ids, so nothing is cited (the
    citation queries' rows are checked on an enriched graph in test_citations.py)."""
    (record,) = driver.execute_query("MATCH ()-[r:CITES]->() RETURN count(r) AS n").records
    may_be_empty = citation_queries() if record["n"] == 0 else set()
    empty = set()
    for name, query in catalog().items():
        records, _, _ = driver.execute_query(query.body, slide_params(driver, name))
        if not records and not name.startswith("dq_"):  # data-quality queries list problems: none is fine
            empty.add(name)
    unexpected = empty - may_be_empty
    assert not unexpected, f"slides returning no rows with the guide's example values: {unexpected}"


@pytest.fixture(scope="module")
def seed_like_graph(neo4j_driver, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    build_graph_from_dump(
        neo4j_driver, SEED_LIKE / "seed_like_listing.txt", tmp_path_factory.mktemp("seed-like")
    )
    return neo4j_driver


def test_every_slide_returns_rows_on_a_seed_like_graph(seed_like_graph) -> None:  # type: ignore[no-untyped-def]
    assert_every_slide_returns_rows(seed_like_graph)


@pytest.mark.shared
def test_every_slide_returns_rows_on_the_seeds_graph(neo4j_driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The graph `make run SOURCES=dump:../shared/seeds` loads (the guide's examples are chosen on it)."""
    seeds = shared_dir() / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"{seeds} is absent (set PAPER_GRAPH_SHARED)")
    try:
        build_graph_from_dump(neo4j_driver, seeds, tmp_path)
        assert_every_slide_returns_rows(neo4j_driver)
    finally:
        wipe_graph(neo4j_driver)  # the module's other tests expect the seed-like graph
        build_graph_from_dump(neo4j_driver, SEED_LIKE / "seed_like_listing.txt", tmp_path / "again")


def test_guide_server_answers_browsers_cors_preflight(neo4j_server) -> None:  # type: ignore[no-untyped-def]
    if not neo4j_server.guide_url:
        pytest.skip("no local guide server (NEO4J_URI points at another server)")
    browser_origin = neo4j_server.http_url
    preflight = requests.options(
        neo4j_server.guide_url,
        headers={
            "Origin": browser_origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == browser_origin
    assert "pragma" in preflight.headers["Access-Control-Allow-Headers"]
    page = requests.get(neo4j_server.guide_url, headers={"Origin": browser_origin}, timeout=10)
    assert page.status_code == 200 and "paper-graph queries" in page.text
    assert page.headers["Access-Control-Allow-Origin"] == browser_origin
    elsewhere = requests.get(neo4j_server.guide_url, headers={"Origin": "http://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    listing = requests.get(neo4j_server.guide_url.rsplit("/", 1)[0] + "/", timeout=10)
    assert listing.status_code == 404


# -- in Neo4j Browser, in headless Chromium ------------------------------------------------------


class BrowserSession:
    """Neo4j Browser driven as a person does: the connect form, the editor, the guide's code blocks."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def find(self, css: str, within: Any = None) -> Any:
        from selenium.webdriver.common.by import By

        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str, within: Any = None) -> list[Any]:
        from selenium.webdriver.common.by import By

        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def connect(self, http_url: str, bolt_uri: str, user: str, password: str) -> None:
        from tests.support.chromium import wait_for

        address = bolt_uri.split("://", 1)[1]
        from selenium.common.exceptions import WebDriverException

        # Browser sometimes re-renders the form while it starts, losing the typed password or the click
        # (seen once in four CI runs): load the page and fill the form again, up to three times.
        for attempt in range(3):
            self.driver.get(f"{http_url}/browser/?connectURL=bolt://{user}@{address}")
            try:
                wait_for(lambda: self.find("[data-testid=password]"), 60, "the connect form").send_keys(
                    password
                )
                self.find("[data-testid=connect]").click()
                wait_for(
                    lambda: "Connected to Neo4j" in self.find("[data-testid=stream]").text, 40, "connected"
                )
                return
            except (TimeoutError, WebDriverException):
                if attempt == 2:
                    raise

    def type_and_run(self, text: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        self.find("[data-testid=activeEditor]").click()
        ActionChains(self.driver).send_keys(text).perform()
        self.run_editor()

    def run_editor(self) -> None:
        self.find("[data-testid=editor-Run]").click()

    def frame(
        self, command_prefix: str, not_this: Any = None, timeout: float = 60, exact: bool = False
    ) -> Any:
        """The newest frame whose command starts with `command_prefix` (other than `not_this`)."""
        from tests.support.chromium import wait_for

        def newest() -> Any:
            for frame in self.find_all("article[data-testid=frame]"):  # newest first
                command = self.find("[data-testid=frameCommand]", frame).text
                if command == command_prefix if exact else command.startswith(command_prefix):
                    return frame if frame != not_this else None
            return None

        return wait_for(newest, timeout, f"a frame for {command_prefix!r}")


def _wait_for_result(session: BrowserSession, frame: Any) -> str:
    """The frame's text once the query has finished: its status line, or an error."""
    from tests.support.chromium import wait_for

    def settled() -> str | None:
        text = frame.text
        done = "Started streaming" in text or "Error" in text or "Invalid input" in text
        return text if done else None

    return wait_for(settled, 60, "the query's result")


@pytest.mark.slow
def test_guide_plays_in_neo4j_browser_and_its_queries_run(neo4j_server, seed_like_graph) -> None:  # type: ignore[no-untyped-def]
    from tests.support.chromium import chromium_browser, wait_for

    if not (neo4j_server.guide_url and neo4j_server.http_url):
        pytest.skip("no local Neo4j instance with Browser and guide server (NEO4J_URI is set)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as driver:
        session = BrowserSession(driver)
        session.connect(neo4j_server.http_url, neo4j_server.uri, neo4j_server.user, neo4j_server.password)

        # the server's browser.post_connect_cmd plays the guide on connect
        command = f":play {neo4j_server.guide_url}"
        on_connect = session.frame(command)
        wait_for(
            lambda: "paper-graph queries" in on_connect.text or "No guide" in on_connect.text, 30, "guide"
        )
        assert "No guide by that name" not in on_connect.text, on_connect.text
        # `:play <url>` typed as the README says
        session.type_and_run(command)
        guide = session.frame(command, not_this=on_connect)
        wait_for(lambda: "paper-graph queries" in guide.text or "No guide" in guide.text, 30, "the guide")
        driver.save_screenshot(str(SCREENSHOTS / "browser-guide-played.png"))
        assert "No guide by that name" not in guide.text, guide.text
        assert "paper-graph queries" in guide.text

        # the datasets_with_method slide: its :param block, then its query, clicked as a person does
        for _ in range(20):
            if "datasets_with_method" in session.find("[data-testid=carousel]", guide).text:
                break
            session.find("[data-testid=nextSlide]", guide).click()
        blocks = [b for b in session.find_all("pre.runnable", guide) if b.is_displayed()]
        assert len(blocks) == 2, [b.text for b in blocks]
        params_block, query_block = blocks
        params_block.click()
        session.run_editor()
        session.frame(":param method")
        # every :param line has run once `:params` lists them all
        session.type_and_run(":params")
        listing = session.frame(":params", exact=True)
        wait_for(lambda: '"limit"' in listing.text and '"Transformer"' in listing.text, 30, "the params")
        query_block.click()
        session.run_editor()
        first_run = session.frame("MATCH (m:Method)")
        result = _wait_for_result(session, first_run)
        driver.save_screenshot(str(SCREENSHOTS / "browser-guide-query-rows.png"))
        assert "Invalid input" not in result and "Error" not in result, result
        expected = {
            r["dataset"]
            for r in seed_like_graph.execute_query(
                catalog()["datasets_with_method"].body, {"method": "Transformer", "limit": 20}
            ).records
        }
        assert expected and all(name in result for name in expected), (expected, result)

        # the map form Browser turns into floats (limit: 20.0) still runs: the queries coerce
        session.type_and_run(':params {method: "Transformer", limit: 20}')
        session.frame(":params {method")
        session.type_and_run(":params")
        floats = session.frame(":params", not_this=listing, exact=True)
        wait_for(lambda: '"limit"' in floats.text, 30, "the map's params")
        query_block.click()
        session.run_editor()
        again = _wait_for_result(session, session.frame("MATCH (m:Method)", not_this=first_run))
        assert "Invalid input" not in again and "Error" not in again, again
