"""What every benchmark shares: the one reader of the benchmark corpus and the one peak-RSS helper.

The corpus is ../shared/corpus/papers.jsonl.zst ($PAPER_GRAPH_SHARED): 115k real arXiv papers, one
JSON object per line (arxiv_id, title, abstract, authors, published_at, categories, source).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import resource
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from extract.records import PaperRecord
from paper_graph.config import PROJECT_ROOT


def corpus_path(shared: str | os.PathLike[str] | None = None) -> Path:
    """The corpus file under `shared` (default: $PAPER_GRAPH_SHARED, else ../shared)."""
    base = shared or os.environ.get("PAPER_GRAPH_SHARED") or PROJECT_ROOT.parent / "shared"
    return Path(base) / "corpus" / "papers.jsonl.zst"


def corpus_rows(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The corpus objects as stored, streamed from the zstd file (the first `limit` when given)."""
    import zstandard

    with path.open("rb") as raw:
        text = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")
        for line in itertools.islice(text, limit):
            yield json.loads(line)


def corpus_records(path: Path, limit: int | None = None) -> Iterator[PaperRecord]:
    """The corpus as parsed papers (it stands in for parsed pages: same fields)."""
    for row in corpus_rows(path, limit):
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


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (and, with `children`, of its largest waited-for child)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if children:
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return peak / 1024  # Linux reports KiB
