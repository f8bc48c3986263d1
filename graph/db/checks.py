"""Data-quality checks after a load: the graph's counts for the load against the snapshot, orphans."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from neo4j import Driver

from graph.db.loader import SnapshotSource, batches, snapshot_load_id
from graph.db.runner import run_named


class GraphCheckError(RuntimeError):
    """The graph does not match the snapshot it was loaded from."""


# load_counts column -> how to count the expected value from the snapshot
_EXPECTED: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "papers": ("papers", lambda row: True),
    "has_code": ("papers", lambda row: bool(row.get("github_repo"))),
    "entities": ("entities", lambda row: True),
    "authored_by": ("authors", lambda row: bool(row["name"].strip())),
    "mentions": ("paper_entities", lambda row: True),
    "proposes": ("paper_entities", lambda row: bool(row["proposed"])),
    "references": ("references", lambda row: True),
    "cites": ("citations", lambda row: row["citing_paper_id"] != row["cited_paper_id"]),
    "hub_repos": ("hub_repos", lambda row: True),
    "hub_links": ("paper_hub_links", lambda row: True),
}
CORE_COUNTS = ("papers", "has_code", "entities", "authored_by", "mentions", "proposes")
RELATION_COUNTS = ("references", "cites", "hub_repos", "hub_links")


def expected_counts(
    snapshot: SnapshotSource, names: Iterable[str], batch_size: int = 10_000
) -> dict[str, int]:
    """What a complete load of `snapshot` writes, counted from its tables (streamed)."""
    names = list(names)
    expected = dict.fromkeys(names, 0)
    for table in sorted({_EXPECTED[n][0] for n in names}):
        counted = [n for n in names if _EXPECTED[n][0] == table]
        for batch in batches(snapshot, table, batch_size):
            for row in batch.to_pylist():
                for name in counted:
                    expected[name] += _EXPECTED[name][1](row)
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
    (counts,) = run_named(driver, "dq_load_counts", {"load_id": load_id}, database)
    return CheckReport(
        load_id=load_id,
        expected=expected,
        actual={name: int(counts[name]) for name in names},
        orphan_mentions=[
            r.data()
            for r in run_named(driver, "dq_orphan_mentions", database=database)
            # before the relation steps, REFERENCES of re-extracted papers are not reconciled yet
            if relations or not r["problem"].startswith("reference")
        ],
        duplicate_aliases=[r.data() for r in run_named(driver, "dq_duplicate_aliases", database=database)],
        orphan_nodes=[r.data() for r in run_named(driver, "dq_orphan_nodes", database=database)],
    )
