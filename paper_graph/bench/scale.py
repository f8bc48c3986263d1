"""Scale run: the pipeline's extract -> snapshot -> graph-load steps over the benchmark corpus
(../shared/corpus/papers.jsonl.zst, 115k real arXiv papers), with time and peak memory per step.

    make scale [SCALE_LIMIT=N]      # = python -m paper_graph.bench.scale [--limit N]

Neo4j: a separate `scale` instance, started and stopped here.

The corpus stands in for parsed pages (it has the same fields), so fetch and parse are not part of it;
their own scale figures come from the parser benchmarks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from extract.jsonl import write_records_jsonl
from graph.db.loader import wipe_graph
from paper_graph import steps
from paper_graph.bench.common import corpus_path, corpus_records, peak_rss_mb
from paper_graph.config import load_config
from paper_graph.local import neo4j as neo4j_local
from paper_graph.run import RunDir

RUN_DATE = "2026-01-01"


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
    corpus = corpus_path(args.shared)
    if not corpus.is_file():
        sys.exit(f"scale run needs {corpus} (the shared benchmark corpus); it is absent here")

    data = Path(tempfile.mkdtemp(prefix="paper-graph-scale-"))
    config = data / "pipeline.toml"
    config.write_text(f'[paths]\ndata_root = "{data}"\n[load]\nbatch_size = 5000\n')
    run = RunDir.of(load_config(config), RUN_DATE).create()  # what `parse` would have made
    run.responses.write_text("[]")
    papers = step("papers", write_records_jsonl, corpus_records(corpus, args.limit), run.papers)
    print(f"  {papers} papers", flush=True)
    parsed = {"papers": papers, "run": run.as_xcom()}
    extracted = step("extract", steps.extract, str(config), parsed)
    print(f"  {extracted}", flush=True)
    snapshot = step("snapshot", steps.write_snapshot, str(config), extracted, "scale")
    print(f"  {snapshot['rows']}", flush=True)

    instance = neo4j_local.Instance(
        name="scale", bolt_port=27689, http_port=27476, heap_max="2g", pagecache="512m"
    )
    neo4j_local.start(instance)
    try:
        from paper_graph import connection

        with connection.driver(instance.uri) as driver:
            wipe_graph(driver)
            verified = step("verify", steps.verify, str(config), [RUN_DATE])
            loaded = step("graph load", steps.load, driver, str(config), verified)
            print(f"  {loaded['rows']} rows, {loaded['rows_per_second']} rows/s", flush=True)
            checked = step("graph check", steps.check, driver, str(config), loaded)
            relations = step("relations", steps.load_relations, driver, str(config), checked)
            print(f"  {relations['rows']} rows", flush=True)
    finally:
        neo4j_local.stop(instance)
    print(
        f"peak RSS of the whole run (Python; Neo4j is a separate JVM): {peak_rss_mb():.0f} MB; data in {data}"
    )


if __name__ == "__main__":
    main()
