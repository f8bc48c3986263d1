"""Issue 15, "must show": the ingest DAG (really run with dag.test) on a saved-pages folder holding every
bad input among good pages succeeds, and its snapshot holds every good paper."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract.clean import normalise_title
from tests.robustness.bad_folder import build

REPO = Path(__file__).resolve().parents[2]
RUN_DATE = "2024-06-01"
MAX_BYTES = 3_000_000  # the huge-abstract page (1.2 MB) fits, too_large.txt (MAX_BYTES + 1) does not


@pytest.fixture
def ingest_dag(airflow_home):  # type: ignore[no-untyped-def]
    from airflow.models.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=str(REPO / "dags"), bundle_path=REPO / "dags")
    dag = bag.dags["paper_ingest"]
    for task in dag.tasks:
        task.retries = 0  # one try: a bad input must not need a retry to pass
    return dag


def test_ingest_of_a_folder_full_of_bad_input_keeps_every_good_paper(ingest_dag, tmp_path):
    from graph.snapshot import open_snapshot

    folder = tmp_path / "saved"
    good = build(folder, MAX_BYTES)
    config = tmp_path / "pipeline.toml"
    config.write_text(f'[paths]\ndata_root = "{tmp_path / "data"}"\n\n[fetch]\nmax_bytes = {MAX_BYTES}\n')
    run = ingest_dag.test(
        logical_date=datetime.fromisoformat(RUN_DATE).replace(tzinfo=UTC),
        run_conf={"config": str(config), "sources": f"dump:{folder}"},
    )
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert str(run.state) == "success", states

    snapshot = open_snapshot(tmp_path / "data" / "snapshots", RUN_DATE)
    snapshot.verify()
    papers = snapshot.read_table("papers").to_pylist()
    keys = {p["arxiv_id"] for p in papers if p["arxiv_id"]} | {normalise_title(p["title"]) for p in papers}
    assert good <= keys, good - keys
    by_id = {p["paper_id"]: p for p in papers}
    assert by_id["2406.90002"]["upvotes"] is None and by_id["2406.90003"]["upvotes"] is None
    assert len(by_id["2406.90001"]["abstract"]) > 1_000_000  # kept whole; only extraction was cut
    mentions = snapshot.read_table("mentions").to_pylist()
    assert {"BERT", "SQuAD"} <= {m["text"] for m in mentions if m["paper_id"] == "2406.90001"}
    assert "2406.90005" not in by_id  # the entry without a title

    parse = next(ti for ti in run.get_task_instances() if ti.task_id == "parse")
    summary = parse.xcom_pull(task_ids="parse")
    assert summary["quarantined"] >= 5 and summary["quarantined_entries"] == 1
    reasons = "\n".join(summary["quarantine_examples"])
    assert "one_untitled.json" in reasons and "item 1 has no title" in reasons
    assert summary["quarantine_dir"] == str(tmp_path / "data" / "archive" / "quarantine")
    fetch = [
        ti.xcom_pull(task_ids="fetch", map_indexes=ti.map_index)
        for ti in run.get_task_instances()
        if ti.task_id == "fetch"
    ]
    assert any("too_large.txt: file of" in e for f in fetch for e in f.get("errors", []))
