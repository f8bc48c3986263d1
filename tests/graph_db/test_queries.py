"""Every named query, run on the fixture graph, returns the rows worked out by hand from the fixture."""

from __future__ import annotations

from typing import Any

import pytest

from graph.db.loader import load_snapshot
from graph.db.queries import catalog
from graph.db.runner import run_named
from graph.snapshot import Snapshot

P1, P2, P3, P4, P5, P6 = "2401.00001", "2402.00002", "2402.00003", "2403.00004", "2403.00005", "2404.00006"

# (query, params, expected rows) on the graph of fixture v1 (see tests/fixtures/graph/README.md)
V1_CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
    (
        "papers_referencing",
        {"paper_id": P1},
        [
            {"hops": 1, "paper_id": P2, "via_entities": ["model:alphanet"], "via_papers": []},
            {"hops": 1, "paper_id": P3, "via_entities": ["model:alphanet"], "via_papers": []},
            # 2403.00004 -> (2402.00002 via Bench-10, 2402.00003 via LoRA) -> 2401.00001
            {
                "hops": 2,
                "paper_id": P4,
                "via_entities": ["dataset:bench-10", "method:lora"],
                "via_papers": [P2, P3],
            },
        ],
    ),
    ("papers_referencing", {"paper_id": P5}, []),
    (
        "top_entities",
        {},
        [
            {"entity_key": "dataset:imagenet", "papers": 3},
            {"entity_key": "method:lora", "papers": 3},  # 4 papers mention it, one proposes it
            {"entity_key": "dataset:bench-10", "papers": 2},
            {"entity_key": "model:alphanet", "papers": 2},
            {"entity_key": "method:dropout", "papers": 1},
        ],
    ),
    (
        "top_entities",
        {"type": "DATASET", "since": "2024-02-01", "until": "2024-03-01", "limit": 5},
        [{"entity_key": "dataset:bench-10", "papers": 1}, {"entity_key": "dataset:imagenet", "papers": 1}],
    ),
    (
        "paper_builds_on",
        {"paper_id": P4},
        [
            {"entity_key": "dataset:bench-10", "type": "DATASET", "proposed_by": P2},
            {"entity_key": "method:lora", "type": "METHOD", "proposed_by": P3},
        ],
    ),
    ("paper_builds_on", {"paper_id": P5}, [{"entity_key": "dataset:imagenet", "proposed_by": None}]),
    (
        "datasets_with_method",
        {"method": "LoRA"},
        [
            {"method": "method:lora", "dataset_key": "dataset:bench-10", "papers": 3},
            {"method": "method:lora", "dataset_key": "dataset:imagenet", "papers": 2},
        ],
    ),
    (
        "cooccurring_methods",
        {"entity": "alpha-net"},  # an alias, case-insensitive
        [
            {"concept": "model:alphanet", "method_key": "method:lora", "papers": 3},
            {"concept": "model:alphanet", "method_key": "method:dropout", "papers": 1},
        ],
    ),
    (
        "entity_trend",
        {"entity": "method:lora"},
        [
            {"month": "2024-01", "papers": 1, "mentions": 1, "proposing_papers": 0},
            {"month": "2024-02", "papers": 2, "mentions": 4, "proposing_papers": 1},
            {"month": "2024-03", "papers": 1, "mentions": 1, "proposing_papers": 0},
        ],
    ),
    (
        "shortest_path",
        {"source": "Dropout", "target": "dataset:imagenet"},
        [
            {
                "hops": 3,
                "nodes": ["method:dropout", P3, P1, "dataset:imagenet"],
                "relationships": ["MENTIONS", "REFERENCES", "MENTIONS"],
            },
            {
                "hops": 3,
                "nodes": ["method:dropout", P3, P2, "dataset:imagenet"],
                "relationships": ["MENTIONS", "REFERENCES", "MENTIONS"],
            },
        ],
    ),
    (
        "similar_papers",
        {"paper_id": P4},
        # P4 mentions {bench-10, lora}
        [
            {"paper_id": P2, "shared": 2, "jaccard": 0.5},  # {bench-10, alphanet, imagenet, lora}
            {"paper_id": P3, "shared": 2, "jaccard": 0.5},  # {lora, alphanet, bench-10, dropout}
            {"paper_id": P1, "shared": 1, "jaccard": 0.25},  # {alphanet, imagenet, lora}
        ],
    ),
    ("similar_papers", {"paper_id": P4, "min_shared": 2, "limit": 1}, [{"paper_id": P2, "jaccard": 0.5}]),
    ("dq_orphan_nodes", {}, [{"kind": "METHOD", "key": "method:adapter"}]),
    ("dq_orphan_mentions", {}, []),
    (
        "dq_duplicate_aliases",
        {},
        [{"alias": "low-rank adaptation", "entity_keys": ["method:adapter", "method:lora"]}],
    ),
    (
        "dq_load_counts",
        {"load_id": "2024-03-31/fixture-run-1"},
        [
            {
                "papers": 5,
                "entities": 6,
                "authored_by": 6,
                "mentions": 14,
                "proposes": 3,
                "has_code": 2,
                "references": 7,
                "cites": 7,
                "hub_repos": 2,
                "hub_links": 2,
            }
        ],
    ),
    # citation queries (the richer citation graph is tested in test_citations.py)
    (
        "most_cited",
        {},
        [
            {"paper_id": P1, "citations": 4, "hub_repos": 1},
            {"paper_id": P3, "citations": 2, "hub_repos": 1},
            {"paper_id": P2, "citations": 1, "hub_repos": 0},
        ],
    ),
    (
        "co_citation",
        {"paper_id": P1},
        [{"paper_id": P3, "cited_together_by": [P4, P5]}, {"paper_id": P2, "cited_together_by": [P3]}],
    ),
    (
        "bibliographic_coupling",
        {"paper_id": P3},
        [
            {"paper_id": P2, "shared_references": [P1]},
            {"paper_id": P4, "shared_references": [P1]},
            {"paper_id": P5, "shared_references": [P1]},
        ],
    ),
    ("citing_with_dataset", {"paper_id": P1, "dataset": "imagenet-1k"}, [{"paper_id": P2}, {"paper_id": P5}]),
    ("citation_path", {"from_paper": P1, "to_paper": P2}, [{"papers": [P1, P2], "steps": ["cited by"]}]),
    (
        "citation_path",
        {"from_paper": P4, "to_paper": P2, "directed": True},
        [{"hops": 2, "papers": [P4, P3, P2], "steps": ["cites", "cites"]}],
    ),
    (
        "hub_models_for_method",
        {"method": "LoRA"},
        [{"paper_id": P3, "repo_id": "example/lora-adapters", "downloads": None, "likes": 1}],
    ),
    (
        "rising_papers",
        {"since": "2024-03-01"},
        [
            {"paper_id": P3, "recent_citations": 2, "earlier_citations": 0},  # from 2403.00004 and 2403.00005
            {"paper_id": P1, "recent_citations": 2, "earlier_citations": 2},
        ],
    ),
    (
        "citation_counts",
        {},
        [
            {
                "ingested_papers": 5,
                "cited_works_not_ingested": 0,
                "cites_in_graph": 7,
                "cites_external": 0,
                "hub_models": 2,
                "hub_links": 2,
            }
        ],
    ),
]

# after v1 then v2: LoRA is now proposed by 2404.00006
V2_CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
    ("papers_referencing", {"paper_id": P3}, []),
    (
        "papers_referencing",
        {"paper_id": P6},
        [
            {"hops": 1, "paper_id": P1, "via_entities": ["method:lora"], "via_papers": []},
            {"hops": 1, "paper_id": P3, "via_entities": ["method:lora"], "via_papers": []},
            {"hops": 1, "paper_id": P4, "via_entities": ["method:lora"], "via_papers": []},
            {"hops": 2, "paper_id": P2, "via_entities": ["model:alphanet"], "via_papers": [P1]},
        ],
    ),
    (
        "paper_builds_on",
        {"paper_id": P4},
        [
            {"entity_key": "dataset:bench-10", "proposed_by": P2},
            {"entity_key": "method:lora", "proposed_by": P6},
        ],
    ),
    ("dq_orphan_nodes", {}, [{"kind": "METHOD", "key": "method:adapter"}]),
    ("dq_orphan_mentions", {}, []),
    (
        "dq_load_counts",
        {"load_id": "2024-03-31/fixture-run-1"},
        [{"papers": 1, "mentions": 1, "references": 0}],
    ),
]


def _project(rows: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The returned rows restricted to the columns the expectation names."""
    keys = set().union(*expected) if expected else set()
    return [{k: v for k, v in row.items() if k in keys} for row in rows]


def _case_id(case: tuple[str, dict[str, Any], list[dict[str, Any]]]) -> str:
    name, params, _ = case
    return name + ("-" + "-".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def v1_graph(neo4j_clean, v1: Snapshot):  # type: ignore[no-untyped-def]
    load_snapshot(neo4j_clean, v1, batch_size=3)
    return neo4j_clean


@pytest.fixture
def v2_graph(neo4j_clean, v1: Snapshot, v2: Snapshot):  # type: ignore[no-untyped-def]
    load_snapshot(neo4j_clean, v1, batch_size=3)
    load_snapshot(neo4j_clean, v2, batch_size=3)
    return neo4j_clean


def test_every_named_query_has_a_case() -> None:
    assert {name for name, _, _ in V1_CASES} == set(catalog())


def test_v1_queries(v1_graph) -> None:  # type: ignore[no-untyped-def]
    # one graph for every case: loading it per case would dominate the run time
    for case in V1_CASES:
        name, params, expected = case
        rows = [r.data() for r in run_named(v1_graph, name, params)]
        assert _project(rows, expected) == expected, _case_id(case)


def test_v2_queries(v2_graph) -> None:  # type: ignore[no-untyped-def]
    for case in V2_CASES:
        name, params, expected = case
        rows = [r.data() for r in run_named(v2_graph, name, params)]
        assert _project(rows, expected) == expected, _case_id(case)


def test_query_results_carry_the_stored_values(v1_graph) -> None:  # type: ignore[no-untyped-def]
    (row,) = [r.data() for r in run_named(v1_graph, "papers_referencing", {"paper_id": P1}) if r["hops"] == 2]
    assert row["title"].startswith("\"Quoted\" 'single' \\ back\\slash {braces}")
    assert str(row["published_at"]) == "2024-03-01"
