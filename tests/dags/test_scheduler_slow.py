"""The real scheduler: trigger paper_ingest over the REST API; its snapshot Asset starts paper_graph_load."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.airflow_standalone import AirflowStandalone, neo4j_connection

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "e2e"


@pytest.mark.slow
def test_trigger_ingest_over_rest_and_asset_triggers_graph_load(
    tmp_path: Path, neo4j_server, neo4j_clean
) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f'[paths]\ndata_root = "{tmp_path / "data"}"\n\n[enrich]\nenabled = false\n\n'
        '[[sources]]\nname = "saved"\nkind = "dump"\n'
        f'path = "{PAGES}"\n'
    )
    airflow = AirflowStandalone(
        tmp_path / "airflow",
        {"AIRFLOW_CONN_NEO4J_DEFAULT": neo4j_connection(neo4j_server), "PAPER_GRAPH_CONFIG": str(config)},
    )
    try:
        airflow.start()
        for dag_id in ("paper_ingest", "paper_graph_load"):
            airflow.wait_for_dag(dag_id)
            airflow.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
        triggered = airflow.api(
            "POST", "/dags/paper_ingest/dagRuns", {"logical_date": "2024-06-01T00:00:00Z", "conf": {}}
        )
        ingest = airflow.wait_for_run("paper_ingest", timeout=300, run_id=triggered["dag_run_id"])
        assert ingest["state"] == "success"
        # unpausing also lets the scheduler start the latest @daily run: wait for every ingest, then the loads
        ingests = airflow.wait_until_idle("paper_ingest", timeout=300)
        loads = airflow.wait_until_idle("paper_graph_load", timeout=300)
        assert {r["state"] for r in ingests} == {"success"}
        assert {(r["state"], r["run_type"]) for r in loads} == {("success", "asset_triggered")}
    finally:
        airflow.stop()
    assert airflow.proc is not None and airflow.proc.poll() is not None
    assert not airflow.leftovers, f"processes left running after Ctrl-C: {airflow.leftovers}"

    records, _, _ = neo4j_clean.execute_query("MATCH (p:Paper) RETURN count(p) AS papers")
    assert records[0]["papers"] == 4  # the 6 records of the saved pages, deduplicated
    records, _, _ = neo4j_clean.execute_query("MATCH (s:Snapshot) RETURN s.snapshot_date AS date")
    snapshot_dates = {r["date"] for r in records}
    assert snapshot_dates and snapshot_dates <= {r["logical_date"][:10] for r in ingests}
