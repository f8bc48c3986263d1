"""
### paper_ingest

Daily: fetch every configured source (one mapped task each), parse the raw responses into one
deduplicated papers table, enrich the papers (arXiv ids for title-only papers, Semantic Scholar
citations, the Hugging Face Hub repos citing them), extract MODEL / DATASET / METHOD entities, and
write the Parquet snapshot of the logical date. The snapshot is the `paper_graph_snapshot` Asset;
its event carries the row counts and triggers `paper_graph_load`.

Extraction is sharded: `plan_shards` cuts the papers into contiguous shards of `[extract] shard_size`
papers (the `shard_size` param overrides it for one run), `extract_shard` is mapped over them (one
task per shard, which the executor may run on any worker; `n_process` parallelises inside one), and
`write_snapshot` merges the shards' mentions in shard order: the snapshot is byte-for-byte the one a
single shard would give.

Enrichment fails soft: `resolve_titles` (arXiv title search), then `enrich` mapped over Semantic
Scholar and the Hub, each with its own retries; a service still unreachable on its last try is
skipped, and `merge_enrichment` (which assembles everything from the raw archive) and the snapshot
summary say what was skipped. A later run of the same date asks again for what is missing.

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


# An enrichment service's task: quick retries, then the service is skipped (the run goes on without it).
ENRICH_RETRIES = 2
ENRICH_RETRY_DELAY = timedelta(seconds=5)
ENRICH_MAX_RETRY_DELAY = timedelta(minutes=1)
ENRICH_MAPPED = ["s2", "hf_hub"]  # paper_graph.steps.ENRICH_MAPPED (kept literal: DAG files parse fast)


def _final_try() -> bool:
    """True on the task's last try: an unreachable service is then skipped instead of retried."""
    ti = get_current_context()["ti"]
    return ti.try_number > ti.max_tries


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
        "shard_size": Param(
            0, type="integer", minimum=0, description="Papers per extract shard (0: [extract] shard_size)"
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

    @task(retries=ENRICH_RETRIES, retry_delay=ENRICH_RETRY_DELAY, max_retry_delay=ENRICH_MAX_RETRY_DELAY)
    def resolve_titles(parsed: dict, params=None) -> dict:
        from paper_graph import steps

        return steps.enrich_service(params["config"] or None, parsed, "arxiv_title", final_try=_final_try())

    @task(
        retries=ENRICH_RETRIES,
        retry_delay=ENRICH_RETRY_DELAY,
        max_retry_delay=ENRICH_MAX_RETRY_DELAY,
        trigger_rule="all_done",  # a failed title resolution does not stop S2 or the Hub
        map_index_template="{{ task.op_kwargs['service'] }}",
    )
    def enrich(parsed: dict, resolved: dict | None, service: str, params=None) -> dict:
        from paper_graph import steps

        if not parsed:
            raise steps.PipelineError("parse did not finish: nothing to enrich")
        return steps.enrich_service(
            params["config"] or None, parsed, service, after=[resolved], final_try=_final_try()
        )

    @task(trigger_rule="all_done")
    def merge_enrichment(parsed: dict, resolved: dict | None, enriched: list, params=None) -> dict:
        from paper_graph import steps

        services = [enriched[i] for i in range(len(enriched))] if enriched else []  # by index: no probing
        return steps.merge_enrichment(params["config"] or None, parsed, [resolved, *services])

    @task
    def plan_shards(enriched: dict, params=None) -> list[dict]:
        from paper_graph import steps

        return steps.plan_shards(params["config"] or None, enriched, params["shard_size"] or None)

    @task(map_index_template="{{ task.op_kwargs['shard']['index'] }}")
    def extract_shard(shard: dict, params=None) -> dict:
        from paper_graph import steps

        return steps.extract_shard(params["config"] or None, shard)

    @task(outlets=[SNAPSHOT])
    def write_snapshot(extracted: list, run_id=None, params=None) -> dict:
        from paper_graph import steps

        shards = [extracted[i] for i in range(len(extracted))]  # by index: no probing
        summary = steps.write_snapshot(params["config"] or None, steps.shards_extracted(shards), run_id)
        get_current_context()["outlet_events"][SNAPSHOT].extra = summary
        return summary

    sources = plan_sources()
    parsed = parse(sources)
    fetch.expand(source=sources) >> parsed  # parse reads what the fetches archived
    resolved = resolve_titles(parsed)
    enriched = enrich.partial(parsed=parsed, resolved=resolved).expand(service=ENRICH_MAPPED)
    shards = plan_shards(merge_enrichment(parsed, resolved, enriched))
    write_snapshot(extract_shard.expand(shard=shards))


paper_ingest()
