"""The enrich stage end to end: real dag.test runs of both DAGs, the fixture pages and the arXiv,
Semantic Scholar and Hub APIs served by a real local HTTP server (answers in the recorded shapes,
computed from tests/dags/enrich_world.py), and the real Neo4j."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.dags.enrich_world import ATTENTION, COT, COT_PROMPTING, FLOWNERF, NERF, SAE, TALKING, VIT, WORLD
from tests.support.enrich_services import SimulatedServices
from tests.support.http_server import FixtureServer, LoggedRequest, Reply

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
PAGES = REPO / "tests" / "fixtures" / "e2e"
RUN_DATE = "2024-06-01"
ENRICH_PATHS = {"arxiv_title": "/api/query", "s2": "/graph/v1/paper/batch", "hf_hub": "/api/arxiv/"}


class HubSwitch:
    """The Hub endpoint of the simulated services, which can be turned off (503 for every request)."""

    def __init__(self) -> None:
        self.down = False
        self.services: SimulatedServices | None = None

    def __call__(self, request: LoggedRequest) -> Reply:
        if self.down or self.services is None:
            return Reply(status=503, body=b"Service Unavailable", headers={"Content-Type": "text/plain"})
        return self.services._hub(request)


@pytest.fixture
def hub() -> HubSwitch:
    return HubSwitch()


@pytest.fixture
def served(http_server: FixtureServer, hub: HubSwitch) -> FixtureServer:
    http_server.route("/api/daily_papers", Reply.file(PAGES / "daily_papers_2024-06-01.json"))
    http_server.route("/api/papers/search", Reply.file(PAGES / "search_flow.json"))
    http_server.handle("/api/arxiv/", hub)  # answers before the simulated Hub (first handler wins)
    hub.services = SimulatedServices(http_server, WORLD)
    return http_server


@pytest.fixture
def pipeline_config(tmp_path: Path, served: FixtureServer) -> Path:
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f"""
[paths]
data_root = "{tmp_path / "data"}"

[fetch]
connect_timeout = 2.0
read_timeout = 5.0
max_retries = 1
backoff_factor = 0.01
requests_per_second = 0

[load]
batch_size = 3

[enrich]
failing_after = 2

[enrich.arxiv]
base_url = "{served.base_url}"
requests_per_second = 0

[enrich.s2]
base_url = "{served.base_url}"
requests_per_second = 0

[enrich.hf_hub]
base_url = "{served.base_url}"
requests_per_second = 0

[[sources]]
name = "daily"
kind = "hf_daily"
base_url = "{served.base_url}"

[[sources]]
name = "search"
kind = "hf_search"
query = "flow"
base_url = "{served.base_url}"

[[sources]]
name = "saved"
kind = "dump"
path = "{PAGES / "saved_listing.txt"}"
"""
    )
    return config


@pytest.fixture
def dags(airflow_home, neo4j_server, monkeypatch):  # type: ignore[no-untyped-def]
    from airflow.models.dagbag import BundleDagBag

    connection = {
        "conn_type": "neo4j",
        "host": neo4j_server.uri.split("//")[1].split(":")[0],
        "port": int(neo4j_server.uri.rsplit(":", 1)[1]),
        "login": neo4j_server.user,
        "password": neo4j_server.password,
    }
    monkeypatch.setenv("AIRFLOW_CONN_NEO4J_DEFAULT", json.dumps(connection))
    bag = BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)
    for dag in bag.dags.values():
        for task in dag.tasks:
            task.retries = 0  # each try is the last: an unreachable service is skipped at once
    return bag.dags


def _run(dag, conf: dict):  # type: ignore[no-untyped-def]
    return dag.test(logical_date=datetime.fromisoformat(RUN_DATE).replace(tzinfo=UTC), run_conf=conf)


def _states(dag_run) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    states: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        states.setdefault(ti.task_id, []).append(str(ti.state))
    return states


def _xcom(dag_run, task_id: str):  # type: ignore[no-untyped-def]
    """The task's return value; for a mapped task, the list of its instances' values."""
    tis = sorted(
        (ti for ti in dag_run.get_task_instances() if ti.task_id == task_id), key=lambda t: t.map_index
    )
    values = [ti.xcom_pull(task_ids=task_id, map_indexes=ti.map_index) for ti in tis]
    return values if tis[0].map_index >= 0 else values[0]


def _requests(server: FixtureServer) -> dict[str, int]:
    return {
        service: sum(1 for r in server.log if r.path.startswith(prefix))
        for service, prefix in ENRICH_PATHS.items()
    }


def _hashes(snapshot_dir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(snapshot_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(snapshot_dir.rglob("*.parquet"))
    }


def _query(driver, name: str, params: dict | None = None) -> list[dict]:  # type: ignore[no-untyped-def]
    from graph.db.runner import run_named

    return [r.data() for r in run_named(driver, name, params or {})]


def _cites(driver) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    records, _, _ = driver.execute_query(
        "MATCH (a:Paper)-[:CITES]->(b:Paper) RETURN a.paper_id AS a, b.paper_id AS b"
    )
    return {(r["a"], r["b"]) for r in records}


def _record(name: str, value: object) -> None:
    """Figures for the report (run with -s to see them)."""
    print(f"[enrich-e2e] {name}: {json.dumps(value, default=str)}")


def test_enrichment_end_to_end(dags, pipeline_config: Path, neo4j_clean, served: FixtureServer) -> None:
    from graph.snapshot import open_snapshot
    from tests.graph_db.graph_dump import canonical_dump

    conf = {"config": str(pipeline_config)}
    ingest = _run(dags["paper_ingest"], conf)
    states = _states(ingest)
    assert str(ingest.state) == "success", states
    assert states["resolve_titles"] == ["success"] and states["enrich"] == ["success", "success"]
    merged = _xcom(ingest, "merge_enrichment")
    assert merged["resolved_arxiv_ids"] == 1  # the saved listing's title-only paper
    assert merged["skipped"] == {} and merged["unavailable"] == []
    first_requests = _requests(served)
    assert first_requests == {"arxiv_title": 1, "s2": 1, "hf_hub": 4}
    _record("merge_enrichment summary", {k: v for k, v in merged.items() if k != "run"})

    snapshot = open_snapshot(pipeline_config.parent / "data" / "snapshots", RUN_DATE)
    rows = {name: entry.rows for name, entry in snapshot.manifest.tables.items()}
    assert (rows["papers"], rows["citations"], rows["hub_repos"], rows["paper_hub_links"]) == (4, 8, 4, 4)
    raw = snapshot.read_table("raw_responses").to_pylist()
    enrichment_rows = Counter(r["source"] for r in raw if r["source"] in first_requests)
    assert enrichment_rows == first_requests  # every enrichment answer is in raw_responses, once
    archive = pipeline_config.parent / "data" / "archive"
    assert all((archive / r["path"]).is_file() for r in raw if r["source"] in first_requests)
    papers = {p["paper_id"]: p for p in snapshot.read_table("papers").to_pylist()}
    assert set(papers) == {FLOWNERF, TALKING, COT, SAE}  # the title key became the arXiv id
    assert papers[SAE]["arxiv_id"] == SAE and papers[SAE]["published_at"].isoformat() == "2024-05-30"
    assert papers[SAE]["s2_paper_id"] == "s2-sae" and papers[FLOWNERF]["citation_count"] == 14

    load = _run(dags["paper_graph_load"], {**conf, "snapshot_date": RUN_DATE})
    assert str(load.state) == "success", _states(load)
    driver = neo4j_clean
    assert _cites(driver) == {
        (FLOWNERF, ATTENTION),
        (FLOWNERF, NERF),
        (TALKING, FLOWNERF),
        (TALKING, NERF),
        (COT, COT_PROMPTING),
        (COT, SAE),
        (SAE, VIT),
        (SAE, FLOWNERF),
    }
    (counts,) = _query(driver, "citation_counts")
    assert counts == {
        "ingested_papers": 4,
        "cited_works_not_ingested": 4,
        "cites_in_graph": 3,
        "cites_external": 5,
        "hub_models": 2,
        "hub_datasets": 1,
        "hub_spaces": 1,
        "hub_links": 4,
    }
    _record("citation_counts", counts)

    most_cited = _query(driver, "most_cited", {"limit": 3})
    assert [(r["paper_id"], r["citations"], r["ingested"]) for r in most_cited] == [
        (NERF, 2, False),  # cited by FlowNeRF and Talking Heads, not ingested
        (FLOWNERF, 2, True),  # cited by Talking Heads and the resolved title-only paper
        (ATTENTION, 1, False),
    ]
    co_cited = _query(driver, "co_citation", {"paper_id": FLOWNERF})
    assert [(r["paper_id"], r["cited_together_by"]) for r in co_cited] == [(NERF, [TALKING]), (VIT, [SAE])]
    path = _query(driver, "citation_path", {"from_paper": COT, "to_paper": FLOWNERF, "directed": True})
    assert [(r["papers"], r["steps"]) for r in path] == [([COT, SAE, FLOWNERF], ["cites", "cites"])]
    hub_models = _query(driver, "hub_models_for_method", {"method": "FlowNeRF"})
    assert [(r["paper_id"], r["repo_id"], r["downloads"]) for r in hub_models] == [
        (FLOWNERF, "example/flownerf-base", 3400)
    ]
    for name, result in (
        ("most_cited", most_cited),
        ("co_citation 2406.01001", co_cited),
        ("citation_path 2406.01003 -> 2406.01001", path),
        ("hub_models_for_method FlowNeRF", hub_models),
    ):
        _record(f"query {name}", result)

    # A rerun of the date: nothing is asked again (every answer is in the archive), the snapshot files
    # are byte-identical and the graph is the same.
    # The new run has a new run id, which stamps the graph (load_id, the Snapshot node): the same graph.
    hashes, graph = _hashes(Path(snapshot.path)), canonical_dump(driver)
    first_run = snapshot.manifest.run_id
    assert str(_run(dags["paper_ingest"], conf).state) == "success"
    assert _requests(served) == first_requests
    assert _hashes(Path(snapshot.path)) == hashes
    assert str(_run(dags["paper_graph_load"], {**conf, "snapshot_date": RUN_DATE}).state) == "success"
    second_run = open_snapshot(pipeline_config.parent / "data" / "snapshots", RUN_DATE).manifest.run_id
    assert second_run != first_run
    assert sorted(line.replace(second_run, first_run) for line in canonical_dump(driver)) == graph


def test_an_unreachable_hub_is_skipped_and_a_later_run_fills_it_in(
    dags, pipeline_config: Path, neo4j_clean, served: FixtureServer, hub: HubSwitch
) -> None:
    from graph.snapshot import open_snapshot

    conf = {"config": str(pipeline_config)}
    hub.down = True
    ingest = _run(dags["paper_ingest"], conf)
    assert str(ingest.state) == "success", _states(ingest)
    assert _states(ingest)["enrich"] == ["success", "success"]  # fail soft: the Hub's task does not fail
    hub_task = [s for s in _xcom(ingest, "enrich") if s["service"] == "hf_hub"][0]
    assert hub_task["status"] == "unavailable" and "503" in hub_task["reason"]
    merged = _xcom(ingest, "merge_enrichment")
    assert list(merged["skipped"]) == ["hf_hub"] and "503" in merged["skipped"]["hf_hub"]
    written = _xcom(ingest, "write_snapshot")
    assert any(line.startswith("hf_hub: ") for line in written["enrichment_unavailable"])
    snapshot = open_snapshot(pipeline_config.parent / "data" / "snapshots", RUN_DATE)
    assert snapshot.manifest.tables["citations"].rows == 8
    assert snapshot.manifest.tables["paper_hub_links"].rows == 0
    assert str(_run(dags["paper_graph_load"], {**conf, "snapshot_date": RUN_DATE}).state) == "success"
    (counts,) = _query(neo4j_clean, "citation_counts")
    assert (counts["cites_in_graph"], counts["hub_links"]) == (3, 0)
    asked = _requests(served)

    hub.down = False  # a later run of the same date asks the Hub again, and only the Hub
    rerun = _run(dags["paper_ingest"], conf)
    assert str(rerun.state) == "success"
    assert _xcom(rerun, "merge_enrichment")["skipped"] == {}
    now = _requests(served)
    assert (now["arxiv_title"], now["s2"]) == (asked["arxiv_title"], asked["s2"])
    assert now["hf_hub"] == asked["hf_hub"] + 4
    snapshot = open_snapshot(pipeline_config.parent / "data" / "snapshots", RUN_DATE)
    assert snapshot.manifest.tables["paper_hub_links"].rows == 4
    assert str(_run(dags["paper_graph_load"], {**conf, "snapshot_date": RUN_DATE}).state) == "success"
    (counts,) = _query(neo4j_clean, "citation_counts")
    assert (counts["cites_in_graph"], counts["hub_links"]) == (3, 4)
