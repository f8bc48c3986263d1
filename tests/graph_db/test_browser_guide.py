"""The Neo4j Browser guide and favourites carry exactly the catalog's queries, and they run."""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

from graph.db.browser_guide import FAVORITES_NAME, GUIDE_NAME, params_command, write_browser_files
from graph.db.loader import load_snapshot
from graph.db.queries import catalog
from graph.snapshot import Snapshot


def test_guide_and_favorites_hold_every_query(tmp_path: Path) -> None:
    guide, favorites = write_browser_files(tmp_path)
    assert (guide.name, favorites.name) == (GUIDE_NAME, FAVORITES_NAME)
    text = guide.read_text(encoding="utf-8")
    with zipfile.ZipFile(favorites) as archive:
        assert sorted(archive.namelist()) == sorted(f"{name}.cypher" for name in catalog())
        for name, query in catalog().items():
            assert html.escape(query.body) in text
            assert html.escape(params_command(query)) in text
            favorite = archive.read(f"{name}.cypher").decode("utf-8")
            header, _, body = favorite.partition("\n")
            assert header.startswith(f"// {name}: ")
            param_lines = [line for line in body.splitlines() if line.startswith(":param ")]
            assert [line.split()[1] for line in param_lines] == [p.name for p in query.params]
            assert body.split("\n", len(param_lines))[-1].strip() == query.body


def test_files_are_reproducible(tmp_path: Path) -> None:
    first = [p.read_bytes() for p in write_browser_files(tmp_path / "a")]
    second = [p.read_bytes() for p in write_browser_files(tmp_path / "b")]
    assert first == second


def test_every_slide_runs_on_the_fixture_graph(neo4j_clean, v1: Snapshot) -> None:
    """The slide's `:params` map is valid Cypher and the query runs with it (Browser sends the same)."""
    load_snapshot(neo4j_clean, v1)
    for name, query in catalog().items():
        literal = params_command(query).removeprefix(":params ")
        (record,) = neo4j_clean.execute_query(f"RETURN {literal} AS params").records
        records, _, _ = neo4j_clean.execute_query(query.body, record["params"])
        if name not in ("dq_orphan_mentions",):
            assert records, f"{name} returned no rows with the guide's example values"
