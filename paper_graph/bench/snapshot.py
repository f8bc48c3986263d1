"""Benchmark: stream a synthetic corpus through graph.relations and SnapshotWriter; print time and peak RSS.

.venv/bin/python -m paper_graph.bench.snapshot --papers 100000 --mentions-per-paper 10
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa

from graph import relations
from graph.snapshot import SnapshotWriter, open_snapshot, rows_to_arrow
from paper_graph.bench.common import peak_rss_mb

VOCAB = [
    f"{kind}:{name}{i}" for kind in ("model", "dataset", "method") for name in ("x",) for i in range(3000)
]


def papers(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {
            "paper_id": f"24{i // 10000:02d}.{i % 100000:05d}",
            "title": f"Paper {i} about things",
            "abstract": "We study " + " ".join(random.choices(VOCAB, k=120)),
            "arxiv_id": f"24{i // 10000:02d}.{i % 100000:05d}",
            "authors": [f"Author {i}-{j}" for j in range(5)],
            "author_count": 5,
            "published_at": date(2024, 5, 1),
            "upvotes": i % 50,
            "github_repo": None,
            "project_page": None,
            "categories": ["cs.CL"],
            "source": "bench",
            "source_url": f"bench://{i}",
            "fetched_at": None,
            "sources": [f"bench://{i}"],
        }


def mentions(n_papers: int, per_paper: int) -> Iterator[dict[str, Any]]:
    for i in range(n_papers):
        paper_id = f"24{i // 10000:02d}.{i % 100000:05d}"
        for j in range(per_paper):
            key = random.choice(VOCAB)
            yield {
                "paper_id": paper_id,
                "entity_key": key,
                "type": key.split(":")[0].upper(),
                "text": key.split(":")[1],
                "start": j * 40,
                "end": j * 40 + 6,
                "sentence": f"In this sentence number {j} we use {key} for the task at hand, as usual.",
                "component": "gazetteer",
                "is_contribution": j == 0 and i % 7 == 0,
            }


def chunks(rows: Iterator[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--mentions-per-paper", type=int, default=10)
    args = parser.parse_args()
    random.seed(1)
    with tempfile.TemporaryDirectory(prefix="pg-bench-snapshot-") as root:
        started = time.perf_counter()
        with SnapshotWriter(root, "2024-05-27", "bench") as writer:
            for batch in chunks(papers(args.papers)):
                writer.write("papers", batch)
                writer.write("authors", relations.authors(batch))
            print(f"after papers+authors: peak RSS {peak_rss_mb():.0f} MB", flush=True)
            writer.write("mentions", mentions(args.papers, args.mentions_per_paper))
            print(f"after mentions: peak RSS {peak_rss_mb():.0f} MB", flush=True)
            paper_entities = relations.paper_entities(mentions(args.papers, args.mentions_per_paper))
            pe_table = pa.concat_tables(
                rows_to_arrow("paper_entities", batch) for batch in chunks(paper_entities)
            )
            writer.write("paper_entities", pe_table)
            print(f"after paper_entities: peak RSS {peak_rss_mb():.0f} MB", flush=True)
            writer.write("references", relations.references(pe_table))
            print(f"after references: peak RSS {peak_rss_mb():.0f} MB", flush=True)
            writer.write("co_mentions", relations.co_mentions(pe_table))
            print(f"after co_mentions: peak RSS {peak_rss_mb():.0f} MB", flush=True)
            del pe_table
            fed = time.perf_counter()
            manifest = writer.commit()
        done = time.perf_counter()
        snapshot = open_snapshot(root)
        snapshot.verify()
        verified = time.perf_counter()
        print(f"papers {args.papers:,}  mentions {manifest.tables['mentions'].rows:,}")
        for name, table in manifest.tables.items():
            print(f"  {name:<15}{table.rows:>12,} rows {table.size / 1e6:>9.1f} MB")
        print(f"feed (validate + spill) {fed - started:.1f} s; commit (sort + write) {done - fed:.1f} s")
        print(f"verify {verified - done:.1f} s; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
