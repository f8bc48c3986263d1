"""Throughput of entity extraction over the real corpus (../shared/corpus/papers.jsonl.zst, streamed).

    python -m extract.nlp.bench --shared ../shared --limit 20000 [--n-process 1] [--batch-size 256]

Prints abstracts/s, words/s, entity mentions and peak RSS (resource.getrusage, this process and children).
"""

from __future__ import annotations

import io
import json
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import zstandard


def stream_corpus(path: Path, limit: int) -> Iterator[dict[str, Any]]:
    """Papers from the zstd JSON-lines corpus, as extractor input (paper_id, title, abstract)."""
    with path.open("rb") as raw:
        reader = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")
        for count, line in enumerate(reader):
            if count >= limit:
                return
            row = json.loads(line)
            yield {
                "paper_id": row.get("arxiv_id") or f"corpus-{count}",
                "title": row.get("title") or "",
                "abstract": row.get("abstract") or "",
            }


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


@click.command()
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PAPER_GRAPH_SHARED", "../shared"),
)
@click.option("--limit", default=20_000, show_default=True, help="Papers to process.")
@click.option("--batch-size", default=256, show_default=True)
@click.option("--n-process", default=1, show_default=True)
def main(shared: Path, limit: int, batch_size: int, n_process: int) -> None:
    """Abstracts/s, words/s and peak memory of `extract_papers` over the corpus."""
    from extract.nlp.pipeline import extract_papers, load_pipeline

    corpus = shared / "corpus" / "papers.jsonl.zst"
    if not corpus.is_file():
        raise click.ClickException(f"{corpus}: corpus file not found")
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
    click.echo(f"pipeline load      {loaded - started:8.2f} s")
    click.echo(f"papers             {papers:8d}  (n_process={n_process}, batch_size={batch_size})")
    click.echo(f"words              {words:8d}")
    click.echo(f"mentions           {mentions:8d}")
    click.echo(f"elapsed            {elapsed:8.2f} s (reading + decompressing included)")
    click.echo(f"abstracts/s        {papers / elapsed:8.0f}")
    click.echo(f"words/s            {words / elapsed:8.0f}")
    click.echo(f"peak RSS           {peak_rss_mb():8.0f} MB")


if __name__ == "__main__":
    main()
