"""Both DAGs really run (dag.test) against fixture pages served over HTTP and the real Neo4j."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from pathlib import Path

import pytest

from tests.support.http_server import FixtureServer, Reply

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
PAGES = REPO / "tests" / "fixtures" / "e2e"
RUN_DATE = "2024-06-01"


@pytest.fixture
def served(http_server: FixtureServer) -> FixtureServer:
    http_server.route("/api/daily_papers", Reply.file(PAGES / "daily_papers_2024-06-01.json"))
    http_server.route("/api/papers/search", Reply.file(PAGES / "search_flow.json"))
    http_server.route("/api/papers/2406.09999", Reply(status=503, body=b"down for maintenance"))
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
batch_size = 2

[enrich]
enabled = false  # tests/dags/test_enrich_e2e.py runs the enrichment against its own local services

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

[[sources]]
name = "down"
kind = "hf_paper"
ids = ["2406.09999"]
base_url = "{served.base_url}"
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
            task.retries = 0  # a failing source fails at once; retry behaviour is Airflow's own
    return bag.dags


def _run(dag, conf: dict) -> object:  # type: ignore[no-untyped-def]
    from datetime import datetime

    return dag.test(logical_date=datetime.fromisoformat(RUN_DATE).replace(tzinfo=UTC), run_conf=conf)


def _file_hashes(snapshot_dir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(snapshot_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(snapshot_dir.rglob("*.parquet"))
    }


def _graph_state(driver) -> dict:  # type: ignore[no-untyped-def]
    from graph.db.runner import graph_counts

    counts = graph_counts(driver)
    records, _, _ = driver.execute_query(
        "MATCH (a:Paper)-[r:REFERENCES]->(b:Paper) RETURN a.paper_id AS citing, b.paper_id AS cited, "
        "r.entity_key AS via ORDER BY citing, cited, via"
    )
    return {"counts": counts, "references": [r.data() for r in records]}


def _task_states(dag_run) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    states: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        states.setdefault(ti.task_id, []).append(str(ti.state))
    return states


def test_ingest_then_graph_load_end_to_end(dags, pipeline_config: Path, neo4j_clean, served) -> None:
    from graph.snapshot import open_snapshot

    conf = {"config": str(pipeline_config)}
    ingest = _run(dags["paper_ingest"], conf)
    states = _task_states(ingest)
    assert str(ingest.state) == "success", states
    assert sorted(states["fetch"]) == ["failed", "success", "success", "success"]  # one source down
    assert len(served.requests_to("/api/papers/2406.09999")) == 2  # tried, retried once by urllib3

    data = pipeline_config.parent / "data"
    snapshot = open_snapshot(data / "snapshots", RUN_DATE)
    snapshot.verify()
    rows = {name: entry.rows for name, entry in snapshot.manifest.tables.items()}
    assert rows["papers"] == 4  # 6 records from 3 sources, deduplicated
    assert rows["authors"] == 6
    assert rows["raw_responses"] == 3
    papers = {r["paper_id"]: r for r in snapshot.read_table("papers").to_pylist()}
    assert papers["2406.01001"]["github_repo"] == "https://github.com/example/flownerf"
    assert papers["2406.01002"]["upvotes"] == 7
    assert len(papers["2406.01002"]["sources"]) == 2  # hf_daily item and the saved listing, merged

    load = _run(dags["paper_graph_load"], {**conf, "snapshot_date": RUN_DATE})
    assert str(load.state) == "success", _task_states(load)

    state = _graph_state(neo4j_clean)
    assert state["counts"]["nodes"]["Paper"] == 4
    assert state["counts"]["nodes"]["Author"] == 6
    assert state["counts"]["relationships"]["MENTIONS"] == rows["paper_entities"]
    assert state["counts"]["relationships"]["HAS_CODE"] == 1
    assert {"citing": "2406.01003", "cited": "2406.01001", "via": "method:flownerf"} in state["references"]
    records, _, _ = neo4j_clean.execute_query(
        "MATCH (p:Paper {paper_id: '2406.01001'})-[:PROPOSES]->(e) RETURN e.name AS name"
    )
    assert [r["name"] for r in records] == ["FlowNeRF"]

    # Rerunning the same logical date replaces its output with identical files and leaves the graph as it was.
    hashes = _file_hashes(Path(snapshot.path))
    assert str(_run(dags["paper_ingest"], conf).state) == "success"
    assert _file_hashes(Path(snapshot.path)) == hashes
    assert str(_run(dags["paper_graph_load"], {**conf, "snapshot_date": RUN_DATE}).state) == "success"
    assert _graph_state(neo4j_clean) == state


def test_ingest_fails_when_every_source_fails(dags, tmp_path: Path, served: FixtureServer) -> None:
    config = tmp_path / "down.toml"
    config.write_text(
        f'[paths]\ndata_root = "{tmp_path}"\n[fetch]\nmax_retries = 0\nrequests_per_second = 0\n'
        "[enrich]\nenabled = false\n"
        f'[[sources]]\nname = "down"\nkind = "hf_paper"\nids = ["2406.09999"]\n'
        f'base_url = "{served.base_url}"\n'
    )
    run = _run(dags["paper_ingest"], {"config": str(config)})
    states = _task_states(run)
    assert str(run.state) == "failed"
    assert states["fetch"] == ["failed"]
    assert states["parse"] == ["failed"]  # runs (all_done) and refuses: no source delivered anything
    assert not (tmp_path / "snapshots").exists()


def test_one_load_run_for_several_snapshots_loads_them_in_date_order(
    dags, pipeline_config: Path, neo4j_clean
) -> None:
    """Asset events can queue up (a backfill): one load run then loads every date, oldest first."""
    from datetime import UTC, datetime

    conf = {"config": str(pipeline_config)}
    for day in ("2024-06-02", RUN_DATE):  # written newest first: the load must still go by date
        run = dags["paper_ingest"].test(
            logical_date=datetime.fromisoformat(day).replace(tzinfo=UTC), run_conf=conf
        )
        assert str(run.state) == "success"
    load = _run(dags["paper_graph_load"], {**conf, "snapshot_date": f"2024-06-02,{RUN_DATE}"})
    assert str(load.state) == "success", _task_states(load)

    records, _, _ = neo4j_clean.execute_query(
        "MATCH (s:Snapshot) OPTIONAL MATCH (p:Paper)-[:LOADED_FROM]->(s) "
        "RETURN s.snapshot_date AS date, count(p) AS papers ORDER BY date"
    )
    # both dates reached the graph; every paper was last loaded from the newest one
    assert [(r["date"], r["papers"]) for r in records] == [(RUN_DATE, 0), ("2024-06-02", 4)]
