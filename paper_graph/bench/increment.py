"""Benchmark: a daily increment into a big graph, step by step, and the PROFILE of every statement.

    python -m paper_graph.bench.increment [--papers 30000|all] [--new 50] [--increments 2] [--profile]

The graph is the first `--papers` corpus papers (`all`: the full corpus less the increments' papers,
which are its last ones), entities from the load bench's gazetteer, built by the bulk import
(paper_graph.local.bulk: the local server named by NEO4J_INSTANCE / NEO4J_BOLT_PORT, whose database
it replaces). Each increment is the next `--new` papers, as the next day's snapshot,
loaded by the transactional loader (`load_snapshot`, every step) as the load DAG does; the report
gives each step's rows, rows/s and seconds. The first increment runs right after the bulk load's server
restart (every statement is planned for the first time), the next ones on a warm server.
`--profile` then runs each loader statement once more on the last increment's rows under PROFILE,
in a transaction that is rolled back, and prints its db hits and whether the plan has an Eager.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import click

from graph.db.loader import ALL_STEPS, batches, load_snapshot, snapshot_load_id
from graph.db.queries import loader_statement
from graph.db.runner import graph_counts
from graph.snapshot import open_snapshot
from paper_graph.bench.common import corpus_path, corpus_records
from paper_graph.bench.load import build_snapshot, parse_paper_count
from paper_graph.local.bulk import bulk_load, local_instance


def _operators(plan: Any) -> list[str]:
    found = [plan.get("operatorType", "")]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


def _db_hits(plan: Any) -> int:
    return int(plan.get("dbHits", 0)) + sum(_db_hits(c) for c in plan.get("children", []))


def profile_steps(driver: Any, snapshot: Any, batch_size: int) -> None:
    load_id = snapshot_load_id(snapshot)
    for step in ALL_STEPS:
        batch = next(iter(batches(snapshot, step.table, batch_size)), None)
        if batch is None:
            continue
        rows = step.to_rows(batch)
        params = {**step.params, "rows": rows, "paper_ids": rows, "load_id": load_id}
        with driver.session() as session, session.begin_transaction() as tx:
            result = tx.run("PROFILE " + loader_statement(step.statement), params)
            summary = result.consume()
            tx.rollback()
        plan = summary.profile or {}
        operators = _operators(plan)
        eager = [op for op in operators if op.startswith("Eager") and not op.startswith("EagerAggregation")]
        click.echo(
            f"  {step.name:<17} {len(rows):>6} rows  {_db_hits(plan):>10,} db hits"
            f"  {_db_hits(plan) / max(len(rows), 1):>8,.1f} hits/row  eager: {len(eager)}"
            f"  [{' > '.join(op.split('@')[0] for op in operators)}]"
        )


@click.command()
@click.option(
    "--papers",
    "paper_count",
    default="30000",
    show_default=True,
    help="Papers of the bulk-loaded graph; 'all': the whole corpus but the increments' papers (held back).",
)
@click.option("--new", "new_count", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option(
    "--increments",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Daily increments, one after the other (the first runs right after the server's restart).",
)
@click.option("--profile", is_flag=True, help="PROFILE each loader statement on the increment (rolled back).")
def main(paper_count: str, new_count: int, batch_size: int, increments: int, profile: bool) -> None:
    """Bulk-load a big graph, then time a daily increment into it, by step."""
    path = corpus_path()
    if not path.exists():
        raise click.ClickException(f"{path} is absent: this bench needs the corpus")
    count = parse_paper_count(paper_count)
    held_back = new_count * increments
    papers = [
        record.to_dict() for record in corpus_records(path, None if count is None else count + held_back)
    ]
    if len(papers) <= held_back:
        raise click.ClickException(f"{path} has {len(papers):,} papers: too few for {held_back:,} new ones")
    base_count = len(papers) - held_back  # all the corpus but the increments, or --papers
    base = papers[:base_count]
    days = [papers[base_count + i * new_count : base_count + (i + 1) * new_count] for i in range(increments)]
    instance = local_instance()
    with tempfile.TemporaryDirectory(prefix="paper-graph-increment-") as tmp:
        build_snapshot(Path(tmp), base, run_id="base", snapshot_date="2025-01-31")
        dates = [f"2025-02-{day + 1:02d}" for day in range(increments)]
        for new, snapshot_date in zip(days, dates, strict=True):
            build_snapshot(Path(tmp), new, run_id="increment", snapshot_date=snapshot_date)
        base_snapshot = open_snapshot(tmp, "2025-01-31")
        bulk = bulk_load(instance, base_snapshot, force=True, batch_size=batch_size)
        click.echo(
            f"graph: {len(base):,} corpus papers bulk-loaded in {bulk.seconds:.1f}s:"
            f" {bulk.files.nodes:,} nodes, {bulk.files.relationships:,} relationships"
            f" ({bulk.records_per_second:,.0f} records/s)"
        )
        from paper_graph.cli.load import cli_driver

        with cli_driver() as driver:
            for snapshot_date in dates:
                increment = open_snapshot(tmp, snapshot_date)
                started = time.perf_counter()
                report = load_snapshot(driver, increment, batch_size=batch_size)
                wall = time.perf_counter() - started
                counts = graph_counts(driver)
                click.echo(
                    f"daily increment {snapshot_date}: {new_count} new papers, {report.rows:,} rows in"
                    f" {wall:.2f}s ({report.rows_per_second:,.0f} rows/s); graph now"
                    f" {counts['nodes']['Paper']:,} papers"
                )
                for step in report.steps:
                    click.echo(
                        f"  {step.name:<17} rows {step.rows:>7,}  written {step.written:>7,}"
                        f"  deleted {step.deleted:>5,}  {step.seconds:6.2f}s"
                        f"  {step.rows_per_second:>9,.0f} rows/s"
                    )
            if profile:
                click.echo("PROFILE (rolled back):")
                profile_steps(driver, increment, batch_size)


if __name__ == "__main__":
    main()
