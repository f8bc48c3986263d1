"""dq_orphan_mentions finds every kind of unbacked link, as worked out in Python from a dump of the graph."""

from __future__ import annotations

from typing import Any

from graph.db.loader import load_snapshot
from graph.db.runner import run_named
from graph.snapshot import Snapshot

TYPED = {"Model", "Dataset", "Method"}

# problems planted in the fixture graph v1 (2402.00002 references 2401.00001 via model:alphanet, and
# 2402.00003 does too: one source of that reference group loses its mention, the other keeps it; every
# method:lora reference loses its proposal; a reference without a key, a duplicated reference)
PLANT = """
MATCH (a:Paper {paper_id: '2402.00002'})-[m:MENTIONS]->(:Entity {key: 'model:alphanet'}) DELETE m
WITH count(*) AS done
MATCH (p:Paper {paper_id: '2403.00005'}), (e:Entity {key: 'method:dropout'}) CREATE (p)-[:PROPOSES]->(e)
WITH count(*) AS done
MATCH (p:Paper {paper_id: '2401.00001'}) CREATE (p)-[:MENTIONS]->(:Entity {key: 'model:untyped'})
WITH count(*) AS done
MATCH (p:Paper {paper_id: '2403.00004'}), (q:Paper {paper_id: '2401.00001'})
CREATE (p)-[:MENTIONS]->(q), (p)-[:REFERENCES {entity_key: 'model:nowhere'}]->(q)
WITH count(*) AS done
MATCH (:Paper {paper_id: '2402.00003'})-[p:PROPOSES]->(:Entity {key: 'method:lora'}) DELETE p
WITH count(*) AS done
MATCH (p:Paper {paper_id: '2403.00005'}), (q:Paper {paper_id: '2402.00003'})
MATCH (a:Paper {paper_id: '2402.00002'}), (b:Paper {paper_id: '2401.00001'})
CREATE (p)-[:REFERENCES]->(q), (a)-[:REFERENCES {entity_key: 'model:alphanet'}]->(b)
"""

DUMP = """
MATCH (a)-[r]->(b)
RETURN type(r) AS type, labels(a) AS from_labels, a.paper_id AS from_id, labels(b) AS to_labels,
       b.paper_id AS to_id, b.key AS to_key, elementId(b) AS to_element, r.entity_key AS entity_key
"""


def _expected(rels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The query's rows, from the relationships alone."""
    papers = [r for r in rels if "Paper" in r["from_labels"]]
    entity_links = {(r["type"], r["from_id"], r["to_key"]) for r in papers if "Entity" in r["to_labels"]}
    linked = {(r["type"], r["from_id"], r["to_element"]) for r in papers}
    rows = []
    for r in papers:
        if r["type"] == "REFERENCES" and "Paper" in r["to_labels"]:
            key = r["entity_key"]
            if ("MENTIONS", r["from_id"], key) not in entity_links or (
                "PROPOSES",
                r["to_id"],
                key,
            ) not in entity_links:
                rows.append(
                    ("reference not backed by a mention and a proposal", r["from_id"], key, r["to_id"])
                )
        if r["type"] == "PROPOSES" and ("MENTIONS", r["from_id"], r["to_element"]) not in linked:
            rows.append(("proposal without a mention", r["from_id"], r["to_key"], None))
        if r["type"] in ("MENTIONS", "PROPOSES") and not (
            "Entity" in r["to_labels"] and TYPED & set(r["to_labels"])
        ):
            key = r["to_key"] if r["to_key"] is not None else r["to_element"]
            rows.append(("mention of a node that is not a typed entity", r["from_id"], key, None))
    rows.sort(key=lambda row: tuple((value is None, value or "") for value in row))
    names = ("problem", "paper_id", "entity_key", "other_paper_id")
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_every_kind_of_orphan_is_found(neo4j_clean, v1: Snapshot) -> None:  # type: ignore[no-untyped-def]
    load_snapshot(neo4j_clean, v1, batch_size=3)
    assert [r.data() for r in run_named(neo4j_clean, "dq_orphan_mentions")] == []
    neo4j_clean.execute_query(PLANT)
    rels = [r.data() for r in neo4j_clean.execute_query(DUMP).records]
    found = [r.data() for r in run_named(neo4j_clean, "dq_orphan_mentions")]
    expected = _expected(rels)
    assert found == expected
    assert {row["problem"] for row in found} == {
        "reference not backed by a mention and a proposal",
        "proposal without a mention",
        "mention of a node that is not a typed entity",
    }
    references = [(r["paper_id"], r["entity_key"]) for r in found if r["problem"].startswith("reference")]
    assert sorted(references, key=str) == sorted(
        [("2402.00002", "model:alphanet")] * 2
        + [(a, "method:lora") for a in ("2401.00001", "2402.00002", "2403.00004")]
        + [("2403.00004", "model:nowhere"), ("2403.00005", None)],
        key=str,
    )
    assert len(found) >= 10, found
    assert [r.data() for r in run_named(neo4j_clean, "dq_orphan_mentions", {"limit": 2})] == expected[:2]
