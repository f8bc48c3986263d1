"""Shards of the extract stage: a run's papers cut into contiguous slices, one extract task each.

`plan` writes each slice of the run's papers.jsonl, in its order, as the shard's own work file
(`<run>/shards/<index>/papers.jsonl`); `extract` turns one shard into its own mentions file next to
it (a retried shard replaces only that file, atomically); `mentions` reads the shards' mentions back
in shard order. That stream is exactly what one unsharded extract yields, so the snapshot built from
it (the entity table included, aggregated over the whole stream) has the same bytes whatever the
shard size. Airflow maps one task over the shards; `n_process` parallelises inside one shard.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paper_graph.run import RunDir

log = logging.getLogger(__name__)

PAPERS = "papers.jsonl"
MENTIONS = "mentions.jsonl"
PROGRESS_EVERY = 10_000  # task logs show progress on long shards


class ShardError(RuntimeError):
    """The shards handed to the snapshot are not one complete plan of one run."""


@dataclass(frozen=True)
class Shard:
    run: RunDir
    index: int  # 0-based position among the run's shards
    count: int  # how many shards the run has
    first: int  # position in the run's papers.jsonl of the shard's first paper
    papers: int

    @property
    def path(self) -> Path:
        return self.run.shards / f"{self.index:05d}"

    @property
    def papers_file(self) -> Path:
        return self.path / PAPERS

    @property
    def mentions_file(self) -> Path:
        return self.path / MENTIONS

    def as_xcom(self) -> dict[str, Any]:
        return {
            "run": self.run.as_xcom(),
            "index": self.index,
            "count": self.count,
            "first": self.first,
            "papers": self.papers,
        }

    @classmethod
    def from_xcom(cls, data: Mapping[str, Any]) -> Shard:
        return cls(RunDir.from_xcom(data["run"]), data["index"], data["count"], data["first"], data["papers"])


def plan(run: RunDir, shard_size: int) -> list[Shard]:
    """Cut the run's papers.jsonl into shards of `shard_size` papers (the last one smaller), each
    written as its own file; replaces an earlier plan of the run. Always at least one shard (empty
    when the run has no papers), so the stages after it always run."""
    if shard_size < 1:
        raise ValueError(f"shard_size must be at least 1, got {shard_size}")
    staging = run.path / f".{RunDir.SHARDS}-{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    slices: list[tuple[int, int]] = []  # (first, papers) per shard
    out = None
    try:
        with run.papers.open("rb") as lines:
            position = 0
            for line in lines:
                if not line.strip():
                    continue
                if position % shard_size == 0:
                    if out is not None:
                        out.close()
                    folder = staging / f"{len(slices):05d}"
                    folder.mkdir()
                    out = (folder / PAPERS).open("wb")
                    slices.append((position, 0))
                out.write(line if line.endswith(b"\n") else line + b"\n")
                slices[-1] = (slices[-1][0], slices[-1][1] + 1)
                position += 1
        if out is not None:
            out.close()
        if not slices:
            (staging / "00000").mkdir()
            (staging / "00000" / PAPERS).write_bytes(b"")
            slices.append((0, 0))
        if run.shards.exists():
            shutil.rmtree(run.shards)
        staging.rename(run.shards)
    except BaseException:
        if out is not None:
            out.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [Shard(run, i, len(slices), first, papers) for i, (first, papers) in enumerate(slices)]


def extract(shard: Shard, batch_size: int, n_process: int) -> dict[str, Any]:
    """Extract the shard's papers into its own mentions file (replaced atomically); its counts."""
    from extract.jsonl import read_records_jsonl, write_jsonl
    from extract.nlp.pipeline import extract_papers

    counts = {"papers": 0, "mentions": 0}
    keys: set[str] = set()

    def mentions() -> Iterator[Any]:
        for _paper_id, found in extract_papers(read_records_jsonl(shard.papers_file), batch_size, n_process):
            counts["papers"] += 1
            counts["mentions"] += len(found)
            keys.update(m.entity_key for m in found)
            if counts["papers"] % PROGRESS_EVERY == 0:
                log.info(
                    "shard %d: %d papers, %d mentions so far",
                    shard.index,
                    counts["papers"],
                    counts["mentions"],
                )
            yield from found
        if counts["papers"] != shard.papers:  # raised before the mentions file is replaced
            raise ShardError(
                f"{shard.papers_file}: {counts['papers']} papers, the plan says {shard.papers}: plan again"
            )

    write_jsonl(mentions(), shard.mentions_file)
    return {**shard.as_xcom(), **counts, "entities": len(keys), "mentions_file": str(shard.mentions_file)}


def complete(results: Iterable[Mapping[str, Any]]) -> list[Shard]:
    """The shards of `results` (the extract summaries), in shard order, checked to be one whole plan:
    one run, every index from 0 to count - 1 once, each with its mentions file."""
    shards = sorted((Shard.from_xcom(r) for r in results), key=lambda s: s.index)
    if not shards:
        raise ShardError("no extracted shards")
    runs = {s.run for s in shards}
    if len(runs) != 1:
        raise ShardError(f"extracted shards of several runs: {sorted(str(r.path) for r in runs)}")
    count = shards[0].count
    indices = [s.index for s in shards]
    if indices != list(range(count)) or any(s.count != count for s in shards):
        raise ShardError(f"{shards[0].run.path}: shards {indices} extracted, the plan has {count}")
    missing = [str(s.mentions_file) for s in shards if not s.mentions_file.is_file()]
    if missing:
        raise ShardError(f"shards without their mentions file: {', '.join(missing)}")
    return shards


def mentions(shards: Iterable[Shard]) -> Iterator[dict[str, Any]]:
    """The shards' mention rows, shard after shard: paper order, as one unsharded extract wrote them."""
    from extract.jsonl import read_jsonl

    for shard in shards:
        yield from read_jsonl(shard.mentions_file)
