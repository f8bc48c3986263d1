"""Benchmark: the bulk import (`neo4j-admin database import full`) and the batched loader (UNWIND ...
MERGE, one transaction per batch), each against one MERGE per row (batch size 1, one transaction per
row), on the same snapshot, in one run.

    python -m paper_graph.bench.load [--papers 2000] [--batch-size 1000] [--wipe] [--no-bulk]

The bulk import restarts the server, so it needs the project's local server (`paper-graph neo4j
start`; NEO4J_INSTANCE and NEO4J_BOLT_PORT name it); its time runs from the snapshot to a queryable,
constrained graph (files, server stop, import, server start, constraints, stamps).

Papers are the first N of ../shared/corpus/papers.jsonl.zst ($PAPER_GRAPH_SHARED) when present, else
synthetic; entities come from a small gazetteer matched in titles and abstracts (the first paper
whose title names an entity proposes it). The data is written as a real Parquet snapshot in a
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
from graph.db.loader import LoadReport, load_snapshot, wipe_graph
from graph.db.runner import graph_counts
from graph.snapshot import open_snapshot, write_snapshot
from paper_graph.bench.common import corpus_path, corpus_records
from paper_graph.local.bulk import bulk_load, local_instance

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


def _line(title: str, report: LoadReport) -> str:
    return (
        f"{title:<38} {report.rows:>8,} rows in {report.seconds:8.2f}s"
        f" = {report.rows_per_second:>9,.0f} rows/s  ({sum(s.batches for s in report.steps):,} transactions)"
    )


@click.command()
@click.option("--papers", "paper_count", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=2), default=1000, show_default=True)
@click.option(
    "--wipe", is_flag=True, help="Empty a database that is not empty (the bench deletes everything)."
)
@click.option("--bulk/--no-bulk", default=True, show_default=True, help="Also time the bulk import.")
def main(paper_count: int, batch_size: int, wipe: bool, bulk: bool) -> None:
    """Batched loader vs one MERGE per row, same snapshot, same run."""
    from paper_graph.cli.load import cli_driver

    path = corpus_path()
    if path.exists():
        papers = [record.to_dict() for record in corpus_records(path, paper_count)]
        source = f"{len(papers):,} real papers: the first lines of {path}"
    else:
        papers = [PaperRecord(**p).to_dict() for p in synthetic_papers(paper_count)]
        source = f"{len(papers):,} synthetic papers ({path} is absent)"
    with tempfile.TemporaryDirectory(prefix="paper-graph-bench-") as tmp:
        build_snapshot(Path(tmp), papers, run_id="bench")
        snapshot = open_snapshot(tmp, "latest")
        rows = {name: entry.rows for name, entry in snapshot.manifest.tables.items() if entry.rows}
        click.echo(f"data: {source}; entities from a {sum(map(len, GAZETTEER.values()))}-name gazetteer")
        click.echo("snapshot rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(rows.items())))
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
        bulk_report = None
        if bulk:
            bulk_report = bulk_load(local_instance(), snapshot, force=True, batch_size=batch_size)
            with cli_driver() as driver:
                graphs.append(graph_counts(driver))
                _wipe(driver)
    batched, per_row = reports
    click.echo(_line(f"batched (UNWIND, {batch_size} rows/tx)", batched))
    click.echo(_line("one MERGE per row (1 row/tx)", per_row))
    speed_up = batched.rows_per_second / per_row.rows_per_second
    click.echo(f"speed-up: {speed_up:.1f}x; same graph counts: {graphs[0] == graphs[1]}")
    if bulk_report is not None:
        files = bulk_report.files
        rows_per_second = per_row.rows / bulk_report.seconds
        click.echo(
            f"{'bulk import (neo4j-admin import full)':<38} {per_row.rows:>8,} rows"
            f" in {bulk_report.seconds:8.2f}s"
            f" = {rows_per_second:>9,.0f} rows/s  ({bulk_report.records:,} records ="
            f" {bulk_report.records_per_second:,.0f} records/s)"
        )
        click.echo(
            f"  files {files.seconds:.2f}s, server stop + import + start {bulk_report.import_seconds:.2f}s"
            f" (the import tool alone {bulk_report.tool_seconds:.2f}s), constraints and stamps"
            f" {bulk_report.deferred.seconds:.2f}s"
        )
        click.echo(
            f"bulk speed-up against one MERGE per row: {per_row.seconds / bulk_report.seconds:.1f}x"
            f" (the import tool alone: {per_row.seconds / bulk_report.tool_seconds:.1f}x), against batched:"
            f" {batched.seconds / bulk_report.seconds:.1f}x; same graph counts: {graphs[0] == graphs[2]}"
        )
    for step in batched.steps:
        if step.rows:
            other = per_row.step(step.name)
            click.echo(
                f"  {step.name:<14} {step.rows:>8,} rows  batched {step.rows_per_second:>9,.0f} rows/s"
                f"  per row {other.rows_per_second:>7,.0f} rows/s"
            )


if __name__ == "__main__":
    main()
