"""Throughput of entity extraction over the real corpus (../shared/corpus/papers.jsonl.zst, streamed).

    python -m paper_graph.bench.extract --shared ../shared --limit 20000 [--n-process 1] [--batch-size 256]
        [--repeat 3]

Prints abstracts/s, words/s, entity mentions and peak RSS (resource.getrusage, this process and children).
Timings on a shared machine swing by 10-20% from run to run: `--repeat N` runs N passes, each in a fresh
process (no run inherits another's vocabulary or caches), and reports the median one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from paper_graph.bench.common import corpus_path, corpus_rows, peak_rss_mb


def stream_corpus(path: Path, limit: int) -> Iterator[dict[str, Any]]:
    """Papers from the corpus, as extractor input (paper_id, title, abstract)."""
    for count, row in enumerate(corpus_rows(path, limit)):
        yield {
            "paper_id": row.get("arxiv_id") or f"corpus-{count}",
            "title": row.get("title") or "",
            "abstract": row.get("abstract") or "",
        }


def measure(corpus: Path, limit: int, batch_size: int, n_process: int) -> dict[str, float]:
    """One timed pass of `extract_papers` over the first `limit` corpus papers (reading included)."""
    from extract.nlp.pipeline import extract_papers, load_pipeline

    started = time.perf_counter()
    load_pipeline()
    loaded = time.perf_counter()
    words = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal words
        for paper in stream_corpus(corpus, limit):
            words += len(paper["title"].split()) + len(paper["abstract"].split())
            yield paper

    papers = mentions = 0
    for _, found in extract_papers(counted(), batch_size=batch_size, n_process=n_process):
        papers += 1
        mentions += len(found)
    elapsed = time.perf_counter() - loaded
    return {
        "load_seconds": loaded - started,
        "papers": papers,
        "words": words,
        "mentions": mentions,
        "seconds": elapsed,
        "abstracts_per_second": papers / elapsed,
        "words_per_second": words / elapsed,
        "peak_rss_mb": peak_rss_mb(children=True),
    }


def _fresh_process_run(corpus: Path, limit: int, batch_size: int, n_process: int) -> dict[str, float]:
    """`measure` in a new interpreter, so that no run inherits another's vocabulary or caches."""
    command = [sys.executable, "-m", "paper_graph.bench.extract", "--shared", str(corpus.parent.parent)]
    command += ["--limit", str(limit), "--batch-size", str(batch_size), "--n-process", str(n_process)]
    output = subprocess.run([*command, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


@click.command()
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PAPER_GRAPH_SHARED", "../shared"),
)
@click.option("--limit", default=20_000, show_default=True, help="Papers to process.")
@click.option("--batch-size", default=256, show_default=True)
@click.option("--n-process", default=1, show_default=True)
@click.option(
    "--repeat", default=1, show_default=True, help="Runs, each in a fresh process; the median is reported."
)
@click.option("--json", "as_json", is_flag=True, help="Print one run's figures as a JSON line.")
def main(shared: Path, limit: int, batch_size: int, n_process: int, repeat: int, as_json: bool) -> None:
    """Abstracts/s, words/s and peak memory of `extract_papers` over the corpus."""
    corpus = corpus_path(shared)
    if not corpus.is_file():
        raise click.ClickException(f"{corpus}: corpus file not found")
    if repeat > 1:
        runs = [_fresh_process_run(corpus, limit, batch_size, n_process) for _ in range(repeat)]
        rates = [run["abstracts_per_second"] for run in runs]
        result = sorted(runs, key=lambda run: run["abstracts_per_second"])[len(runs) // 2]
    else:
        result = measure(corpus, limit, batch_size, n_process)
        rates = [result["abstracts_per_second"]]
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"pipeline load      {result['load_seconds']:8.2f} s")
    settings = f"n_process={n_process}, batch_size={batch_size}"
    click.echo(f"papers             {result['papers']:8.0f}  ({settings})")
    click.echo(f"words              {result['words']:8.0f}")
    click.echo(f"mentions           {result['mentions']:8.0f}")
    click.echo(f"elapsed            {result['seconds']:8.2f} s (reading + decompressing included)")
    if repeat > 1:
        click.echo(f"runs (abstracts/s) {', '.join(f'{rate:.0f}' for rate in rates)}; median run below")
    click.echo(f"abstracts/s        {result['abstracts_per_second']:8.0f}")
    click.echo(f"words/s            {result['words_per_second']:8.0f}")
    click.echo(f"peak RSS           {result['peak_rss_mb']:8.0f} MB")


if __name__ == "__main__":
    main()
