"""Shards of the extract stage: a run's papers cut into contiguous slices, one extract task each.

`plan` writes each slice of the run's papers.jsonl, in its order, as the shard's own work file
(`<run>/shards/<index>/papers.jsonl`); `extract` turns one shard into its own mentions file next to
it (a retried shard replaces only that file, atomically); `mentions` reads the shards' mentions back
in shard order. That stream is exactly what one unsharded extract yields, so the snapshot built from
it (the entity table included, aggregated over the whole stream) has the same bytes whatever the
shard size. Airflow maps one task over the shards; `n_process` parallelises inside one shard.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import multiprocessing
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any

from paper_graph.run import RunDir

log = logging.getLogger(__name__)

PAPERS = "papers.jsonl"
MENTIONS = "mentions.jsonl"
PROGRESS_EVERY = 10_000  # task logs show progress on long shards
PARTS_PER_PROCESS = 32  # parts of a shard per worker (n_process > 1), about: see `part_ranges`
FINE_PARTS = 8  # `part_ranges` cuts the file into this many pieces per part, then groups them
GUIDED_SHARE = 4  # each part takes 1 / (n_process * GUIDED_SHARE) of the pieces left
COPY_BUFFER = 1 << 20


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


def extract(shard: Shard, batch_size: int, n_process: int, pool: Any | None = None) -> dict[str, Any]:
    """Extract the shard's papers into its own mentions file (replaced atomically); its counts.

    With n_process > 1 the shard's papers file is cut into parts of whole lines (`part_ranges`: about
    `PARTS_PER_PROCESS` per worker, smaller towards the end), taken in turn by whichever worker is free.
    Each worker reads its part, extracts it and writes the part's mentions itself; this process only
    appends the finished parts, in order, to the mentions file. So the workers have the cores to
    themselves (no mentions sent back to be unpickled and written here), and the file is the same
    bytes as one process writes. `pool`: a `worker_pool(n_process)` already started (its workers load
    the pipeline while the caller does something else; stopped if a part fails); else one is started
    here."""
    if n_process <= 1 or shard.papers == 0:
        counts, keys = _extract_range(shard, batch_size, None, shard.mentions_file)
    elif pool is None:
        with worker_pool(n_process) as own:
            counts, keys = _extract_parts(shard, batch_size, n_process, own)
    else:
        counts, keys = _extract_parts(shard, batch_size, n_process, pool)
    return {**shard.as_xcom(), **counts, "entities": len(keys), "mentions_file": str(shard.mentions_file)}


@contextlib.contextmanager
def worker_pool(n_process: int) -> Iterator[Any]:
    """A pool of `n_process` extraction workers, each with the pipeline loaded (None when
    n_process <= 1: the caller extracts in its own process); stopped when the block ends.

    Forkserver workers: a fresh single-threaded server process imports, once, the modules every worker
    needs (spaCy and the pipeline's, this module) and builds the pipeline (`extract.nlp.preload`), and
    each worker is a fork of it, so none builds its own. Not a fork of this process, which may have
    threads (an Airflow task, a driver pool) and could deadlock in the child; and not spawned, where
    each worker imports all of them again itself. The main module is not preloaded: each worker runs
    it as its __mp_main__, as a spawned one does, so a script without the `if __name__ == "__main__"`
    guard gets multiprocessing's own error there; imported in the server, it would start pools from
    pools without end."""
    if n_process <= 1:
        yield None
        return
    with _forkserver().Pool(n_process, initializer=_load_pipeline) as pool:
        yield pool


def start_workers(n_process: int) -> None:
    """Start the forkserver of `worker_pool`'s workers (n_process > 1) without waiting for it: it
    imports spaCy and builds the pipeline while the caller goes on (writes the shard file, say). A
    pool made later forks its workers from it as soon as it is ready; making the pool first would
    wait for it here, one core idle meanwhile."""
    if n_process > 1:
        from multiprocessing import forkserver

        _forkserver()
        forkserver.ensure_running()


def _forkserver() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extract.nlp.preload", __name__])  # used when the server starts
    return context


def _load_pipeline() -> None:
    """Built in the forkserver already (this returns it); built here when the server could not, or
    when a forkserver of this process had started earlier with another preload list."""
    from extract.nlp.pipeline import load_pipeline

    load_pipeline()


def _extract_parts(
    shard: Shard, batch_size: int, n_process: int, pool: Any
) -> tuple[dict[str, int], set[str]]:
    from extract.jsonl import atomic_file

    staging = shard.path / f".parts-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        ranges = part_ranges(shard.papers_file, n_process)
        outputs = [staging / f"{index:05d}.jsonl" for index in range(len(ranges))]
        counts = {"papers": 0, "mentions": 0}
        keys: set[str] = set()
        jobs = [(shard, batch_size, part, out) for part, out in zip(ranges, outputs, strict=True)]
        done = [False] * len(jobs)
        # parts appended to the mentions file so far: the finished ones before the first unfinished
        joined = 0
        with atomic_file(shard.mentions_file, binary=True) as target:
            for index, found, found_keys in pool.imap_unordered(_extract_part, enumerate(jobs)):
                counts["papers"] += found["papers"]
                counts["mentions"] += found["mentions"]
                keys |= found_keys
                done[index] = True
                while joined < len(jobs) and done[joined]:
                    _append(outputs[joined], target)
                    joined += 1
                log.info(
                    "shard %d: %d papers, %d mentions so far",
                    shard.index,
                    counts["papers"],
                    counts["mentions"],
                )
            _check_count(shard, counts["papers"])  # raised before the mentions file is replaced
    except BaseException:
        # the workers are stopped before the parts folder goes: none still writes into it when a part
        # failed (so a pool that saw a failure is stopped, the caller's too)
        pool.terminate()
        pool.join()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts, keys


def part_ranges(path: Path, n_process: int) -> list[tuple[int, int, int]]:
    """The byte ranges of whole lines (start, end, first line number) the workers take in turn: about
    `PARTS_PER_PROCESS` per worker, each a share of what is left (guided scheduling), so the first ones
    are larger and the last ones small: the workers end about together, with few parts in all."""
    from extract.jsonl import line_ranges

    fine = line_ranges(path, n_process * PARTS_PER_PROCESS * FINE_PARTS)
    ranges = []
    while fine:
        take = max(1, len(fine) // (n_process * GUIDED_SHARE))
        ranges.append((fine[0][0], fine[take - 1][1], fine[0][2]))
        del fine[:take]
    return ranges


def _append(part: Path, target: IO[bytes]) -> None:
    with part.open("rb") as data:
        shutil.copyfileobj(data, target, COPY_BUFFER)
    part.unlink()


def _extract_part(
    job: tuple[int, tuple[Shard, int, tuple[int, int, int], Path]],
) -> tuple[int, dict[str, int], set[str]]:
    """Worker side of `_extract_parts`: one part of the shard's papers into its own mentions file."""
    index, (shard, batch_size, part, out) = job
    return (index, *_extract_range(shard, batch_size, part, out))


def _extract_range(
    shard: Shard, batch_size: int, part: tuple[int, int, int] | None, out: Path
) -> tuple[dict[str, int], set[str]]:
    """The mentions of the shard's papers (`part`: only bytes [start, end) of its papers file, whose
    first line is line `first`) into `out`, atomically; the counts and the distinct entity keys."""
    from extract.jsonl import atomic_file, read_records_jsonl, read_records_jsonl_range
    from extract.nlp.pipeline import extract_papers

    counts = {"papers": 0, "mentions": 0}
    keys: set[str] = set()
    if part is None:
        papers = read_records_jsonl(shard.papers_file)
    else:
        papers = read_records_jsonl_range(shard.papers_file, *part)
    with atomic_file(out) as target:
        for _paper_id, found in extract_papers(papers, batch_size, 1):
            counts["papers"] += 1
            counts["mentions"] += len(found)
            keys.update(m.entity_key for m in found)
            if found:
                target.write("".join(map(_mention_line, found)))
            if part is None and counts["papers"] % PROGRESS_EVERY == 0:
                log.info(
                    "shard %d: %d papers, %d mentions so far",
                    shard.index,
                    counts["papers"],
                    counts["mentions"],
                )
        if part is None:  # raised before the mentions file is replaced
            _check_count(shard, counts["papers"])
    return counts, keys


def _mention_line(mention: Any) -> str:
    """`row_to_json(mention) + "\n"` (the line `write_jsonl` writes), about twice as fast: the
    mentions file's lines are a tenth of a worker's time. json.dumps(ensure_ascii=False) writes a
    str with this `encode_basestring`, an int with `int.__repr__` and a bool as true/false, the keys
    in field order after "{" or ", " and before ": "; a value of any other type (None, a float, a
    subclass) sends the whole row through `row_to_json`."""
    keys, values = _mention_fields()
    parts = []
    for key, value in zip(keys, values(mention), strict=True):
        kind = type(value)
        if kind is str:
            parts.append(key + encode_basestring(value))
        elif kind is int:
            parts.append(key + int.__repr__(value))
        elif kind is bool:
            parts.append(key + ("true" if value else "false"))
        else:
            from extract.jsonl import row_to_json

            return row_to_json(mention) + "\n"
    parts.append("}\n")
    return "".join(parts)


@functools.cache
def _mention_fields() -> tuple[tuple[str, ...], Any]:
    """The JSON text before each `Mention` field's value, and a getter of the values in that order."""
    import operator

    from extract.records import Mention

    names = [field.name for field in dataclasses.fields(Mention)]
    keys = tuple(("{" if i == 0 else ", ") + encode_basestring(name) + ": " for i, name in enumerate(names))
    return keys, operator.attrgetter(*names)


def _check_count(shard: Shard, papers: int) -> None:
    if papers != shard.papers:
        raise ShardError(f"{shard.papers_file}: {papers} papers, the plan says {shard.papers}: plan again")


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
