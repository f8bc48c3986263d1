"""Scale run: the pipeline's extract -> snapshot -> graph-load steps over the benchmark corpus
(../shared/corpus/papers.jsonl.zst, 115k real arXiv papers), with time and peak memory per step.

    make scale [SCALE_LIMIT=N]      # Neo4j: a separate `scale` instance, started and stopped here

The corpus stands in for parsed pages (it has the same fields), so fetch and parse are not part of it;
their own scale figures come from the parser benchmarks.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from extract.jsonl import write_records_jsonl
from extract.records import PaperRecord
from graph import neo4j_local, pipeline
from graph.load import wipe_graph

RUN_DATE = "2026-01-01"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_records(path: Path, limit: int | None) -> Iterator[PaperRecord]:
    import zstandard

    with path.open("rb") as raw:
        text = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")
        for n, line in enumerate(text):
            if limit is not None and n >= limit:
                return
            row = json.loads(line)
            published = row.get("published_at") or ""
            yield PaperRecord(
                paper_id=row["arxiv_id"],
                arxiv_id=row["arxiv_id"],
                title=row["title"],
                abstract=row["abstract"],
                authors=row["authors"],
                author_count=len(row["authors"]),
                published_at=date.fromisoformat(published[:10]) if published else None,
                categories=row["categories"],
                source="corpus",
                source_url=f"corpus:{row['source']}",
                sources=[f"corpus:{row['source']}"],
            )


def step(name: str, func, *args):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = func(*args)
    print(
        f"{name:<16} {time.perf_counter() - began:8.1f} s   peak RSS so far {peak_rss_mb():7.0f} MB",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("PAPER_GRAPH_SHARED", "../shared"))
    )
    parser.add_argument("--limit", type=int, default=None, help="first N papers only")
    args = parser.parse_args()
    corpus = args.shared / "corpus" / "papers.jsonl.zst"
    if not corpus.is_file():
        sys.exit(f"scale run needs {corpus} (the shared benchmark corpus); it is absent here")

    data = Path(tempfile.mkdtemp(prefix="paper-graph-scale-"))
    config = data / "pipeline.toml"
    config.write_text(f'[paths]\ndata_root = "{data}"\n[load]\nbatch_size = 5000\n')
    work = data / "work" / f"dt={RUN_DATE}"
    work.mkdir(parents=True)
    (work / pipeline.RESPONSES_FILE).write_text("[]")
    papers = step(
        "papers", write_records_jsonl, corpus_records(corpus, args.limit), work / pipeline.PAPERS_FILE
    )
    print(f"  {papers} papers", flush=True)
    extracted = step("extract", pipeline.extract, str(config), RUN_DATE)
    print(f"  {extracted}", flush=True)
    snapshot = step("snapshot", pipeline.write_snapshot, str(config), RUN_DATE, "scale")
    print(f"  {snapshot['rows']}", flush=True)

    instance = neo4j_local.Instance(
        name="scale", bolt_port=27689, http_port=27476, heap_max="2g", pagecache="512m"
    )
    neo4j_local.start(instance)
    try:
        from neo4j import GraphDatabase

        with GraphDatabase.driver(instance.uri, auth=(neo4j_local.USER, neo4j_local.password())) as driver:
            wipe_graph(driver)
            loaded = step("graph load", pipeline.load, driver, str(config), RUN_DATE)
            print(f"  {loaded['rows']} rows, {loaded['rows_per_second']} rows/s", flush=True)
            step("graph check", pipeline.check, driver, str(config), RUN_DATE)
            relations = step("relations", pipeline.load_relations, driver, str(config), RUN_DATE)
            print(f"  {relations['rows']} rows", flush=True)
    finally:
        neo4j_local.stop(instance)
    print(
        f"peak RSS of the whole run (Python; Neo4j is a separate JVM): {peak_rss_mb():.0f} MB; data in {data}"
    )


if __name__ == "__main__":
    main()
