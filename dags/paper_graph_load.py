"""
### paper_graph_load

Runs whenever `paper_ingest` publishes a new `paper_graph_snapshot`: verify the snapshot against its
manifest (once per run: each task hands the next what it verified or loaded), load papers, authors,
entities and mentions into Neo4j through the provider's hook, check the graph against the snapshot
(counts, no orphan mentions), then load the derived relations (REFERENCES between papers).
Loading the same snapshot again leaves the graph unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task
from paper_graph_assets import SNAPSHOT

NEO4J_CONN_ID = "neo4j_default"

DEFAULT_ARGS = {
    "owner": "paper-graph",
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=5),
}


def _driver():
    from airflow.providers.neo4j.hooks.neo4j import Neo4jHook

    return Neo4jHook(conn_id=NEO4J_CONN_ID).get_conn()


def _snapshot_dates(param: str) -> list[str]:
    """Dates to load: the `snapshot_date` param (comma separated), else those of the triggering events."""
    if param:
        return [d.strip() for d in param.split(",") if d.strip()]
    events = get_current_context().get("triggering_asset_events")
    if not events:
        return []
    try:
        extras = [event.extra for event in events[SNAPSHOT]]  # Asset keys are not hashable: no .get()
    except KeyError:
        return []
    return [extra["snapshot_date"] for extra in extras if extra.get("snapshot_date")]


@dag(
    schedule=[SNAPSHOT],
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["paper-graph", "neo4j"],
    params={
        "snapshot_date": Param(
            "",
            type="string",
            description="Snapshot date(s) to load, comma separated, when not triggered by the Asset",
        ),
        "config": Param(
            "", type="string", description="Path of a pipeline.toml (default: PAPER_GRAPH_CONFIG)"
        ),
    },
)
def paper_graph_load():
    @task
    def verify(params=None) -> dict:
        from paper_graph import steps

        return steps.verify(params["config"] or None, _snapshot_dates(params["snapshot_date"]))

    @task
    def load(verified: dict, params=None) -> dict:
        from paper_graph import steps

        return steps.load(_driver(), params["config"] or None, verified)

    @task
    def check(loaded: dict, params=None) -> dict:
        from paper_graph import steps

        return steps.check(_driver(), params["config"] or None, loaded)

    @task
    def load_relations(checked: dict, params=None) -> dict:
        from paper_graph import steps

        return steps.load_relations(_driver(), params["config"] or None, checked)

    load_relations(check(load(verify())))


paper_graph_load()
