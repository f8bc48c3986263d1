"""The DAG folder imports cleanly and declares the expected tasks, schedules and Assets."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
HEAVY_MODULES = {"spacy", "pyarrow", "pandas", "neo4j", "duckdb", "requests", "extract", "graph"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.models.dagbag import BundleDagBag

    # the DAG processor parses a bundle with its folder on sys.path: DAG files share paper_graph_assets.py
    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}


def test_expected_dags(dagbag) -> None:
    assert set(dagbag.dag_ids) == {"paper_ingest", "paper_graph_load"}


def test_ingest_tasks_schedule_and_outlet(dagbag) -> None:
    dag = dagbag.dags["paper_ingest"]
    assert {t.task_id for t in dag.tasks} == {
        "plan_sources",
        "fetch",
        "parse",
        "resolve_titles",
        "enrich",
        "merge_enrichment",
        "plan_shards",
        "extract_shard",
        "write_snapshot",
    }
    assert dag.timetable.summary in {"@daily", "0 0 * * *"}
    assert dag.catchup is False
    outlets = dag.get_task("write_snapshot").outlets
    assert [a.name for a in outlets] == ["paper_graph_snapshot"]
    assert dag.get_task("parse").trigger_rule == "all_done"


def test_enrich_stage_sits_between_parse_and_extract(dagbag) -> None:
    from paper_graph import steps

    dag = dagbag.dags["paper_ingest"]
    assert dag.get_task("resolve_titles").upstream_task_ids == {"parse"}
    assert dag.get_task("enrich").upstream_task_ids == {"parse", "resolve_titles"}
    assert dag.get_task("merge_enrichment").upstream_task_ids == {"parse", "resolve_titles", "enrich"}
    assert dag.get_task("plan_shards").upstream_task_ids == {"merge_enrichment"}
    # fail soft: a failed service task does not stop the ones after it
    assert dag.get_task("enrich").trigger_rule == "all_done"
    assert dag.get_task("merge_enrichment").trigger_rule == "all_done"
    module = __import__("paper_ingest")
    assert tuple(module.ENRICH_MAPPED) == steps.ENRICH_MAPPED
    assert ("arxiv_title", *steps.ENRICH_MAPPED) == steps.ENRICH_SERVICES


def test_graph_load_is_scheduled_on_the_snapshot_asset(dagbag) -> None:
    dag = dagbag.dags["paper_graph_load"]
    assert {t.task_id for t in dag.tasks} == {"verify", "load", "check", "load_relations"}
    assert [asset.name for _, asset in dag.timetable.asset_condition.iter_assets()] == [
        "paper_graph_snapshot"
    ]
    # a chain: each task takes what the one before made (verified -> loaded -> checked)
    assert dag.get_task("load").upstream_task_ids == {"verify"}
    assert dag.get_task("check").upstream_task_ids == {"load"}
    assert dag.get_task("load_relations").upstream_task_ids == {"check"}


def test_extract_is_mapped_over_the_shards(dagbag) -> None:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    dag = dagbag.dags["paper_ingest"]
    assert isinstance(dag.get_task("extract_shard"), MappedOperator)
    assert dag.get_task("extract_shard").upstream_task_ids == {"plan_shards"}
    assert dag.get_task("write_snapshot").upstream_task_ids == {"extract_shard"}
    assert dag.params["shard_size"] == 0  # 0: the configured [extract] shard_size


@pytest.mark.parametrize("dag_id", ["paper_ingest", "paper_graph_load"])
def test_retries_and_tags(dagbag, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert "paper-graph" in dag.tags
    for task in dag.tasks:
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff


@pytest.mark.parametrize("path", sorted(DAGS.glob("*.py")), ids=lambda p: p.name)
def test_dag_files_import_nothing_heavy_at_top_level(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in HEAVY_MODULES, f"{path.name} imports {name} at parse time"
