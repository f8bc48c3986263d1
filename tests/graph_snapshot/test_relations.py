"""graph.relations on small hand-made rows."""

from __future__ import annotations

import pyarrow as pa
import pytest

from graph import relations
from graph.relations import RelationInputError
from graph.snapshot import rows_to_arrow
from tests.graph_snapshot import fixture_rows


def mention(paper: str, entity: str, start: int, sentence: str = "s", contribution: bool = False) -> dict:
    return {
        "paper_id": paper,
        "entity_key": entity,
        "type": entity.split(":")[0].upper(),
        "text": entity.split(":")[1],
        "start": start,
        "end": start + 3,
        "sentence": sentence,
        "component": "gazetteer",
        "is_contribution": contribution,
    }


def pe(paper: str, entity: str, proposed: bool = False) -> dict:
    return {"paper_id": paper, "entity_key": entity, "proposed": proposed}


def test_paper_entities_counts_first_offset_sentence_and_proposed() -> None:
    rows = list(
        relations.paper_entities(
            [
                mention("p1", "model:b", 40, "later"),
                mention("p1", "model:a", 7, "first a", contribution=False),
                mention("p1", "model:b", 12, "first b"),
                mention("p1", "model:a", 90, "again a", contribution=True),
                mention("p2", "model:a", 5, "p2 a"),
            ]
        )
    )
    assert rows == [
        {
            "paper_id": "p1",
            "entity_key": "model:a",
            "type": "MODEL",
            "mention_count": 2,
            "first_offset": 7,
            "sentence": "first a",
            "proposed": True,
        },
        {
            "paper_id": "p1",
            "entity_key": "model:b",
            "type": "MODEL",
            "mention_count": 2,
            "first_offset": 12,
            "sentence": "first b",
            "proposed": False,
        },
        {
            "paper_id": "p2",
            "entity_key": "model:a",
            "type": "MODEL",
            "mention_count": 1,
            "first_offset": 5,
            "sentence": "p2 a",
            "proposed": False,
        },
    ]
    rows_to_arrow("paper_entities", rows)  # the rows fit the snapshot schema


def test_paper_entities_from_mention_dataclasses() -> None:
    rows = {(r["paper_id"], r["entity_key"]): r for r in relations.paper_entities(fixture_rows.mentions())}
    convllava = rows[("2405.15738", "model:convllava")]
    assert (convllava["mention_count"], convllava["first_offset"], convllava["proposed"]) == (2, 0, True)
    assert convllava["sentence"].startswith("ConvLLaVA: Hierarchical")
    assert rows[("2405.15738", "model:llava")]["mention_count"] == 2
    assert rows[("2405.15738", "model:llava")]["proposed"] is False
    assert rows[("2304.08485", "model:llava")]["proposed"] is True


def test_paper_entities_refuses_mentions_not_grouped_by_paper() -> None:
    rows = [mention("p1", "model:a", 1), mention("p2", "model:a", 1), mention("p1", "model:b", 9)]
    with pytest.raises(RelationInputError, match="'p1'"):
        list(relations.paper_entities(rows))


def test_references_link_mentioning_paper_to_proposing_paper() -> None:
    rows = [
        pe("p1", "model:a", proposed=True),
        pe("p2", "model:a"),  # p2 -> p1 through a
        pe("p2", "model:b", proposed=True),
        pe(
            "p3", "model:a", proposed=True
        ),  # a second proposer: p2 -> p3 too; p1 and p3 do not cite each other
        pe("p3", "model:b"),  # p3 -> p2 through b
        pe("p4", "model:c"),  # nobody proposes c
    ]
    assert list(relations.references(rows)) == [
        {"citing_paper_id": "p2", "cited_paper_id": "p1", "entity_key": "model:a"},
        {"citing_paper_id": "p2", "cited_paper_id": "p3", "entity_key": "model:a"},
        {"citing_paper_id": "p3", "cited_paper_id": "p2", "entity_key": "model:b"},
    ]
    as_table = pa.Table.from_pylist(rows)
    assert list(relations.references(as_table)) == list(relations.references(rows))


def test_references_empty_and_self_proposals() -> None:
    assert list(relations.references([])) == []
    assert list(relations.references([pe("p1", "model:a", proposed=True)])) == []


def test_co_mentions_count_papers_per_ordered_pair() -> None:
    rows = [
        pe("p1", "model:c"),
        pe("p1", "model:a"),
        pe("p1", "model:b"),
        pe("p2", "model:b"),
        pe("p2", "model:a"),
    ]
    assert list(relations.co_mentions(rows)) == [
        {"entity_key_a": "model:a", "entity_key_b": "model:b", "paper_count": 2},
        {"entity_key_a": "model:a", "entity_key_b": "model:c", "paper_count": 1},
        {"entity_key_a": "model:b", "entity_key_b": "model:c", "paper_count": 1},
    ]


def test_co_mentions_single_entity_papers_give_no_pairs_and_ungrouped_input_is_refused() -> None:
    assert list(relations.co_mentions([pe("p1", "model:a"), pe("p2", "model:b")])) == []
    with pytest.raises(RelationInputError):
        list(relations.co_mentions([pe("p1", "model:a"), pe("p2", "model:b"), pe("p1", "model:c")]))


def test_authors_positions_follow_the_author_list() -> None:
    papers = [
        {"paper_id": "p1", "authors": ["Ada", "Grace"]},
        {"paper_id": "p2", "authors": []},
        {"paper_id": "p3", "authors": ["Alan"]},
    ]
    assert list(relations.authors(papers)) == [
        {"paper_id": "p1", "position": 0, "name": "Ada"},
        {"paper_id": "p1", "position": 1, "name": "Grace"},
        {"paper_id": "p3", "position": 0, "name": "Alan"},
    ]
    from_records = list(relations.authors(fixture_rows.papers()))
    assert [r["name"] for r in from_records if r["paper_id"] == "2304.08485"][0] == "Haotian Liu"
    assert len(from_records) == 7


def _reference_paper_entities(rows: list[dict]) -> list[dict]:
    """paper_entities spelled out in plain Python (the first mention by (start, end), then input order)."""
    found: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        found.setdefault((row["paper_id"], row["entity_key"]), []).append(row)
    papers = list(dict.fromkeys(row["paper_id"] for row in rows))
    out = []
    for key in sorted(found, key=lambda k: (papers.index(k[0]), k[1])):
        group = found[key]
        first = min(group, key=lambda m: (m["start"], m["end"]))
        out.append(
            {
                "paper_id": key[0],
                "entity_key": key[1],
                "type": first["type"],
                "mention_count": len(group),
                "first_offset": first["start"],
                "sentence": first["sentence"],
                "proposed": any(m["is_contribution"] for m in group),
            }
        )
    return out


def _reference_co_mentions(rows: list[dict]) -> list[dict]:
    by_paper: dict[str, set[str]] = {}
    for row in rows:
        by_paper.setdefault(row["paper_id"], set()).add(row["entity_key"])
    counts: dict[tuple[str, str], int] = {}
    for keys in by_paper.values():
        ordered = sorted(keys)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                counts[(a, b)] = counts.get((a, b), 0) + 1
    return [{"entity_key_a": a, "entity_key_b": b, "paper_count": n} for (a, b), n in sorted(counts.items())]


def test_arrow_relations_agree_with_plain_python_on_random_papers() -> None:
    import random

    rng = random.Random(16)
    keys = [f"{kind}:{name}" for kind in ("model", "method") for name in ("é", "a", "Z", "b-2", "ü", "a b")]
    rows = []
    for paper in rng.sample(range(1000), 60):  # paper ids not in sorted order
        for _ in range(rng.randint(0, 9)):
            key = rng.choice(keys)
            start = rng.randint(0, 5)  # ties on (start, end): the first in input order wins
            rows.append(
                mention(f"p{paper}", key, start, sentence=f"s{len(rows)}", contribution=rng.random() < 0.2)
            )
            rows[-1]["end"] = start + rng.randint(1, 2)
    entities = list(relations.paper_entities(rows))
    assert entities == _reference_paper_entities(rows)
    assert list(relations.co_mentions(entities)) == _reference_co_mentions(rows)
    assert relations.paper_entities_table(pa.Table.from_pylist(rows)).to_pylist() == entities
