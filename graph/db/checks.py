"""Data-quality checks after a load: the graph's counts for the load against the snapshot, orphans."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from neo4j import Driver

from graph.db.loader import SnapshotSource, batches, snapshot_load_id
from graph.db.runner import run_named


class GraphCheckError(RuntimeError):
    """The graph does not match the snapshot it was loaded from."""


def _non_blank(names: pa.ChunkedArray | pa.Array) -> pa.Array:
    """bool(name.strip()) of each name: a name with a letter or digit is not blank; the few others
    (punctuation, spaces) are decided by Python's own `strip`, whose whitespace Arrow does not share."""
    has_word = pc.fill_null(pc.match_substring_regex(names, r"[\pL\pN]"), False)
    if pc.all(has_word).as_py() is not False:
        return has_word
    pairs = zip(has_word.to_pylist(), names.to_pylist(), strict=True)
    return pa.array([word or bool(name and name.strip()) for word, name in pairs], pa.bool_())


def _count_true(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(pc.fill_null(mask, False).cast(pa.int64())).as_py() or 0)


# load_counts column -> (the snapshot table, the columns read, how many of a batch's rows it counts)
_EXPECTED: dict[str, tuple[str, tuple[str, ...], Callable[[pa.Table], int]]] = {
    "papers": ("papers", (), lambda batch: batch.num_rows),
    "has_code": (
        "papers",
        ("github_repo",),
        lambda batch: _count_true(pc.greater(pc.binary_length(batch["github_repo"]), 0)),
    ),
    "entities": ("entities", (), lambda batch: batch.num_rows),
    "authored_by": ("authors", ("name",), lambda batch: _count_true(_non_blank(batch["name"]))),
    "mentions": ("paper_entities", (), lambda batch: batch.num_rows),
    "proposes": ("paper_entities", ("proposed",), lambda batch: _count_true(batch["proposed"])),
    "references": ("references", (), lambda batch: batch.num_rows),
    "cites": (
        "citations",
        ("citing_paper_id", "cited_paper_id"),
        lambda batch: _count_true(pc.not_equal(batch["citing_paper_id"], batch["cited_paper_id"])),
    ),
    "hub_repos": ("hub_repos", (), lambda batch: batch.num_rows),
    "hub_links": ("paper_hub_links", (), lambda batch: batch.num_rows),
}
_QUERIES = ("dq_load_counts", "dq_orphan_mentions", "dq_duplicate_aliases", "dq_orphan_nodes")
CORE_COUNTS = ("papers", "has_code", "entities", "authored_by", "mentions", "proposes")
RELATION_COUNTS = ("references", "cites", "hub_repos", "hub_links")


def _table_batches(
    snapshot: SnapshotSource, table: str, columns: list[str], batch_size: int
) -> Iterator[Any]:
    """The table's batches; only `columns` when the snapshot can read a subset (graph.snapshot.Snapshot)."""
    read_table = getattr(snapshot, "read_table", None)
    if read_table is None or table not in snapshot.manifest.tables:
        yield from batches(snapshot, table, batch_size)
        return
    yield read_table(table, columns=columns)


def expected_counts(
    snapshot: SnapshotSource, names: Iterable[str], batch_size: int = 10_000
) -> dict[str, int]:
    """What a complete load of `snapshot` writes, counted from its tables (in Arrow, only the columns
    each count needs)."""
    names = list(names)
    expected = dict.fromkeys(names, 0)
    for table in sorted({_EXPECTED[n][0] for n in names}):
        counted = [n for n in names if _EXPECTED[n][0] == table]
        columns = sorted({column for n in counted for column in _EXPECTED[n][1]})
        for batch in _table_batches(snapshot, table, columns, batch_size):
            data = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            for name in counted:
                expected[name] += _EXPECTED[name][2](data)
    return expected


@dataclass
class CheckReport:
    load_id: str
    expected: dict[str, int]
    actual: dict[str, int]
    orphan_mentions: list[dict[str, Any]]
    duplicate_aliases: list[dict[str, Any]]
    orphan_nodes: list[dict[str, Any]]

    @property
    def problems(self) -> list[str]:
        found = [
            f"{name}: graph has {self.actual[name]} for this load, snapshot has {count}"
            for name, count in self.expected.items()
            if self.actual[name] != count
        ]
        if self.orphan_mentions:
            found.append(f"{len(self.orphan_mentions)} orphan mention(s), e.g. {self.orphan_mentions[0]}")
        return found

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        if self.problems:
            raise GraphCheckError(f"graph check of {self.load_id} failed: " + "; ".join(self.problems))

    def summary(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "ok": self.ok,
            "problems": self.problems,
            "expected": self.expected,
            "actual": self.actual,
            # reported, not failing: they come from extraction, not from the load
            "duplicate_aliases": len(self.duplicate_aliases),
            "orphan_nodes": len(self.orphan_nodes),
        }


def _params(query: str, load_id: str) -> dict[str, Any] | None:
    return {"load_id": load_id} if query == "dq_load_counts" else None


def check_load(
    driver: Driver, snapshot: SnapshotSource, *, relations: bool = True, database: str | None = None
) -> CheckReport:
    """Compare what the snapshot's load wrote with the snapshot, and run the data-quality queries.

    `relations=False` skips the relation counts (REFERENCES, CITES, Hub repos and links), for a check
    between CORE_STEPS and RELATION_STEPS.
    Problems (count mismatches, orphan mentions) are listed in the report; call `raise_for_problems()`.
    """
    load_id = snapshot_load_id(snapshot)
    names = CORE_COUNTS + (RELATION_COUNTS if relations else ())
    expected = expected_counts(snapshot, names)
    results = {name: run_named(driver, name, _params(name, load_id), database) for name in _QUERIES}
    (counts,) = results["dq_load_counts"]
    return CheckReport(
        load_id=load_id,
        expected=expected,
        actual={name: int(counts[name]) for name in names},
        orphan_mentions=[
            r.data()
            for r in results["dq_orphan_mentions"]
            # before the relation steps, REFERENCES of re-extracted papers are not reconciled yet
            if relations or not r["problem"].startswith("reference")
        ],
        duplicate_aliases=[r.data() for r in results["dq_duplicate_aliases"]],
        orphan_nodes=[r.data() for r in results["dq_orphan_nodes"]],
    )
