"""CITES and Hub links on a real Neo4j: load, reload, prune, stubs merged by arXiv id, S2 id and title key,
and the citation queries' expected rows (fixtures tests/fixtures/graph/cite_v1.json, cite_v2.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.db.checks import check_load
from graph.db.loader import BatchEvent, load_snapshot, wipe_graph
from graph.db.runner import run_named
from graph.snapshot import Snapshot
from tests.graph_db.fixture_snapshot import write_fixture_snapshot
from tests.graph_db.graph_dump import canonical_dump

A, B, C, D, E = "2301.00001", "2302.00002", "2310.00003", "2402.00004", "2403.00005"
T_TITLE_KEY = "title:a1cbcdaf8a674287"
X, Q, Z, NOTE = "1706.03762", "1409.1556", "1512.03385", "s2:s2-note"
W, F, T = "2105.00009", "2404.00006", "2404.00007"


@pytest.fixture(scope="module")
def cite_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cite-snapshots")
    write_fixture_snapshot(root, "cite_v1")
    write_fixture_snapshot(root, "cite_v2")
    return root


@pytest.fixture
def c1(cite_root: Path) -> Snapshot:
    from graph.snapshot import open_snapshot

    return open_snapshot(cite_root, "2024-03-31")


@pytest.fixture
def c2(cite_root: Path) -> Snapshot:
    from graph.snapshot import open_snapshot

    return open_snapshot(cite_root, "2024-04-30")


def _cites(driver) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    records, _, _ = driver.execute_query(
        "MATCH (a:Paper)-[:CITES]->(b:Paper) RETURN a.paper_id AS a, b.paper_id AS b"
    )
    return {(r["a"], r["b"]) for r in records}


def _papers(driver) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    records, _, _ = driver.execute_query("MATCH (p:Paper) RETURN p.paper_id AS id, properties(p) AS props")
    return {r["id"]: r["props"] for r in records}


def _hub_links(driver) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    records, _, _ = driver.execute_query(
        "MATCH (h:HubRepo)-[:CITES]->(p:Paper) RETURN h.key AS h, p.paper_id AS p"
    )
    return {(r["h"], r["p"]) for r in records}


V1_CITES = {
    (B, A),
    (B, NOTE),
    (C, A),
    (C, B),
    (C, X),
    (C, Q),
    (D, A),
    (D, C),
    (D, X),
    (D, NOTE),
    (D, Z),
    (E, A),
    (E, T_TITLE_KEY),
}
# after v2: C's dropped citations pruned (the 1409.1556 stub goes), the s2:s2-note stub absorbed by
# 2105.00009, the title key by 2404.00007; B (absent from v2) and E (no S2 id in v2) keep theirs
V1_V2_CITES = {
    (B, A),
    (B, W),
    (C, A),
    (D, A),
    (D, C),
    (D, X),
    (D, W),
    (D, Z),
    (E, A),
    (E, T),
    (F, A),
    (F, C),
    (F, D),
    (F, X),
    (X, Z),
}


def test_citations_and_hub_links_load(neo4j_clean, c1: Snapshot) -> None:
    driver = neo4j_clean
    report = load_snapshot(driver, c1, batch_size=4)
    assert _cites(driver) == V1_CITES
    papers = _papers(driver)
    stubs = {key for key, p in papers.items() if not p["ingested"]}
    assert stubs == {X, Q, Z, NOTE}
    assert papers[NOTE] == {
        "paper_id": NOTE,
        "ingested": False,
        "s2_paper_id": "s2-note",
        "title": "A Workshop Note",
        "year": 2021,
        "load_id": "2024-03-31/cite-run-1",
    }
    assert papers[X]["arxiv_id"] == X and papers[X]["year"] == 2017
    assert papers[A]["ingested"] is True and papers[A]["s2_paper_id"] == "s2-alpha"
    assert _hub_links(driver) == {
        ("model:org/alpha-diff-base", A),
        ("model:org/alpha-diff-xl", A),
        ("space:someone/alpha-demo", A),
        ("dataset:org/gamma-data", C),
    }
    records, _, _ = driver.execute_query(
        "MATCH (h:HubModel {key: 'model:org/alpha-diff-base'}) RETURN labels(h) AS labels, properties(h) AS p"
    )
    (hub,) = records
    assert sorted(hub["labels"]) == ["HubModel", "HubRepo"]
    assert (
        hub["p"]["likes"] == 10
        and hub["p"]["downloads"] == 500
        and hub["p"]["pipeline_tag"] == "text-to-image"
    )
    assert hub["p"]["last_modified"].iso_format().startswith("2024-03-01T10:00:00")
    assert {
        s.name: s.written for s in report.steps if s.table in ("citations", "hub_repos", "paper_hub_links")
    } == {
        "citations": 13,
        "hub_repos": 4,
        "paper_hub_links": 4,
    }
    check = check_load(driver, c1)
    assert check.ok, check.problems
    assert {k: check.actual[k] for k in ("cites", "hub_repos", "hub_links")} == {
        "cites": 13,
        "hub_repos": 4,
        "hub_links": 4,
    }
    (counts,) = run_named(driver, "citation_counts")
    assert counts.data() == {
        "ingested_papers": 6,
        "cited_works_not_ingested": 4,
        "cites_in_graph": 7,
        "cites_external": 6,
        "hub_models": 2,
        "hub_datasets": 1,
        "hub_spaces": 1,
        "hub_links": 4,
    }


def test_reloading_a_snapshot_changes_nothing(neo4j_clean, c1: Snapshot, c2: Snapshot) -> None:
    driver = neo4j_clean
    load_snapshot(driver, c1, batch_size=3)
    first = canonical_dump(driver)
    report = load_snapshot(driver, c1, batch_size=5)
    assert canonical_dump(driver) == first
    assert sum(s.deleted for s in report.steps) == 0
    load_snapshot(driver, c2, batch_size=3)
    second = canonical_dump(driver)
    load_snapshot(driver, c2, batch_size=2)
    assert canonical_dump(driver) == second


def test_newer_snapshot_prunes_and_merges_stubs(neo4j_clean, c1: Snapshot, c2: Snapshot) -> None:
    driver = neo4j_clean
    load_snapshot(driver, c1, batch_size=4)
    report = load_snapshot(driver, c2, batch_size=4)

    assert _cites(driver) == V1_V2_CITES
    papers = _papers(driver)
    assert {key for key, p in papers.items() if not p["ingested"]} == {
        Z
    }  # Q pruned, X ingested, NOTE absorbed
    assert NOTE not in papers and T_TITLE_KEY not in papers and Q not in papers
    # the stub of 1706.03762 became the paper: its stub-only year is gone, the paper's fields are there
    assert papers[X]["ingested"] is True and "year" not in papers[X]
    assert papers[X]["title"] == "Attention Is All You Need" and papers[X]["citation_count"] == 120000
    assert papers[W]["title"] == "A Workshop Note, Extended" and papers[W]["s2_paper_id"] == "s2-note"
    assert papers[T]["abstract"] == "Now resolved on arXiv."
    assert "s2_paper_id" not in papers[E]  # not enriched in v2
    assert report.step("absorb_aliases").deleted == 2  # s2:s2-note and the title key
    assert report.step("prune_citations").deleted == 3 + 1  # C -> B, X, Q, then the orphaned Q stub
    assert report.step("prune_hub_links").deleted == 2 + 2  # A's xl model and demo space, then both nodes
    assert _hub_links(driver) == {
        ("model:org/alpha-diff-base", A),
        ("dataset:org/gamma-data", C),
        ("model:org/fusion-d", D),
    }
    check = check_load(driver, c2)
    assert check.ok, check.problems
    assert check.orphan_nodes == []
    (counts,) = run_named(driver, "citation_counts")
    assert counts.data() == {
        "ingested_papers": 9,
        "cited_works_not_ingested": 1,
        "cites_in_graph": 13,
        "cites_external": 2,
        "hub_models": 2,
        "hub_datasets": 1,
        "hub_spaces": 0,
        "hub_links": 3,
    }


def test_a_cited_work_found_by_s2_id_is_not_duplicated(neo4j_clean, c1: Snapshot, c2: Snapshot) -> None:
    """The other order: 2105.00009 is loaded first (v2); v1 then cites 's2:s2-note', which is that paper."""
    driver = neo4j_clean
    load_snapshot(driver, c2)
    load_snapshot(driver, c1)
    papers = _papers(driver)
    assert NOTE not in papers
    assert (B, W) in _cites(driver)
    assert papers[X]["ingested"] is True  # v1 cites it as a stub: the ingested paper keeps its fields
    assert "year" not in papers[X] and papers[X]["title"] == "Attention Is All You Need"


def test_a_snapshot_without_enrichment_keeps_the_citations(neo4j_clean, c1: Snapshot, tmp_path: Path) -> None:
    """Enrichment unreachable: no S2 ids, no citations, no Hub rows. The graph keeps what it had."""
    import pyarrow as pa

    from graph.schema import TABLES
    from tests.graph_db.fixture_snapshot import fixture_tables

    driver = neo4j_clean
    load_snapshot(driver, c1)
    before = (_cites(driver), _hub_links(driver))
    tables = fixture_tables("cite_v1")
    papers = tables["papers"]
    column = papers.schema.get_field_index("s2_paper_id")
    tables["papers"] = papers.set_column(column, "s2_paper_id", pa.nulls(papers.num_rows, pa.string()))
    for name in ("citations", "hub_repos", "paper_hub_links"):
        tables[name] = TABLES[name].schema.empty_table()
    bare = write_fixture_snapshot(tmp_path, "cite_v1", tables)
    report = load_snapshot(driver, bare)
    assert (_cites(driver), _hub_links(driver)) == before
    assert report.step("prune_citations").deleted == 0
    assert report.step("prune_hub_links").batches == 0  # skipped: the snapshot has no Hub link at all


class InjectedFailure(RuntimeError):
    pass


@pytest.mark.parametrize(
    ("step", "batch"),
    [("absorb_aliases", 1), ("citations", 2), ("prune_citations", 1), ("paper_hub_links", 1)],
)
def test_failed_load_then_rerun_equals_clean_load(
    neo4j_clean, c1: Snapshot, c2: Snapshot, step, batch
) -> None:
    driver = neo4j_clean
    load_snapshot(driver, c1, batch_size=3)
    load_snapshot(driver, c2, batch_size=3)
    clean = canonical_dump(driver)

    wipe_graph(driver)
    load_snapshot(driver, c1, batch_size=3)

    def fail(event: BatchEvent) -> None:
        if (event.step, event.batch) == (step, batch):
            raise InjectedFailure(f"after {step} batch {batch}")

    with pytest.raises(InjectedFailure):
        load_snapshot(driver, c2, batch_size=3, on_batch=fail)
    load_snapshot(driver, c2, batch_size=3)
    assert canonical_dump(driver) == clean


# ---- the citation queries on the graph of cite_v1 then cite_v2 ------------------------------------

V1_V2_QUERY_CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
    (
        "most_cited",
        {},
        [
            {"paper_id": A, "citations": 5, "ingested": True, "s2_citations": 45, "hub_repos": 1},
            {"paper_id": Z, "citations": 2, "ingested": False, "year": 2015, "s2_citations": None},
            {"paper_id": X, "citations": 2, "ingested": True, "year": 2017},
            {"paper_id": W, "citations": 2},
            {"paper_id": C, "citations": 2, "hub_repos": 1},
            {"paper_id": D, "citations": 1},
            {"paper_id": T, "citations": 1},
        ],
    ),
    (
        "most_cited",
        {"since": "2023-01-01", "until": "2024-01-01"},
        [{"paper_id": A, "citations": 5}, {"paper_id": C, "citations": 2}],
    ),
    ("most_cited", {"until": "2016-01-01", "limit": 5}, [{"paper_id": Z, "year": 2015}]),  # a stub, by year
    (
        "co_citation",
        {"paper_id": A},
        [
            {"paper_id": X, "co_citations": 2, "cited_together_by": [D, F]},
            {"paper_id": W, "co_citations": 2, "cited_together_by": [B, D]},
            {"paper_id": C, "co_citations": 2, "cited_together_by": [D, F]},
            {"paper_id": Z, "co_citations": 1, "cited_together_by": [D], "ingested": False},
            {"paper_id": D, "co_citations": 1, "cited_together_by": [F]},
            {"paper_id": T, "co_citations": 1, "cited_together_by": [E]},
        ],
    ),
    (
        "bibliographic_coupling",
        {"paper_id": D},
        [
            {"paper_id": F, "shared": 3, "shared_references": [X, A, C]},
            {"paper_id": B, "shared": 2, "shared_references": [W, A]},
            {"paper_id": X, "shared": 1, "shared_references": [Z]},
            {"paper_id": C, "shared": 1, "shared_references": [A]},
            {"paper_id": E, "shared": 1, "shared_references": [A]},
        ],
    ),
    (
        "citing_with_dataset",
        {"paper_id": A, "dataset": "ImageNet"},
        [
            {"paper_id": B, "dataset": "dataset:imagenet"},  # v1's mentions: B is not in v2
            {"paper_id": C, "dataset": "dataset:imagenet"},
            {"paper_id": D, "dataset": "dataset:imagenet"},
        ],
    ),
    (
        "citing_with_dataset",
        {"paper_id": A, "dataset": "ms-coco"},  # an alias, case-insensitive
        [{"paper_id": D}, {"paper_id": E}, {"paper_id": F}],
    ),
    ("citing_with_dataset", {"paper_id": Z, "dataset": "COCO"}, [{"paper_id": D}]),
    (
        "citation_path",
        {"from_paper": T, "to_paper": Z},
        [{"hops": 4, "papers": [T, E, A, D, Z], "steps": ["cited by", "cites", "cited by", "cites"]}],
    ),
    (
        "citation_path",
        {"from_paper": F, "to_paper": Z, "directed": True},
        [
            {"hops": 2, "papers": [F, X, Z], "steps": ["cites", "cites"]},
            {"hops": 2, "papers": [F, D, Z], "steps": ["cites", "cites"]},
        ],
    ),
    ("citation_path", {"from_paper": Z, "to_paper": F, "directed": True}, []),
    (
        "hub_models_for_method",
        {"method": "alpha-diff"},
        [{"method": "method:alphadiff", "paper_id": A, "repo_id": "org/alpha-diff-base", "downloads": 650}],
    ),
    ("hub_models_for_method", {"method": "AlphaDiff", "kind": "dataset"}, []),
    (
        "rising_papers",
        {"since": "2024-01-01"},
        [
            {"paper_id": A, "recent_citations": 3, "earlier_citations": 2},  # D, E, F; B, C
            {"paper_id": X, "recent_citations": 2, "earlier_citations": 0},
            {"paper_id": C, "recent_citations": 2, "earlier_citations": 0},
            {"paper_id": D, "recent_citations": 1, "earlier_citations": 0},
            {"paper_id": T, "recent_citations": 1, "earlier_citations": 0},
            {"paper_id": Z, "recent_citations": 1, "earlier_citations": 1},  # X is from 2017
            {"paper_id": W, "recent_citations": 1, "earlier_citations": 1},
        ],
    ),
    (
        "rising_papers",  # only 2404.00006 is that recent: what it cites, fewest earlier citations first
        {"since": "2024-04-01", "limit": 2},
        [
            {"paper_id": D, "recent_citations": 1, "earlier_citations": 0},
            {"paper_id": X, "earlier_citations": 1},
        ],
    ),
]


@pytest.fixture
def cite_graph(neo4j_clean, c1: Snapshot, c2: Snapshot):  # type: ignore[no-untyped-def]
    load_snapshot(neo4j_clean, c1)
    load_snapshot(neo4j_clean, c2)
    return neo4j_clean


def _subset(row: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in expected}


def test_citation_queries_give_the_expected_rows(cite_graph) -> None:
    failures = []
    for name, params, expected in V1_V2_QUERY_CASES:
        rows = [r.data() for r in run_named(cite_graph, name, params)]
        got = [_subset(row, want) for row, want in zip(rows, expected, strict=False)]
        if len(rows) != len(expected) or got != expected:
            failures.append(f"{name} {params}:\n  got      {rows}\n  expected {expected}")
    assert not failures, "\n".join(failures)


def test_hub_models_on_the_first_snapshot_are_ordered_by_downloads(neo4j_clean, c1: Snapshot) -> None:
    load_snapshot(neo4j_clean, c1)
    rows = [r.data() for r in run_named(neo4j_clean, "hub_models_for_method", {"method": "method:alphadiff"})]
    assert [(r["repo_id"], r["downloads"], r["likes"]) for r in rows] == [
        ("org/alpha-diff-base", 500, 10),
        ("org/alpha-diff-xl", 100, 30),
    ]
    spaces = run_named(neo4j_clean, "hub_models_for_method", {"method": "AlphaDiff", "kind": ""})
    assert [r["kind"] for r in spaces] == ["model", "model", "space"]
