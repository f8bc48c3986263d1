"""Benchmark: the batched loader (UNWIND ... MERGE, one transaction per batch) against one MERGE per
row (batch size 1, one transaction per row) on the same sample snapshot, and the bulk import
(`neo4j-admin database import full`) of a big snapshot, in one run.

    python -m paper_graph.bench.load [--papers 5000] [--bulk-papers all|N] [--batch-size 1000] [--wipe]
        [--no-bulk | --only-bulk]

Sizes: the two transactional loads run on the first `--papers` corpus papers (one MERGE per row runs
~200-300 rows/s, so a big snapshot would take hours); the bulk import on the first `--bulk-papers`
(default: the whole corpus), because a first bulk load is for big graphs: at 5,000 papers its fixed
costs (server stop and start, the importer's start) are most of its time. Speeds are compared per
snapshot row, counted the same way on both paths (`LoadReport.rows`, `BulkReport.rows`), and as
records (nodes + relationships written) per second; every line says the size it was measured on.

The bulk import restarts the server, so it needs the project's local server (`paper-graph neo4j
start`; NEO4J_INSTANCE and NEO4J_BOLT_PORT name it); its time runs from the snapshot to a queryable,
constrained graph (files, server stop, import, server start, constraints, stamps), printed by phase,
and the graph is checked against its snapshot (`check_load`) afterwards.

Papers are the first N of ../shared/corpus/papers.jsonl.zst ($PAPER_GRAPH_SHARED) when present, else
synthetic; entities come from a small gazetteer matched in titles and abstracts (the first paper
whose title names an entity proposes it). The data is written as real Parquet snapshots in a
temporary folder. Neo4j from `paper_graph.connection` (NEO4J_URI, ...); the database is emptied before
each run, so a non-empty database needs --wipe.
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from extract.nlp.normalize import entity_key
from extract.records import PaperRecord
from graph import relations
from graph.db.checks import check_load
from graph.db.loader import LoadReport, load_snapshot, wipe_graph
from graph.db.model import ENTITY_TYPE_LABELS, HUB_KIND_LABELS
from graph.db.runner import graph_counts
from graph.snapshot import open_snapshot, write_snapshot
from paper_graph.bench.common import corpus_path, corpus_records
from paper_graph.local.bulk import BulkReport, bulk_load, local_instance

GAZETTEER: dict[str, tuple[str, ...]] = {
    "MODEL": (
        "BERT",
        "GPT-4",
        "LLaMA",
        "CLIP",
        "ResNet",
        "ViT",
        "T5",
        "Stable Diffusion",
        "SAM",
        "Qwen",
        "Mistral",
    ),
    "DATASET": (
        "ImageNet",
        "COCO",
        "MMLU",
        "GSM8K",
        "SQuAD",
        "CIFAR-10",
        "KITTI",
        "LibriSpeech",
        "HumanEval",
    ),
    "METHOD": (
        "LoRA",
        "Transformer",
        "diffusion",
        "reinforcement learning",
        "contrastive learning",
        "knowledge distillation",
        "chain-of-thought",
        "retrieval-augmented generation",
        "Gaussian Splatting",
        "NeRF",
        "dropout",
        "attention",
    ),
}


def synthetic_papers(limit: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(0)
    names = [n for group in GAZETTEER.values() for n in group]
    words = ["efficient", "scalable", "robust", "sparse", "multimodal", "adaptive", "neural", "learned"]
    for i in range(limit):
        used = rng.sample(names, 3)
        authors = [f"Author {rng.randrange(limit * 2)}" for _ in range(rng.randint(1, 8))]
        yield {
            "paper_id": f"2501.{i:05d}",
            "arxiv_id": f"2501.{i:05d}",
            "title": f"{rng.choice(words).title()} {used[0]} for {rng.choice(words)} {used[1]}",
            "abstract": f"We combine {used[0]}, {used[1]} and {used[2]}. " * 8,
            "authors": authors,
            "author_count": len(authors),
            "published_at": date(2025, 1 + i % 12, 1 + i % 28),
            "github_repo": f"https://github.com/lab{i % 50}/repo{i}" if i % 3 == 0 else None,
            "source": "synthetic",
        }


def gazetteer_mentions(papers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    patterns = {
        (entity_type, name): re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        for entity_type, names in GAZETTEER.items()
        for name in names
    }
    proposed: set[str] = set()
    mentions = []
    for paper in papers:
        text = f"{paper['title']}\n\n{paper['abstract']}"
        for (entity_type, name), pattern in patterns.items():
            key = entity_key(entity_type, name)
            contribution = key not in proposed and bool(pattern.search(paper["title"]))
            if contribution:
                proposed.add(key)
            for match in pattern.finditer(text):
                mentions.append(
                    {
                        "paper_id": paper["paper_id"],
                        "entity_key": key,
                        "type": entity_type,
                        "text": match.group(0),
                        "start": match.start(),
                        "end": match.end(),
                        "sentence": text[max(0, match.start() - 60) : match.end() + 60],
                        "component": "gazetteer",
                        "is_contribution": contribution,
                    }
                )
    return mentions


def build_snapshot(
    root: Path, papers: list[dict[str, Any]], run_id: str, snapshot_date: str = "2025-01-31"
) -> None:
    mentions = gazetteer_mentions(papers)
    paper_entities = list(relations.paper_entities(mentions))
    entities = [
        {"entity_key": entity_key(t, n), "type": t, "name": n, "aliases": [n]}
        for t, names in GAZETTEER.items()
        for n in names
    ]
    write_snapshot(
        root,
        snapshot_date,
        run_id,
        {
            "papers": papers,
            "authors": list(relations.authors(papers)),
            "entities": entities,
            "mentions": mentions,
            "paper_entities": paper_entities,
            "references": list(relations.references(paper_entities)),
        },
    )


def _wipe(driver: Any) -> None:
    wipe_graph(driver)


def _line(title: str, rows: int, seconds: float, records: int, transactions: str) -> str:
    return (
        f"{title:<40} {rows:>9,} rows in {seconds:8.2f}s = {rows / seconds:>9,.0f} rows/s,"
        f" {records:>9,} records = {records / seconds:>9,.0f} records/s  ({transactions})"
    )


def _records(counts: dict[str, dict[str, int]]) -> int:
    """Nodes and relationships of a graph (an Entity:Method node is counted under both labels, as the
    importer's record count is per label too)."""
    return sum(counts["relationships"].values()) + sum(
        n for label, n in counts["nodes"].items() if label not in _SECOND_LABELS
    )


_SECOND_LABELS = {label.value for label in (*ENTITY_TYPE_LABELS.values(), *HUB_KIND_LABELS.values())}


def _papers(count: int | None) -> tuple[list[dict[str, Any]], str]:
    path = corpus_path()
    if path.exists():
        papers = [record.to_dict() for record in corpus_records(path, count)]
        return papers, f"{len(papers):,} real papers: the first lines of {path}"
    papers = [PaperRecord(**p).to_dict() for p in synthetic_papers(count or CORPUS_PAPERS)]
    return papers, f"{len(papers):,} synthetic papers ({path} is absent)"


def _snapshot_rows(snapshot: Any) -> str:
    rows = {name: entry.rows for name, entry in snapshot.manifest.tables.items() if entry.rows}
    return ", ".join(f"{k} {v:,}" for k, v in sorted(rows.items()))


CORPUS_PAPERS = 115_098


def parse_paper_count(text: str) -> int | None:
    """`all` (None: the whole corpus) or a positive count."""
    if text == "all":
        return None
    try:
        count = int(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a number of papers or 'all'") from None
    if count < 1:
        raise click.BadParameter(f"{count} papers: give at least 1, or 'all'")
    return count


@click.command()
@click.option(
    "--papers",
    "paper_count",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Papers of the transactional runs (batched and one MERGE per row).",
)
@click.option(
    "--bulk-papers",
    default="all",
    show_default=True,
    help="Papers of the bulk import's snapshot ('all': the whole corpus). A first bulk load is for big"
    " graphs: its fixed costs (server restart, importer start) only pay off there.",
)
@click.option("--batch-size", type=click.IntRange(min=2), default=1000, show_default=True)
@click.option(
    "--wipe", is_flag=True, help="Empty a database that is not empty (the bench deletes everything)."
)
@click.option("--bulk/--no-bulk", default=True, show_default=True, help="Also time the bulk import.")
@click.option(
    "--only-bulk",
    is_flag=True,
    help="Time the bulk import alone, by phase (a quick loop: no ratio, which needs the per-row run).",
)
def main(
    paper_count: int, bulk_papers: str, batch_size: int, wipe: bool, bulk: bool, only_bulk: bool
) -> None:
    """Batched loader vs one MERGE per row on the same snapshot, and the bulk import of a big one,
    in one run."""
    from paper_graph.cli.load import cli_driver

    bulk_count = parse_paper_count(bulk_papers)
    if only_bulk:
        with tempfile.TemporaryDirectory(prefix="paper-graph-bench-") as tmp:
            report, check_ok = _bulk_run(Path(tmp), bulk_count, batch_size, wipe)
        _bulk_import_lines(report, check_ok)
        return
    papers, source = _papers(paper_count)
    with tempfile.TemporaryDirectory(prefix="paper-graph-bench-") as tmp:
        build_snapshot(Path(tmp) / "sample", papers, run_id="bench")
        snapshot = open_snapshot(Path(tmp) / "sample", "latest")
        click.echo(
            f"transactional runs: {source};"
            f" entities from a {sum(map(len, GAZETTEER.values()))}-name gazetteer"
        )
        click.echo(f"  snapshot rows: {_snapshot_rows(snapshot)}")
        with cli_driver() as driver:
            counts = graph_counts(driver)
            if any(counts["nodes"].values()) and not wipe:
                raise click.ClickException(
                    "the database is not empty; rerun with --wipe to let the bench empty it"
                )
            reports, graphs = [], []
            for size in (batch_size, 1):
                _wipe(driver)
                reports.append(load_snapshot(driver, snapshot, batch_size=size))
                graphs.append(graph_counts(driver))
            _wipe(driver)
        batched, per_row = reports
        records = _records(graphs[0])
        transactions = [f"{sum(s.batches for s in r.steps):,} transactions" for r in reports]
        click.echo(
            _line(
                f"batched (UNWIND, {batch_size} rows/tx)",
                batched.rows,
                batched.seconds,
                records,
                transactions[0],
            )
        )
        click.echo(
            _line("one MERGE per row (1 row/tx)", per_row.rows, per_row.seconds, records, transactions[1])
        )
        speed_up = batched.rows_per_second / per_row.rows_per_second
        click.echo(
            f"batched speed-up against one MERGE per row: {speed_up:.1f}x;"
            f" same graph: {graphs[0] == graphs[1]}"
        )
        for step in batched.steps:
            if step.rows:
                other = per_row.step(step.name)
                click.echo(
                    f"  {step.name:<14} {step.rows:>8,} rows  batched {step.rows_per_second:>9,.0f} rows/s"
                    f"  per row {other.rows_per_second:>7,.0f} rows/s"
                )
        if bulk:
            del papers, snapshot
            report, check_ok = _bulk_run(Path(tmp), bulk_count, batch_size, wipe=True)
            _bulk_lines(report, per_row, records, batched, check_ok)


def _bulk_run(tmp: Path, count: int | None, batch_size: int, wipe: bool) -> tuple[BulkReport, bool]:
    """Bulk-load the first `count` papers' snapshot into the bench server; the report and its check."""
    from paper_graph.cli.load import cli_driver

    big, big_source = _papers(count)
    build_snapshot(tmp / "big", big, run_id="bench-bulk")
    del big
    big_snapshot = open_snapshot(tmp / "big", "latest")
    click.echo(f"bulk import: {big_source}")
    click.echo(f"  snapshot rows: {_snapshot_rows(big_snapshot)}")
    with cli_driver() as driver:
        if any(graph_counts(driver)["nodes"].values()) and not wipe:
            raise click.ClickException(
                "the database is not empty; rerun with --wipe to let the bench replace it"
            )
    report = bulk_load(local_instance(), big_snapshot, force=True, batch_size=batch_size)
    with cli_driver() as driver:
        check = check_load(driver, big_snapshot)
        _wipe(driver)
    return report, check.ok


def _bulk_import_lines(report: BulkReport, check_ok: bool) -> None:
    """The bulk import's own lines: rows and records per second, its phases, the graph check."""
    files = report.files
    click.echo(
        _line(
            "bulk import (neo4j-admin import full)",
            report.rows,
            report.seconds,
            report.records,
            f"{files.nodes:,} nodes, {files.relationships:,} relationships",
        )
    )
    click.echo("  " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in report.phases().items()))
    click.echo(
        f"  graph check against the snapshot: {'ok' if check_ok else 'FAILED'};"
        f" the import tool alone: {report.rows / report.tool_seconds:,.0f} rows/s"
    )


def _bulk_lines(
    report: BulkReport, per_row: LoadReport, per_row_records: int, batched: LoadReport, check_ok: bool
) -> None:
    _bulk_import_lines(report, check_ok)
    click.echo(
        f"bulk speed-up (rows/s, end to end, {report.rows:,} rows) against one MERGE per row"
        f" ({per_row.rows:,} rows): {report.rows_per_second / per_row.rows_per_second:.1f}x"
        f" (target >= 100x); against batched ({batched.rows:,} rows):"
        f" {report.rows_per_second / batched.rows_per_second:.1f}x"
    )
    click.echo(
        f"  in records/s: {report.records_per_second:,.0f} against {per_row_records / per_row.seconds:,.0f}"
        f" one MERGE per row ({report.records_per_second * per_row.seconds / per_row_records:.1f}x)"
    )


if __name__ == "__main__":
    main()
