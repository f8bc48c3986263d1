"""Throughput of entity extraction over the real corpus (../shared/corpus/papers.jsonl.zst, streamed).

    python -m paper_graph.bench.extract --shared ../shared --limit 20000 [--n-process 1] [--batch-size 256]
        [--repeat 3]

Prints abstracts/s, words/s, entity mentions and peak RSS (resource.getrusage, this process and children)
and, in the same run over the same texts, the stock `spacy.blank("en")` tokenizer's abstracts/s: the
reference that makes the figure comparable across machines, and the ratio of the two (target >= 0.65,
peak RSS < 1 GB). Both read and decompress the corpus the same way, each in its own process.
Timings on a shared machine swing by 10-20% from run to run: `--repeat N` runs N passes of each, every
one in a fresh process (no run inherits another's vocabulary or caches), alternating extraction and
reference, and reports the median ones.
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


def measure_reference(corpus: Path, limit: int, batch_size: int) -> dict[str, float]:
    """One timed pass of the stock `spacy.blank("en")` tokenizer over the same texts (reading included)."""
    import spacy

    from extract.records import paper_text

    started = time.perf_counter()
    nlp = spacy.blank("en")
    loaded = time.perf_counter()
    papers = words = 0
    texts = (paper_text(p["title"], p["abstract"]) for p in stream_corpus(corpus, limit))
    for doc in nlp.pipe(texts, batch_size=batch_size):
        papers += 1
        words += len(doc)
    elapsed = time.perf_counter() - loaded
    return {
        "load_seconds": loaded - started,
        "papers": papers,
        "tokens": words,
        "seconds": elapsed,
        "abstracts_per_second": papers / elapsed,
        "peak_rss_mb": peak_rss_mb(children=True),
    }


def _fresh_process_run(
    corpus: Path, limit: int, batch_size: int, n_process: int, reference: bool = False
) -> dict[str, float]:
    """`measure` (or `measure_reference`) in a new interpreter: no run inherits another's caches."""
    command = [sys.executable, "-m", "paper_graph.bench.extract", "--shared", str(corpus.parent.parent)]
    command += ["--limit", str(limit), "--batch-size", str(batch_size), "--n-process", str(n_process)]
    command += ["--reference-only"] if reference else []
    output = subprocess.run([*command, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return sorted(runs, key=lambda run: run["abstracts_per_second"])[len(runs) // 2]


RATIO_TARGET = 0.65
RSS_TARGET_MB = 1024


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
@click.option("--reference-only", is_flag=True, help="Time only the spacy.blank('en') reference.")
@click.option("--no-reference", is_flag=True, help="Skip the spacy.blank('en') reference.")
def main(
    shared: Path,
    limit: int,
    batch_size: int,
    n_process: int,
    repeat: int,
    as_json: bool,
    reference_only: bool,
    no_reference: bool,
) -> None:
    """Abstracts/s, words/s and peak memory of `extract_papers` over the corpus, beside the stock
    spacy.blank("en") tokenizer over the same texts."""
    corpus = corpus_path(shared)
    if not corpus.is_file():
        raise click.ClickException(f"{corpus}: corpus file not found")
    if as_json:
        one = measure_reference if reference_only else measure
        figures = (
            one(corpus, limit, batch_size) if reference_only else one(corpus, limit, batch_size, n_process)
        )
        click.echo(json.dumps(figures))
        return
    runs: list[dict[str, float]] = []
    references: list[dict[str, float]] = []
    for _ in range(repeat):
        if repeat > 1:
            runs.append(_fresh_process_run(corpus, limit, batch_size, n_process))
        else:
            runs.append(measure(corpus, limit, batch_size, n_process))
        if not no_reference:
            references.append(_fresh_process_run(corpus, limit, batch_size, 1, reference=True))
    rates = [run["abstracts_per_second"] for run in runs]
    result = _median(runs)
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
    peak = max(run["peak_rss_mb"] for run in runs)
    verdict = "ok" if peak < RSS_TARGET_MB else "OVER the target"
    click.echo(f"peak RSS           {peak:8.0f} MB (target < {RSS_TARGET_MB} MB: {verdict})")
    if references:
        reference = _median(references)
        reference_rates = ", ".join(f"{r['abstracts_per_second']:.0f}" for r in references)
        # each extraction run is paired with the reference run right after it (same machine load)
        pairs = sorted(
            run["abstracts_per_second"] / ref["abstracts_per_second"]
            for run, ref in zip(runs, references, strict=True)
        )
        ratio = pairs[len(pairs) // 2]
        verdict = "ok" if ratio >= RATIO_TARGET else "BELOW the target"
        click.echo(
            f"spacy.blank('en')  {reference['abstracts_per_second']:8.0f} abstracts/s"
            f" (tokenizer only, same texts; runs {reference_rates})"
        )
        click.echo(
            f"ratio              {ratio:8.2f} (extract / blank tokenizer, median of the paired runs"
            f" {', '.join(f'{r:.2f}' for r in pairs)}; target >= {RATIO_TARGET}: {verdict})"
        )


if __name__ == "__main__":
    main()
