"""
### paper_ingest

Daily: fetch every configured source (one mapped task each), parse the raw responses into one
deduplicated papers table, extract MODEL / DATASET / METHOD entities, and write the Parquet
snapshot of the logical date. The snapshot is the `paper_graph_snapshot` Asset; its event carries
the row counts and triggers `paper_graph_load`.

Sources, topic queries, paths and batch sizes come from `config/pipeline.toml`; the `sources` param
overrides them for one run (e.g. `dump:/path/to/saved/pages`). Rerunning a date replaces its output.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task
from paper_graph_assets import SNAPSHOT

DEFAULT_ARGS = {
    "owner": "paper-graph",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
}


@contextmanager
def _fail_without_retry():
    """A PermanentError of a step (unreachable host, nothing fetched) fails the task without retries."""
    from airflow.exceptions import AirflowFailException

    from paper_graph.steps import PermanentError

    try:
        yield
    except PermanentError as exc:
        raise AirflowFailException(str(exc)) from exc


def _run_date() -> str:
    """The logical date; a run triggered without one (allowed in Airflow 3) uses the day it runs after."""
    context = get_current_context()
    moment = context.get("logical_date") or context["dag_run"].run_after
    return moment.date().isoformat()


@dag(
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["paper-graph", "ingest"],
    params={
        "sources": Param("", type="string", description="Override the configured sources: 'kind[:arg],...'"),
        "config": Param(
            "", type="string", description="Path of a pipeline.toml (default: PAPER_GRAPH_CONFIG)"
        ),
        "refetch": Param(
            False, type="boolean", description="Fetch sources already archived for the date again"
        ),
    },
)
def paper_ingest():
    @task
    def plan_sources(params=None) -> list[dict]:
        from paper_graph import steps

        return steps.plan_sources(params["config"] or None, params["sources"] or None)

    @task(max_active_tis_per_dagrun=2)
    def fetch(source: dict, params=None) -> dict:
        from paper_graph import steps

        with _fail_without_retry():
            return steps.fetch(params["config"] or None, source, _run_date(), refetch=params["refetch"])

    @task(trigger_rule="all_done")
    def parse(sources: list[dict], params=None) -> dict:
        from paper_graph import steps

        with _fail_without_retry():
            return steps.parse(params["config"] or None, sources, _run_date())

    @task
    def extract_entities(parsed: dict, params=None) -> dict:
        from paper_graph import steps

        return steps.extract(params["config"] or None, parsed)

    @task(outlets=[SNAPSHOT])
    def write_snapshot(extracted: dict, run_id=None, params=None) -> dict:
        from paper_graph import steps

        summary = steps.write_snapshot(params["config"] or None, extracted, run_id)
        get_current_context()["outlet_events"][SNAPSHOT].extra = summary
        return summary

    sources = plan_sources()
    parsed = parse(sources)
    fetch.expand(source=sources) >> parsed  # parse reads what the fetches archived
    write_snapshot(extract_entities(parsed))


paper_ingest()
