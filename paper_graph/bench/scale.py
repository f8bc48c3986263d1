"""Scale run: the pipeline's extract -> snapshot -> graph-load steps over the benchmark corpus
(../shared/corpus/papers.jsonl.zst, 115k real arXiv papers), with time and peak memory per step, against
the stock `spacy.blank("en")` tokenizer over the same titles and abstracts, measured in the same run.

    make scale [SCALE_LIMIT=N] [SCALE_BOLT_PORT=27689 SCALE_HTTP_PORT=27476]
    python -m paper_graph.bench.scale [--limit N] [--n-process 2] [--bolt-port P --http-port P]

The reference runs before the steps and again after them, each time in a fresh process
(paper_graph.bench.extract's, the one `make bench` uses); a long run on a shared machine sees its load
change, so the ratios use the mean of the two. Every step prints its seconds as it ends (and its ratio
to the first reference); the summary gives each step's ratio and the total, the sum of the steps
(target: <= 1.5x the tokenizer). Extraction runs with `--n-process` workers (default: the machine's
cores), set through the `[extract] n_process` config as a user would. The graph is loaded as
`paper-graph load` loads a snapshot of at least 20,000 papers into the empty database of the local
server: by the bulk import (paper_graph/local/bulk.py, phases printed), then checked against the
snapshot; smaller runs go through the transactional loader (core steps, check, relation steps).

Neo4j: a separate `scale` instance whose database is removed first (a new, empty graph), started and
stopped here. Peak RSS: of this process, and of its Python children (the reference, the extraction
workers, through their forkserver, stopped after the step) measured before any Java child (importer,
server) is waited for; Neo4j is a separate JVM.

The corpus stands in for parsed pages (it has the same fields), so fetch and parse are not part of it;
their own scale figures come from the parser benchmarks.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extract.jsonl import write_records_jsonl
from paper_graph import steps
from paper_graph.bench.common import corpus_path, corpus_records, peak_rss_mb
from paper_graph.bench.extract import _fresh_process_run
from paper_graph.cli.load import AUTO_BULK_MIN_PAPERS
from paper_graph.config import load_config
from paper_graph.local import neo4j as neo4j_local
from paper_graph.run import RunDir

RUN_DATE = "2026-01-01"
RATIO_TARGET = 1.5
RSS_TARGET_MB = 2048
ALL = 10**9  # "no limit" for the reference's --limit
REFERENCE_BATCH_SIZE = 256  # the reference's spaCy batch size, as `make bench` runs it


class Steps:
    """Runs and times the steps; each line gives seconds, the ratio to the reference and peak RSS."""

    def __init__(self, reference_seconds: float) -> None:
        self.reference_seconds = reference_seconds
        self.seconds: dict[str, float] = {}

    def run(self, name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        result = func(*args, **kwargs)
        elapsed = time.perf_counter() - began
        self.seconds[name] = elapsed
        print(
            f"{name:<16} {elapsed:8.1f} s  {elapsed / self.reference_seconds:5.2f}x the tokenizer"
            f"   peak RSS so far {peak_rss_mb():7.0f} MB",
            flush=True,
        )
        return result

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def _new_instance(bolt_port: int, http_port: int) -> neo4j_local.Instance:
    """The stopped `scale` instance without its graph database: the load starts from an empty graph."""
    instance = neo4j_local.Instance(
        name="scale", bolt_port=bolt_port, http_port=http_port, heap_max="2g", pagecache="512m"
    )
    neo4j_local.stop(instance)
    for folder in ("databases", "transactions"):
        shutil.rmtree(instance.home / "data" / folder / "neo4j", ignore_errors=True)
    return instance


def _bulk_load(instance: neo4j_local.Instance, config: Path, verified: dict[str, Any]) -> Any:
    from paper_graph.local.bulk import bulk_load

    snapshot = steps._verified(load_config(config), verified, verified["snapshot_date"])
    return bulk_load(instance, snapshot, batch_size=load_config(config).load_batch_size, verify=False)


def _check(driver: Any, config: Path, verified: dict[str, Any]) -> dict[str, Any]:
    from graph.db.checks import check_load

    snapshot = steps._verified(load_config(config), verified, verified["snapshot_date"])
    report = check_load(driver, snapshot, relations=True)
    report.raise_for_problems()
    return report.summary()


def _stop_forkserver() -> None:
    """Stop and wait for the extraction workers' forkserver (shards.worker_pool; the next pool starts
    a new one): it reaped the workers, so their peak RSS now counts in this process's children's."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own (private) stop of it
    if stop is not None:
        stop()


def _reference(corpus: Path, limit: int | None, when: str) -> dict[str, Any]:
    """The stock tokenizer over the same titles and abstracts, in a fresh process (`make bench`'s)."""
    print(f"reference {when}: spacy.blank('en') over the same titles and abstracts", flush=True)
    figures = _fresh_process_run(corpus, limit or ALL, REFERENCE_BATCH_SIZE, 1, reference=True)
    print(
        f"spacy.blank('en') {figures['seconds']:8.1f} s  {figures['papers']:,.0f} papers,"
        f" {figures['abstracts_per_second']:,.0f} abstracts/s, peak RSS {figures['peak_rss_mb']:.0f} MB",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("PAPER_GRAPH_SHARED", "../shared"))
    )
    parser.add_argument("--limit", type=int, default=None, help="first N papers only")
    parser.add_argument(
        "--n-process", type=int, default=os.cpu_count() or 1, help="extraction workers (default: cores)"
    )
    parser.add_argument("--bolt-port", type=int, default=int(os.environ.get("SCALE_BOLT_PORT", 27689)))
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("SCALE_HTTP_PORT", 27476)))
    args = parser.parse_args()
    corpus = corpus_path(args.shared)
    if not corpus.is_file():
        sys.exit(f"scale run needs {corpus} (the shared benchmark corpus); it is absent here")

    data = Path(tempfile.mkdtemp(prefix="paper-graph-scale-"))
    config = data / "pipeline.toml"
    config.write_text(
        f'[paths]\ndata_root = "{data}"\n[extract]\nn_process = {args.n_process}\n[load]\nbatch_size = 5000\n'
    )
    run = RunDir.of(load_config(config), RUN_DATE).create()  # what `parse` would have made
    run.responses.write_text("[]")

    reference = _reference(corpus, args.limit, "before the steps")
    timed = Steps(reference["seconds"])
    began = time.perf_counter()
    papers = timed.run("papers", write_records_jsonl, corpus_records(corpus, args.limit), run.papers)
    print(
        f"  {papers:,} papers (the corpus stands in for parse's output); n_process={args.n_process}",
        flush=True,
    )
    parsed = {"papers": papers, "run": run.as_xcom()}
    extracted = timed.run("extract", steps.extract, str(config), parsed)
    print(f"  {extracted['papers']:,} papers, {extracted['mentions']:,} mentions", flush=True)
    _stop_forkserver()
    snapshot = timed.run("snapshot", steps.write_snapshot, str(config), extracted, "scale")
    print(f"  {snapshot['rows']}", flush=True)
    # the largest child so far: the reference or an extraction worker (no Java child was waited for yet)
    python_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    instance = _new_instance(args.bolt_port, args.http_port)
    bulk = papers >= AUTO_BULK_MIN_PAPERS
    try:
        from paper_graph import connection

        verified = timed.run("verify", steps.verify, str(config), [RUN_DATE])
        if bulk:
            report = timed.run("graph load", _bulk_load, instance, config, verified)
            print(
                f"  bulk import: {report.files.nodes:,} nodes, {report.files.relationships:,} relationships,"
                f" {report.rows:,} rows ({report.records_per_second:,.0f} records/s): "
                + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases().items()),
                flush=True,
            )
            with connection.driver(instance.uri) as driver:
                timed.run("graph check", _check, driver, config, verified)
        else:
            timed.run("server start", neo4j_local.start, instance)  # the bulk load starts it itself
            with connection.driver(instance.uri) as driver:
                loaded = timed.run("graph load", steps.load, driver, str(config), verified)
                print(f"  {loaded['rows']:,} rows, {loaded['rows_per_second']:,} rows/s", flush=True)
                checked = timed.run("graph check", steps.check, driver, str(config), loaded)
                relations = timed.run("relations", steps.load_relations, driver, str(config), checked)
                print(f"  {relations['rows']:,} rows", flush=True)
    finally:
        neo4j_local.stop(instance)
    wall = time.perf_counter() - began
    # the machine's load changes over a long run: the tokenizer is timed again after the steps
    after = _reference(corpus, args.limit, "after the steps")
    reference_seconds = (reference["seconds"] + after["seconds"]) / 2
    print(f"tokenizer time: the mean of the two runs, {reference_seconds:.1f} s")
    for name, seconds in timed.seconds.items():
        print(f"  {name:<14} {seconds:8.1f} s  {seconds / reference_seconds:5.2f}x the tokenizer")
    ratio = timed.total / reference_seconds
    verdict = "ok" if ratio <= RATIO_TARGET else "OVER the target"
    print(
        f"total            {timed.total:8.1f} s  {ratio:5.2f}x the tokenizer's {reference_seconds:.1f} s"
        f" (target <= {RATIO_TARGET}x: {verdict}); wall time {wall:.1f} s with the server's stop;"
        f" {'bulk import' if bulk else 'transactional load'}"
    )
    own = peak_rss_mb()
    # not the second reference's own figure: Linux keeps the peak RSS across exec, so a child started
    # late reports this (bigger) process's peak as its own
    children = max(python_children_mb, reference["peak_rss_mb"])
    verdict = "ok" if max(own, children) < RSS_TARGET_MB else "OVER the target"
    print(
        f"peak RSS: this process {own:.0f} MB, its Python children (reference, extraction workers)"
        f" {children:.0f} MB (target < {RSS_TARGET_MB} MB each: {verdict}); Neo4j and the importer are"
        f" JVMs, not counted; data in {data}"
    )


if __name__ == "__main__":
    main()
