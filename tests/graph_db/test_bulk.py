"""The bulk first load (`neo4j-admin database import full`) on a real, dedicated local Neo4j instance.

The importer rewrites the database files, so it gets its own instance (ports from
PG_TEST_NEO4J_BULK_BOLT_PORT / PG_TEST_NEO4J_BULK_HTTP_PORT), never the shared test server.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from graph.db import bulk as bulk_files
from graph.db import model
from graph.db.bulk import BulkPlanError, check_plan, csv_field, deferred_steps, write_import_files
from graph.db.checks import check_load
from graph.db.loader import ALL_STEPS, Step, load_snapshot
from graph.db.writes import NodeWrite, RelWrite
from graph.snapshot import Snapshot, open_snapshot
from paper_graph.local import neo4j as neo4j_local
from paper_graph.local.bulk import BulkLoadError, bulk_load, database_exists, local_instance
from tests.graph_db.fixture_snapshot import fixture_tables, write_fixture_snapshot
from tests.graph_db.graph_dump import canonical_dump


@pytest.fixture(scope="module")
def bulk_instance(neo4j_server) -> Iterator[neo4j_local.Instance]:  # type: ignore[no-untyped-def]
    instance = neo4j_local.Instance(
        name="test-bulk",
        bolt_port=int(os.environ.get("PG_TEST_NEO4J_BULK_BOLT_PORT", 17689)),
        http_port=int(os.environ.get("PG_TEST_NEO4J_BULK_HTTP_PORT", 17476)),
    )
    neo4j_local.stop(instance)
    shutil.rmtree(instance.home, ignore_errors=True)  # a new instance: the first bulk load needs no probe
    try:
        yield instance
    finally:
        neo4j_local.stop(instance)


def _driver(instance: neo4j_local.Instance):  # type: ignore[no-untyped-def]
    from neo4j import GraphDatabase

    return GraphDatabase.driver(instance.uri, auth=(neo4j_local.USER, neo4j_local.password()))


def test_csv_fields_keep_null_empty_strings_quotes_and_arrays() -> None:
    assert csv_field(None) == ""
    assert csv_field("") == '""'
    assert csv_field('say "hi", then go') == '"say ""hi"", then go"'
    assert csv_field(["a;b", "c"]) == '"a;b\x1fc"'
    assert csv_field(True) == "true"
    assert csv_field(3) == "3"
    # a named zone keeps its id (as the driver sends it), a fixed offset stays an offset
    # (quoted, as Arrow's CSV writer writes the text of the columnar path's timestamps)
    assert csv_field(datetime(2024, 3, 1, 10, tzinfo=ZoneInfo("UTC"))) == '"2024-03-01T10:00:00+00:00[UTC]"'
    assert csv_field(datetime(2024, 3, 1, 10, tzinfo=UTC)) == '"2024-03-01T10:00:00+00:00"'


def test_a_relationship_needs_its_nodes_from_an_earlier_step() -> None:
    rel_first = Step(
        "mentions",
        "paper_entities",
        "mentions",
        writes=(RelWrite(model.Rel.MENTIONS, "paper_id", "entity_key"),),
    )
    nodes = Step("entities", "entities", "entities", writes=(NodeWrite(model.Label.ENTITY),))
    papers = Step("papers", "papers", "papers", writes=(NodeWrite(model.Label.PAPER),))
    with pytest.raises(BulkPlanError, match="MENTIONS needs Entity"):
        check_plan([papers, rel_first, nodes])
    check_plan([papers, nodes, rel_first])


def test_steps_without_declared_writes_are_left_to_the_transactional_loader(
    v1: Snapshot, tmp_path: Path
) -> None:
    custom = Step("custom", "papers", "papers")  # no writes declared
    files = write_import_files(v1, tmp_path, steps=[*ALL_STEPS, custom])
    # citations merge stubs by arXiv id, S2 id or title: the transactional loader runs them after the import
    assert [s.name for s in deferred_steps()] == ["citations"]
    assert files.deferred == ["citations", "custom"]
    headers = {g.header.name: g.header.read_text().strip() for g in files.groups}
    assert headers["hub_repos.0.header.csv"].startswith(":ID,key:string,:LABEL,kind:string")
    assert "last_modified:datetime" in headers["hub_repos.0.header.csv"]
    assert headers["paper_hub_links.0.header.csv"] == ":START_ID,:END_ID,load_id:string"
    assert headers["entities.0.header.csv"].startswith(":ID,key:string,:LABEL,type:string")
    assert headers["Snapshot.header.csv"].startswith(":ID,load_id:string")
    assert "--id-type=actual" in files.arguments()
    assert "published_at:date" in headers["papers.0.header.csv"]
    assert "categories:string[]" in headers["papers.0.header.csv"]


def test_a_line_break_in_any_field_asks_the_importer_for_multiline_fields(tmp_path: Path) -> None:
    tables = fixture_tables("v1")
    assert (
        "--multiline-fields=true"
        not in write_import_files(
            write_fixture_snapshot(tmp_path / "plain", "v1", tables), tmp_path / "plain-files"
        ).arguments()
    )
    entities = tables["entities"].to_pylist()
    entities[0]["aliases"] = [*entities[0]["aliases"], "Alpha\nNet"]  # a line break in an array item
    tables["entities"] = pa.Table.from_pylist(entities, schema=tables["entities"].schema)
    files = write_import_files(write_fixture_snapshot(tmp_path / "broken", "v1", tables), tmp_path / "files")
    assert "--multiline-fields=true" in files.arguments()
    assert [g.name for g in files.groups if g.multiline] == ["Entity"]


def _edge_case_tables() -> dict[str, pa.Table]:
    """The v1 fixture with what the CSV must carry exactly: quotes, line breaks, empty strings and
    lists, blank and spaced author names, duplicate keys, a repository URL to normalise."""
    tables = fixture_tables("v1")
    papers = tables["papers"].to_pylist()
    papers[0]["title"] = 'A "quoted", title\r\nover lines'
    papers[0]["categories"] = []
    papers[1]["abstract"] = ""
    papers[1]["github_repo"] = "HTTP://www.GitHub.com/Lab/Repo.git/"
    papers[2]["fetched_at"] = datetime(2025, 1, 2, 3, 4, 5, 60, tzinfo=ZoneInfo("UTC"))
    papers[3]["fetched_at"] = datetime(999, 1, 2, tzinfo=ZoneInfo("UTC"))  # a batch through the row path
    papers[2]["sources"] = ["daily"]  # no empty list: no marker label, beside papers with one or two
    tables["papers"] = pa.Table.from_pylist(papers, schema=tables["papers"].schema)
    authors = tables["authors"].to_pylist()
    authors[0]["name"] = "  Ada   LOVELACE "
    authors.append({**authors[0], "position": 99, "name": "ada lovelace"})  # the same key again
    authors.append({**authors[0], "position": 100, "name": "   "})  # no name: no row
    tables["authors"] = pa.Table.from_pylist(authors, schema=tables["authors"].schema)
    entities = tables["entities"].to_pylist()
    entities[0]["aliases"] = []
    entities[1]["aliases"] = [*entities[1]["aliases"], 'say "x"', ""]
    tables["entities"] = pa.Table.from_pylist(entities, schema=tables["entities"].schema)
    return tables


def test_the_columnar_twins_give_the_rows_of_the_row_functions() -> None:
    tables = _edge_case_tables()
    for step in ALL_STEPS:
        if step.to_rows in bulk_files.COLUMNS and step.table in tables:
            rows = [bulk_files._flat(r, "L") for r in step.to_rows(tables[step.table])]
            columns = bulk_files.COLUMNS[step.to_rows](tables[step.table]).to_pylist()
            for row in rows:
                row.pop(model.LOAD_STAMP)
            assert [{k: r.get(k) for k in c} for r, c in zip(rows, columns, strict=True)] == columns
            assert all(set(r) <= set(c) for r, c in zip(rows, columns, strict=True)), step.name


def test_the_columnar_files_are_the_row_files_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = write_fixture_snapshot(tmp_path / "edges", "v1", _edge_case_tables())
    emitted: list[bool] = []
    emit = bulk_files._emit_columns

    def counted(*args):  # type: ignore[no-untyped-def]
        emitted.append(emit(*args))
        return emitted[-1]

    monkeypatch.setattr(bulk_files, "_emit_columns", counted)
    columnar = write_import_files(snapshot, tmp_path / "columnar", batch_size=3)
    # papers (2 batches, the one with a year 999 through the rows), repositories (2), entities (2),
    # authors (3), mentions (5), references (3), paper_hub_links (1)
    assert emitted.count(True) >= 15 and emitted.count(False) == 1
    monkeypatch.setattr(bulk_files, "COLUMNS", {})  # every step through the row path
    rows = write_import_files(snapshot, tmp_path / "rows", batch_size=3)
    assert columnar.arguments() != []
    assert [(g.name, g.records, g.multiline) for g in columnar.groups] == [
        (g.name, g.records, g.multiline) for g in rows.groups
    ]
    for mine, theirs in zip(columnar.groups, rows.groups, strict=True):
        assert mine.header.read_bytes() == theirs.header.read_bytes(), mine.header.name
        assert mine.data.read_bytes() == theirs.data.read_bytes(), mine.data.name
    # an empty list is an empty, unquoted field, as a null is (no property): no marker label, so the
    # papers need no :LABEL column
    headers = {g.name: g.header.read_text() for g in columnar.groups}
    assert ":LABEL" not in headers["Paper"] and ":LABEL" in headers["Entity"]
    key = _edge_case_tables()["entities"].column("entity_key")[0].as_py()  # its aliases are []
    entities = next(g for g in columnar.groups if g.name == "Entity")
    line = next(x for x in entities.data.read_text(encoding="utf-8").splitlines() if f',"{key}",' in x)
    assert line.endswith(f',,"{columnar.load_id}"'), line
    assert columnar.step_rows == rows.step_rows
    assert {g.name for g in columnar.groups if g.multiline} == {"Paper"}


def _records(group: bulk_files.FileGroup) -> list[dict[str, str]]:
    header = group.header.read_text(encoding="utf-8").strip().split(",")
    with group.data.open(newline="", encoding="utf-8") as data:
        return [dict(zip(header, row, strict=True)) for row in csv.reader(data)]


def test_nodes_get_global_dense_ids_and_relationships_end_on_them(tmp_path: Path) -> None:
    """`--id-type=actual`: 0..N-1 over all node files; an Author seen again in a later batch keeps its id."""
    snapshot = write_fixture_snapshot(tmp_path / "edges", "v1", _edge_case_tables())
    files = write_import_files(snapshot, tmp_path / "files", batch_size=3)
    node_of: dict[int, tuple[str, str]] = {}  # id -> (label, key)
    for group in files.groups:
        if group.kind == "nodes":
            key = group.header.read_text().strip().split(",")[1]  # the key: a string after :ID
            assert key.endswith(":string"), group.header.name
            for record in _records(group):
                node_of[int(record[":ID"])] = (group.name, record[key])
    assert sorted(node_of) == list(range(files.nodes))
    assert len(set(node_of.values())) == files.nodes  # no key twice in a label
    authored = [g for g in files.groups if g.name == "AUTHORED_BY"][0]
    ends = [(node_of[int(r[":START_ID"])], node_of[int(r[":END_ID"])]) for r in _records(authored)]
    assert all(start[0] == "Paper" and end[0] == "Author" for start, end in ends)
    ada = model.author_key("Ada Lovelace")
    first_paper = _edge_case_tables()["authors"].column("paper_id")[0].as_py()
    # the same author twice on one paper (positions 0 and 99, rows in different batches): one node
    assert ends.count((("Paper", first_paper), ("Author", ada))) == 2
    assert sum(1 for label, key in node_of.values() if (label, key) == ("Author", ada)) == 1


def test_a_relationship_to_a_key_that_is_no_node_is_not_written(tmp_path: Path) -> None:
    """The loader's MATCH: a mention of an entity, a reference to a paper, that the snapshot has no
    node for is left out (the ids are looked up among the nodes written, so none can be dangling)."""
    tables = _edge_case_tables()
    plain = write_import_files(write_fixture_snapshot(tmp_path / "plain", "v1", tables), tmp_path / "a")
    mention = {**tables["paper_entities"].slice(0, 1).to_pylist()[0], "entity_key": "method:nowhere"}
    tables["paper_entities"] = pa.concat_tables(
        [tables["paper_entities"], pa.Table.from_pylist([mention], schema=tables["paper_entities"].schema)]
    )
    reference = {**tables["references"].slice(0, 1).to_pylist()[0], "cited_paper_id": "2999.99999"}
    tables["references"] = pa.concat_tables(
        [tables["references"], pa.Table.from_pylist([reference], schema=tables["references"].schema)]
    )
    dangling = write_import_files(write_fixture_snapshot(tmp_path / "dangling", "v1", tables), tmp_path / "b")
    assert dangling.step_rows["mentions"] == plain.step_rows["mentions"] + 1  # read, not written
    for mine, theirs in zip(dangling.groups[1:], plain.groups[1:], strict=True):  # not the row counts
        assert mine.data.read_bytes() == theirs.data.read_bytes(), mine.data.name


def test_bulk_load_refuses_a_server_that_is_not_the_local_one() -> None:
    with pytest.raises(BulkLoadError, match="not that server"):
        local_instance("bolt://db.example.org:7687")


def test_bulk_then_incremental_equals_the_transactional_loads(
    bulk_instance: neo4j_local.Instance,
    neo4j_clean,
    v1: Snapshot,
    v2: Snapshot,  # type: ignore[no-untyped-def]
) -> None:
    transactional_report = load_snapshot(neo4j_clean, v1)
    transactional_v1 = canonical_dump(neo4j_clean)

    assert not database_exists(bulk_instance)
    report = bulk_load(bulk_instance, v1)  # a new instance's database: empty, no --force needed
    assert not report.probed  # nor a server start just to count its nodes
    assert report.records == report.files.nodes + report.files.relationships > 0
    assert database_exists(bulk_instance)
    assert report.rows == transactional_report.rows  # the same rows, counted the same way
    with _driver(bulk_instance) as driver:
        bulk_v1 = canonical_dump(driver)
        assert bulk_v1 == transactional_v1, _diff(bulk_v1, transactional_v1)
        assert check_load(driver, v1).ok

        load_snapshot(neo4j_clean, v2)
        load_snapshot(driver, v2)
        assert canonical_dump(driver) == canonical_dump(neo4j_clean)

    with pytest.raises(BulkLoadError, match="holds .* nodes"):
        bulk_load(bulk_instance, v1)  # not empty any more, and not forced


def test_bulk_with_citations_and_hub_links_equals_the_transactional_load(
    bulk_instance: neo4j_local.Instance, neo4j_clean, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Hub repos and their links are imported; citations (stubs merged by id) run after the import."""
    cite_v1 = write_fixture_snapshot(tmp_path, "cite_v1")
    load_snapshot(neo4j_clean, cite_v1)
    transactional = canonical_dump(neo4j_clean)
    assert any('"HubRepo"' in line for line in transactional)
    stamps = "MATCH (h:HubRepo) RETURN h.key AS key, toString(h.last_modified) AS text ORDER BY key"
    transactional_stamps = neo4j_clean.execute_query(stamps).records

    report = bulk_load(bulk_instance, cite_v1, force=True)
    assert report.deferred.step("citations").written > 0
    assert {g.name for g in report.files.groups} >= {"HubRepo", "CITES"}
    with _driver(bulk_instance) as driver:
        bulk = canonical_dump(driver)
        assert bulk == transactional, _diff(bulk, transactional)
        # the dump shows values as text; Cypher's text of a datetime also tells a zone id from an offset
        assert driver.execute_query(stamps).records == transactional_stamps


def test_an_empty_list_is_absent_on_both_load_paths(
    bulk_instance: neo4j_local.Instance, neo4j_clean, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    tables = fixture_tables("v1")
    papers = tables["papers"].to_pylist()
    papers[0]["categories"] = []
    tables["papers"] = pa.Table.from_pylist(papers, schema=tables["papers"].schema)
    entities = tables["entities"].to_pylist()
    entities[0]["aliases"] = []
    tables["entities"] = pa.Table.from_pylist(entities, schema=tables["entities"].schema)
    snapshot = write_fixture_snapshot(tmp_path / "empty", "v1", tables)
    load_snapshot(neo4j_clean, snapshot)
    transactional = canonical_dump(neo4j_clean)

    bulk_load(bulk_instance, snapshot, force=True)
    absent = (
        "MATCH (p:Paper {paper_id: $paper_id}), (e:Entity {key: $key})"
        " RETURN p.categories IS NULL AND e.aliases IS NULL AS absent, p.title IS NOT NULL AS kept"
    )
    ids = {"paper_id": papers[0]["paper_id"], "key": entities[0]["entity_key"]}
    empty = "MATCH (n) WHERE n.categories = [] OR n.sources = [] OR n.aliases = [] RETURN count(*) AS n"
    with _driver(bulk_instance) as driver:
        bulk = canonical_dump(driver)
        assert bulk == transactional, _diff(bulk, transactional)
        for graph in (driver, neo4j_clean):
            assert graph.execute_query(absent, ids).records[0].data() == {"absent": True, "kept": True}
            assert graph.execute_query(empty).records[0]["n"] == 0


def test_files_that_cannot_be_written_leave_the_old_graph_served(
    bulk_instance: neo4j_local.Instance, v1: Snapshot
) -> None:
    """The server stops while the files are written; when they fail, it serves the old graph again."""
    neo4j_local.start(bulk_instance)
    with _driver(bulk_instance) as driver:
        before = canonical_dump(driver)
    assert before
    rel_first = Step(
        "mentions",
        "paper_entities",
        "mentions",
        writes=(RelWrite(model.Rel.MENTIONS, "paper_id", "entity_key"),),
    )
    with pytest.raises(BulkPlanError):
        bulk_load(bulk_instance, v1, force=True, steps=[rel_first])
    assert neo4j_local.running_pid(bulk_instance) is not None
    with _driver(bulk_instance) as driver:
        assert canonical_dump(driver) == before


def test_a_key_on_two_imported_nodes_fails_the_constraints_loudly(
    bulk_instance: neo4j_local.Instance, v1: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files give each key one node (the first row wins); were a key written twice, the import
    would take it (ids are the files' own), and the uniqueness constraint after it fails: an error."""
    from paper_graph.local import bulk as local_bulk

    def with_a_duplicate(*args, **kwargs):  # type: ignore[no-untyped-def]
        files = write_import_files(*args, **kwargs)
        papers = next(g for g in files.groups if g.name == "Paper")
        first = papers.data.read_text(encoding="utf-8").splitlines(keepends=True)[0]
        with papers.data.open("a", encoding="utf-8") as data:  # the same paper_id under a new node id
            data.write(f"{files.nodes}{first[first.index(',') :]}")
        return files

    monkeypatch.setattr(local_bulk, "write_import_files", with_a_duplicate)
    try:
        with pytest.raises(BulkLoadError, match="breaks a constraint.*paper_id"):
            bulk_load(bulk_instance, v1, force=True)
    finally:  # the next test gets a new instance, not this graph without its constraints
        neo4j_local.stop(bulk_instance)
        shutil.rmtree(bulk_instance.home, ignore_errors=True)


def test_load_bulk_from_the_command_line_refuses_remote_and_non_empty(
    bulk_instance: neo4j_local.Instance, snapshot_root: Path
) -> None:
    from click.testing import CliRunner

    from paper_graph.cli import main

    runner = CliRunner()
    args = ["load", "2024-03-31", "--root", str(snapshot_root), "--bulk"]
    remote = runner.invoke(main, args, env={"NEO4J_URI": "bolt://db.example.org:7687", "NEO4J_PASSWORD": "x"})
    assert remote.exit_code == 1 and remote.exception is not None
    assert "is not that server" in remote.output and "Traceback" not in remote.output

    local = {
        "NEO4J_URI": None,
        "NEO4J_INSTANCE": bulk_instance.name,
        "NEO4J_BOLT_PORT": str(bulk_instance.bolt_port),
        "NEO4J_HTTP_PORT": str(bulk_instance.http_port),
    }
    neo4j_local.start(bulk_instance)
    with _driver(bulk_instance) as driver:
        load_snapshot(driver, open_snapshot(snapshot_root, "2024-03-31"))
    refused = runner.invoke(main, args, env=local)
    assert refused.exit_code == 1, refused.output
    assert "pass --force to replace the graph" in refused.output and "Traceback" not in refused.output


def _diff(a: list[str], b: list[str]) -> list[str]:
    return sorted(set(a) ^ set(b))
