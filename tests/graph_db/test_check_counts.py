"""The graph check's expected counts, taken in Arrow, against the same counts in plain Python."""

from __future__ import annotations

import pyarrow as pa

from graph.db.checks import _non_blank, expected_counts
from graph.snapshot import open_snapshot, write_snapshot
from tests.graph_snapshot import fixture_rows


def test_blank_author_names_are_those_python_strips_to_nothing() -> None:
    names = ["Ada", " ", "\x1c\x1d", "", "\u3000", "-", " é ", "\u00a0Li\u00a0", "\t\n", "\u2028", "42"]
    assert _non_blank(pa.array(names)).to_pylist() == [bool(n.strip()) for n in names]
    assert _non_blank(pa.chunked_array([["Ada"], ["Grace"]])).to_pylist() == [True, True]


def test_expected_counts_match_the_snapshot_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tables = fixture_rows.all_tables()
    tables["authors"] = [*tables["authors"], {"paper_id": "2304.08485", "position": 9, "name": " \x1c"}]
    write_snapshot(tmp_path, "2024-08-01", "run-1", tables)
    snapshot = open_snapshot(tmp_path, "2024-08-01")
    rows = {name: snapshot.read_table(name).to_pylist() for name in snapshot.manifest.tables}
    assert expected_counts(
        snapshot, ["papers", "has_code", "authored_by", "mentions", "proposes", "cites"]
    ) == {
        "papers": len(rows["papers"]),
        "has_code": sum(bool(r["github_repo"]) for r in rows["papers"]),
        "authored_by": sum(bool(r["name"].strip()) for r in rows["authors"]),
        "mentions": len(rows["paper_entities"]),
        "proposes": sum(bool(r["proposed"]) for r in rows["paper_entities"]),
        "cites": sum(r["citing_paper_id"] != r["cited_paper_id"] for r in rows["citations"]),
    }
