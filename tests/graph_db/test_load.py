"""The loader on a real Neo4j, fed real Parquet snapshots written from tests/fixtures/graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from graph.db.checks import check_load
from graph.db.loader import (
    CORE_STEPS,
    RELATION_STEPS,
    BatchEvent,
    ensure_schema,
    existing_schema_names,
    load_snapshot,
)
from graph.db.model import NODE_KEYS, Label, Rel
from graph.db.queries import named_constraint_statements
from graph.db.runner import graph_counts
from graph.snapshot import Snapshot, SnapshotIntegrityError, open_snapshot, write_snapshot
from tests.graph_db.fixture_snapshot import fixture_data, fixture_tables, write_fixture_snapshot
from tests.graph_db.graph_dump import canonical_dump

V1_COUNTS = {
    "nodes": {
        "Paper": 5,
        "Author": 4,  # Ada, Alan, Grace (two spellings), Edsger
        "Entity": 6,
        "Model": 1,
        "Dataset": 2,
        "Method": 3,
        "Repository": 2,
        "Snapshot": 1,
        "HubRepo": 2,
        "HubModel": 2,
        "HubDataset": 0,
        "HubSpace": 0,
    },
    "relationships": {
        "AUTHORED_BY": 6,
        "MENTIONS": 14,
        "PROPOSES": 3,
        "REFERENCES": 7,
        "HAS_CODE": 2,
        "LOADED_FROM": 5,
        "CITES": 7 + 2,  # between papers, and Hub models citing papers
    },
}

# v1 then v2: 2403.00005 (absent from v2) keeps its v1 state; Edsger and the AlphaNet repo are orphaned
# and removed; v2 adds 2404.00006, BetaNet, Barbara and Tony.
V1_V2_COUNTS = {
    "nodes": {
        "Paper": 6,
        "Author": 5,
        "Entity": 7,
        "Model": 2,
        "Dataset": 2,
        "Method": 3,
        "Repository": 1,
        "Snapshot": 2,
        "HubRepo": 2,
        "HubModel": 2,
        "HubDataset": 0,
        "HubSpace": 0,
    },
    "relationships": {
        "AUTHORED_BY": 7,
        "MENTIONS": 16,
        "PROPOSES": 4,
        "REFERENCES": 7,
        "HAS_CODE": 1,
        "LOADED_FROM": 6,
        "CITES": 7 + 2,  # v2 has no enrichment rows: v1's citations and Hub links stay
    },
}


def _references(driver) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    records, _, _ = driver.execute_query(
        "MATCH (a:Paper)-[r:REFERENCES]->(b:Paper) RETURN a.paper_id AS a, b.paper_id AS b, r.entity_key AS e"
    )
    return {(r["a"], r["b"], r["e"]) for r in records}


def test_fixture_snapshot_loads_to_exact_counts(neo4j_clean, v1: Snapshot) -> None:
    report = load_snapshot(neo4j_clean, v1, batch_size=2)

    assert graph_counts(neo4j_clean) == V1_COUNTS
    rows = {s.name: (s.rows, s.written, s.batches) for s in report.steps if s.table}
    assert rows == {
        "papers": (5, 5, 3),
        "repositories": (2, 2, 1),  # 3 batches of papers; a batch without a repository sends no transaction
        "entities": (6, 6, 3),
        "authors": (6, 6, 3),
        "mentions": (14, 14, 7),
        "references": (7, 7, 4),
        "citations": (7, 7, 4),
        "hub_repos": (2, 2, 1),
        "paper_hub_links": (2, 2, 1),
    }
    assert report.rows == 5 + 2 + 6 + 6 + 14 + 7 + 7 + 2 + 2
    assert report.rows_per_second > 0
    assert report.load_id == "2024-03-31/fixture-run-1"
    assert _references(neo4j_clean) == {tuple(r) for r in fixture_data("v1")["references"]}
    check = check_load(neo4j_clean, v1)
    assert check.ok, check.problems
    assert check.expected == check.actual


def test_constraints_and_indexes_are_created(neo4j_clean, v1: Snapshot) -> None:
    load_snapshot(neo4j_clean, v1)
    records, _, _ = neo4j_clean.execute_query(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "RETURN type, labelsOrTypes[0] AS label, properties"
    )
    unique = {(r["label"], tuple(r["properties"])) for r in records if r["type"] == "UNIQUENESS"}
    assert {(label.value, (key,)) for label, key in NODE_KEYS.items()} <= unique


def test_schema_statements_are_sent_only_for_what_is_missing(neo4j_clean) -> None:  # type: ignore[no-untyped-def]
    named = named_constraint_statements()
    ensure_schema(neo4j_clean)
    assert set(named) <= existing_schema_names(neo4j_clean)
    assert ensure_schema(neo4j_clean) == 0  # the whole schema is there: nothing is sent
    neo4j_clean.execute_query("DROP INDEX entity_name")
    neo4j_clean.execute_query("DROP CONSTRAINT author_key")
    assert not {"entity_name", "author_key"} & existing_schema_names(neo4j_clean)
    assert ensure_schema(neo4j_clean) == 2
    assert set(named) <= existing_schema_names(neo4j_clean)
    records, _, _ = neo4j_clean.execute_query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties WHERE name = 'author_key'"
        " RETURN type, labelsOrTypes, properties"
    )
    assert [(r["type"], r["labelsOrTypes"], r["properties"]) for r in records] == [
        ("UNIQUENESS", ["Author"], ["key"])
    ]


def test_loading_twice_changes_nothing(neo4j_clean, v1: Snapshot) -> None:
    load_snapshot(neo4j_clean, v1, batch_size=3)
    first = canonical_dump(neo4j_clean)
    report = load_snapshot(neo4j_clean, v1, batch_size=4)
    assert canonical_dump(neo4j_clean) == first
    assert graph_counts(neo4j_clean) == V1_COUNTS
    assert sum(s.deleted for s in report.steps) == 0


def test_newer_snapshot_updates_adds_and_removes(neo4j_clean, v1: Snapshot, v2: Snapshot) -> None:
    load_snapshot(neo4j_clean, v1, batch_size=2)
    report = load_snapshot(neo4j_clean, v2, batch_size=2)
    driver = neo4j_clean

    assert graph_counts(driver) == V1_V2_COUNTS
    assert _references(driver) == {tuple(r) for r in fixture_data("v2")["references"]}
    # 1 HAS_CODE + 1 AUTHORED_BY (2401) + 1 MENTIONS (2402) + 1 PROPOSES (2402.00003) + 1 AUTHORED_BY (2403)
    # + 4 LOADED_FROM (re-loaded papers now point at v2), then the orphaned repository and author
    assert report.step("prune_paper_rels").deleted == 9 + 2
    assert report.step("prune_references").deleted == 3

    (p1,) = driver.execute_query("MATCH (p:Paper {paper_id: '2401.00001'}) RETURN p")[0]
    assert p1["p"]["title"] == "AlphaNet v2: Scaling Image Models"
    assert p1["p"]["upvotes"] == 30
    assert p1["p"]["load_id"] == "2024-04-30/fixture-run-2"
    records, _, _ = driver.execute_query(
        "MATCH (p:Paper {paper_id: '2401.00001'})-[r:AUTHORED_BY]->(a) "
        "RETURN r.position AS i, a.name AS name ORDER BY i"
    )
    assert [(r["i"], r["name"]) for r in records] == [(0, "Ada Lovelace"), (1, "Barbara Liskov")]
    assert (
        driver.execute_query("MATCH (:Paper {paper_id: '2401.00001'})-[:HAS_CODE]->() RETURN 1").records == []
    )
    authors, _, _ = driver.execute_query("MATCH (a:Author) RETURN a.name AS name ORDER BY name")
    assert [r["name"] for r in authors] == [
        "Ada Lovelace",
        "Alan Turing",
        "Barbara Liskov",
        "Grace Hopper",
        "Tony Hoare",
    ]
    proposers, _, _ = driver.execute_query(
        "MATCH (p:Paper)-[:PROPOSES]->(:Entity {key: 'method:lora'}) RETURN p.paper_id AS id"
    )
    assert [r["id"] for r in proposers] == ["2404.00006"]
    lora_in_2402, _, _ = driver.execute_query(
        "MATCH (:Paper {paper_id: '2402.00002'})-[:MENTIONS]->(e {key: 'method:lora'}) RETURN e"
    )
    assert lora_in_2402 == []
    (lora,) = driver.execute_query("MATCH (e:Entity {key: 'method:lora'}) RETURN e.aliases AS aliases")[0]
    assert lora["aliases"] == ["LoRA", "low-rank adaptation", "LoRA adapters"]
    # absent from v2: left as v1 loaded it
    (p5,) = driver.execute_query(
        "MATCH (p:Paper {paper_id: '2403.00005'})-[:LOADED_FROM]->(s:Snapshot) "
        "RETURN p.load_id AS load_id, s.snapshot_date AS date, COUNT { (p)-[:MENTIONS]->() } AS mentions"
    )[0]
    assert (p5["load_id"], p5["date"], p5["mentions"]) == ("2024-03-31/fixture-run-1", "2024-03-31", 1)
    check = check_load(driver, v2)
    assert check.ok, check.problems
    assert check.orphan_mentions == []


def test_rerun_of_a_date_drops_the_entity_no_paper_mentions_any_more(
    neo4j_clean, v1: Snapshot, tmp_path: Path
) -> None:
    """The same date run again on changed input (a new run id): 2402.00003, the only paper that
    mentioned Dropout, no longer does, so the entity goes with its last relationship."""
    load_snapshot(neo4j_clean, v1, batch_size=2)
    tables = fixture_tables("v1")
    tables["paper_entities"] = tables["paper_entities"].filter(
        pc.not_equal(tables["paper_entities"]["entity_key"], "method:dropout")
    )
    tables["entities"] = tables["entities"].filter(
        pc.not_equal(tables["entities"]["entity_key"], "method:dropout")
    )
    write_snapshot(tmp_path, v1.manifest.snapshot_date, "fixture-run-1-again", tables)
    load_snapshot(neo4j_clean, open_snapshot(tmp_path, v1.manifest.snapshot_date), batch_size=2)

    keys = {r["key"] for r in neo4j_clean.execute_query("MATCH (e:Entity) RETURN e.key AS key").records}
    assert "method:dropout" not in keys
    assert {"method:lora", "model:alphanet", "method:adapter"} <= keys  # still mentioned, or in the table


def test_a_list_that_became_empty_is_removed_and_an_empty_list_is_never_written(
    neo4j_clean, v1: Snapshot, tmp_path: Path
) -> None:
    """In the graph an empty list is absent, as a null is: a later load whose list became empty
    removes the property (the Parquet snapshot keeps `[]`)."""
    load_snapshot(neo4j_clean, v1, batch_size=2)
    paper_id = fixture_tables("v1")["papers"].column("paper_id")[0].as_py()
    entity_key = fixture_tables("v1")["entities"].column("entity_key")[0].as_py()
    lists = (
        "MATCH (p:Paper {paper_id: $paper_id}), (e:Entity {key: $entity_key})"
        " RETURN p.categories AS categories, p.sources AS sources, e.aliases AS aliases"
    )
    before = neo4j_clean.execute_query(lists, paper_id=paper_id, entity_key=entity_key).records[0]
    assert before["categories"] and before["aliases"]

    tables = fixture_tables("v1")
    papers = tables["papers"].to_pylist()
    papers[0]["categories"], papers[0]["sources"] = [], []
    tables["papers"] = pa.Table.from_pylist(papers, schema=tables["papers"].schema)
    entities = tables["entities"].to_pylist()
    entities[0]["aliases"] = []
    tables["entities"] = pa.Table.from_pylist(entities, schema=tables["entities"].schema)
    write_snapshot(tmp_path, v1.manifest.snapshot_date, "fixture-run-1-emptied", tables)
    emptied = open_snapshot(tmp_path, v1.manifest.snapshot_date)
    kept = emptied.read_table("papers", ["paper_id", "categories"]).to_pylist()
    assert {r["paper_id"]: r["categories"] for r in kept}[paper_id] == []  # the snapshot keeps []
    load_snapshot(neo4j_clean, emptied, batch_size=2)

    after = neo4j_clean.execute_query(
        lists.replace("RETURN", "RETURN keys(p) AS paper_keys, keys(e) AS entity_keys,"),
        paper_id=paper_id,
        entity_key=entity_key,
    ).records[0]
    assert not {"categories", "sources"} & set(after["paper_keys"]), after["paper_keys"]
    assert "aliases" not in after["entity_keys"] and "name" in after["entity_keys"]
    empty = "MATCH (n) WHERE n.categories = [] OR n.sources = [] OR n.aliases = [] RETURN count(*) AS n"
    assert neo4j_clean.execute_query(empty).records[0]["n"] == 0


FAILURE_POINTS = [
    ("papers", 2),
    ("authors", 2),
    ("mentions", 3),
    ("prune_paper_rels", 1),
    ("references", 2),
]


class InjectedFailure(RuntimeError):
    pass


def _fail_at(step: str, batch: int):  # type: ignore[no-untyped-def]
    def hook(event: BatchEvent) -> None:
        if (event.step, event.batch) == (step, batch):
            raise InjectedFailure(f"injected after {step} batch {batch}")

    return hook


@pytest.mark.parametrize(("step", "batch"), FAILURE_POINTS)
def test_failed_load_then_rerun_equals_clean_load(
    neo4j_clean, v1: Snapshot, v2: Snapshot, step, batch
) -> None:
    driver = neo4j_clean
    load_snapshot(driver, v1, batch_size=2)
    load_snapshot(driver, v2, batch_size=2)
    clean = canonical_dump(driver)

    driver.execute_query("MATCH (n) DETACH DELETE n")
    load_snapshot(driver, v1, batch_size=2)
    with pytest.raises(InjectedFailure):
        load_snapshot(driver, v2, batch_size=2, on_batch=_fail_at(step, batch))
    assert canonical_dump(driver) != clean  # the failure really left the graph half-way
    load_snapshot(driver, v2, batch_size=2)
    assert canonical_dump(driver) == clean


def test_failed_first_load_then_rerun_equals_clean_load(neo4j_clean, v1: Snapshot) -> None:
    load_snapshot(neo4j_clean, v1, batch_size=2)
    clean = canonical_dump(neo4j_clean)
    neo4j_clean.execute_query("MATCH (n) DETACH DELETE n")
    with pytest.raises(InjectedFailure):
        load_snapshot(neo4j_clean, v1, batch_size=2, on_batch=_fail_at("mentions", 2))
    assert canonical_dump(neo4j_clean) != clean
    load_snapshot(neo4j_clean, v1, batch_size=5)
    assert canonical_dump(neo4j_clean) == clean


def test_core_then_relations_equals_one_load(neo4j_clean, v1: Snapshot) -> None:
    """The DAG's split: core steps, check without REFERENCES, then the relation steps."""
    load_snapshot(neo4j_clean, v1)
    whole = canonical_dump(neo4j_clean)
    neo4j_clean.execute_query("MATCH (n) DETACH DELETE n")

    load_snapshot(neo4j_clean, v1, steps=CORE_STEPS)
    assert graph_counts(neo4j_clean)["relationships"]["REFERENCES"] == 0
    between = check_load(neo4j_clean, v1, relations=False)
    assert between.ok, between.problems
    assert "references" not in between.actual
    assert not check_load(neo4j_clean, v1).ok  # with relations: REFERENCES are still missing
    load_snapshot(neo4j_clean, v1, steps=RELATION_STEPS)
    assert canonical_dump(neo4j_clean) == whole


def test_snapshot_that_does_not_verify_is_refused(neo4j_clean, tmp_path: Path) -> None:
    snapshot = write_fixture_snapshot(tmp_path, "v1")
    part = next(Path(snapshot.path, "papers").glob("*.parquet"))
    part.write_bytes(part.read_bytes()[:-10] + b"0123456789")  # same size, different bytes
    with pytest.raises(SnapshotIntegrityError, match="sha256"):
        load_snapshot(neo4j_clean, open_snapshot(tmp_path, "latest"))
    counts = graph_counts(neo4j_clean)
    assert set(counts["nodes"].values()) == {0}
    assert set(counts["relationships"].values()) == {0}


def test_missing_snapshot_file_is_refused(neo4j_clean, tmp_path: Path) -> None:
    snapshot = write_fixture_snapshot(tmp_path, "v1")
    shutil.rmtree(Path(snapshot.path, "references"))
    with pytest.raises(SnapshotIntegrityError, match="missing"):
        load_snapshot(neo4j_clean, open_snapshot(tmp_path, "latest"))
    assert graph_counts(neo4j_clean)["nodes"]["Paper"] == 0


def test_values_are_always_parameters(neo4j_clean, v1: Snapshot) -> None:
    load_snapshot(neo4j_clean, v1)
    paper = next(p for p in fixture_data("v1")["papers"] if p["paper_id"] == "2403.00004")
    for token in ('"', "'", "\\", "{", "}", "$param", "`", "DETACH DELETE n;", "//", "数据"):
        assert token in paper["title"]  # the fixture really holds what could break string-built Cypher
    records, _, _ = neo4j_clean.execute_query(
        "MATCH (p:Paper {paper_id: $id}) RETURN p.title AS title, p.abstract AS abstract", id="2403.00004"
    )
    assert (records[0]["title"], records[0]["abstract"]) == (paper["title"], paper["abstract"])
    assert graph_counts(neo4j_clean) == V1_COUNTS  # nothing was executed out of the title


def test_rows_without_paper_or_entity_are_reported_and_fail_the_check(neo4j_clean, tmp_path: Path) -> None:
    tables = fixture_tables("v1")
    extra = {
        "paper_id": "2401.00001",
        "entity_key": "method:unknown",
        "type": "METHOD",
        "mention_count": 1,
        "first_offset": 0,
        "sentence": "s",
        "proposed": False,
    }
    tables["paper_entities"] = pa.concat_tables(
        [tables["paper_entities"], pa.Table.from_pylist([extra], schema=tables["paper_entities"].schema)]
    )
    snapshot = write_fixture_snapshot(tmp_path, "v1", tables)
    report = load_snapshot(neo4j_clean, snapshot)
    assert (report.step("mentions").rows, report.step("mentions").unmatched) == (15, 1)
    check = check_load(neo4j_clean, snapshot)
    assert not check.ok
    assert check.problems == ["mentions: graph has 14 for this load, snapshot has 15"]


def test_graph_counts_cover_every_model_name(neo4j_clean) -> None:
    counts = graph_counts(neo4j_clean)
    assert list(counts["nodes"]) == [label.value for label in Label]
    assert list(counts["relationships"]) == [rel.value for rel in Rel]
