"""The enrichment tables (citations, hub_repos, paper_hub_links): derived from the record dataclasses,
sorted, in the manifest, readable with DuckDB, validated on write."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract.records import Citation, HubRepo, PaperHubLink
from graph.schema import TABLES
from graph.snapshot import SchemaValidationError, SnapshotWriter, open_snapshot, write_snapshot

DAY = "2024-05-27"


@pytest.mark.parametrize(
    ("table", "record"),
    [("citations", Citation), ("hub_repos", HubRepo), ("paper_hub_links", PaperHubLink)],
)
def test_schema_is_the_dataclass(table: str, record: type) -> None:
    schema = TABLES[table].schema
    assert schema.names == [f.name for f in dataclasses.fields(record)]
    assert all(schema.field(name).metadata[b"doc"] for name in schema.names)


def test_enrichment_tables_are_sorted_and_in_the_manifest(
    tmp_path: Path, tables: dict[str, list[Any]]
) -> None:
    manifest = write_snapshot(tmp_path, DAY, "run-1", tables)
    assert manifest.tables["citations"].rows == 4
    assert manifest.tables["hub_repos"].rows == 4
    assert manifest.tables["paper_hub_links"].rows == 5
    snapshot = open_snapshot(tmp_path, DAY)
    snapshot.verify()

    citations = snapshot.read_table("citations").to_pylist()
    assert [(c["citing_paper_id"], c["cited_paper_id"]) for c in citations] == [
        ("2304.08485", "2201.03545"),
        ("2405.15738", "2201.03545"),
        ("2405.15738", "2304.08485"),
        ("2405.15738", "s2:0d3c1e5d2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c"),
    ]
    assert citations[3]["cited_arxiv_id"] is None and citations[3]["cited_year"] == 2021
    hubs = snapshot.read_table("hub_repos").to_pylist()
    assert [h["hub_key"] for h in hubs] == sorted(h.hub_key for h in tables["hub_repos"])
    llava = next(h for h in hubs if h["repo_id"] == "liuhaotian/llava-v1.5-7b")
    assert llava["last_modified"] == datetime(2024, 5, 9, 20, 11, 1, tzinfo=UTC)
    links = [(r["paper_id"], r["hub_key"]) for r in snapshot.read_table("paper_hub_links").to_pylist()]
    assert links == sorted(links)

    folder = tmp_path / f"dt={DAY}"
    in_graph = (
        duckdb.connect()
        .execute(
            f"select c.citing_paper_id, c.cited_paper_id from read_parquet('{folder}/citations/*.parquet') c "
            f"join read_parquet('{folder}/papers/*.parquet') p on p.paper_id = c.cited_paper_id"
        )
        .fetchall()
    )
    assert in_graph == [("2405.15738", "2304.08485")]


def test_a_snapshot_without_enrichment_has_empty_tables(tmp_path: Path, tables: dict[str, list[Any]]) -> None:
    manifest = write_snapshot(tmp_path, DAY, "run-1", {"papers": tables["papers"]})
    snapshot = open_snapshot(tmp_path, DAY)
    for name in ("citations", "hub_repos", "paper_hub_links"):
        assert manifest.tables[name].rows == 0
        assert snapshot.read_table(name).schema.equals(TABLES[name].schema)


def test_a_citation_without_its_citing_paper_is_refused(tmp_path: Path) -> None:
    with SnapshotWriter(tmp_path, DAY, "bad") as writer, pytest.raises(SchemaValidationError) as error:
        writer.write("citations", [{"citing_paper_id": None, "cited_paper_id": "2201.03545", "source": "s2"}])
    assert "citing_paper_id" in str(error.value)
    with SnapshotWriter(tmp_path, DAY, "bad") as writer, pytest.raises(SchemaValidationError) as error:
        writer.write(
            "hub_repos", [{"hub_key": "model:a/b", "kind": "model", "repo_id": "a/b", "likes": "many"}]
        )
    assert "likes" in str(error.value)
    assert not (tmp_path / f"dt={DAY}").exists()
