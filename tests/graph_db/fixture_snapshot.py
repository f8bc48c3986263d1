"""Snapshots built from the hand-made tables in tests/fixtures/graph (pyarrow, real schemas)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from extract.records import Citation, Entity, HubRepo, PaperHubLink, PaperRecord
from graph.schema import TABLES
from graph.snapshot import Snapshot, open_snapshot, write_snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graph"


def fixture_data(version: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{version}.json").read_text(encoding="utf-8"))


def fixture_tables(version: str) -> dict[str, pa.Table]:
    """Every table of TABLES (empty when the fixture has no rows for it)."""
    data = fixture_data(version)
    papers = []
    for row in data["papers"]:
        row = dict(row)
        if row.get("published_at"):
            row["published_at"] = date.fromisoformat(row["published_at"])
        papers.append(PaperRecord(**row).to_dict())
    entities = {e["entity_key"]: Entity(**e) for e in data["entities"]}
    rows: dict[str, list[dict[str, Any]]] = {
        "papers": papers,
        "authors": [
            {"paper_id": p["paper_id"], "position": i, "name": name}
            for p in papers
            for i, name in enumerate(p["authors"])
        ],
        "entities": [
            {"entity_key": e.entity_key, "type": e.type, "name": e.name, "aliases": list(e.aliases)}
            for e in entities.values()
        ],
        "paper_entities": [
            {
                "paper_id": paper_id,
                "entity_key": key,
                "type": entities[key].type,
                "mention_count": count,
                "first_offset": 0,
                "sentence": f"{paper_id} mentions {entities[key].name}.",
                "proposed": proposed,
            }
            for paper_id, key, count, proposed in data["paper_entities"]
        ],
        "references": [
            {"citing_paper_id": a, "cited_paper_id": b, "entity_key": key} for a, b, key in data["references"]
        ],
        "citations": [
            dataclasses.asdict(
                Citation(
                    citing_paper_id=citing,
                    cited_paper_id=cited,
                    cited_arxiv_id=arxiv_id,
                    cited_s2_id=s2_id,
                    cited_title=title,
                    cited_year=year,
                )
            )
            for citing, cited, arxiv_id, s2_id, title, year in data.get("citations", [])
        ],
        "hub_repos": [
            dataclasses.asdict(
                HubRepo(
                    **{
                        **row,
                        "last_modified": datetime.fromisoformat(row["last_modified"])
                        if row.get("last_modified")
                        else None,
                    }
                )
            )
            for row in data.get("hub_repos", [])
        ],
        "paper_hub_links": [
            dataclasses.asdict(PaperHubLink(paper_id, hub_key))
            for paper_id, hub_key in data.get("paper_hub_links", [])
        ],
    }
    return {name: pa.Table.from_pylist(rows.get(name, []), schema=t.schema) for name, t in TABLES.items()}


def write_fixture_snapshot(root: Path, version: str, tables: dict[str, pa.Table] | None = None) -> Snapshot:
    """Write the fixture (or `tables`) as a real Parquet snapshot under `root` and open it."""
    data = fixture_data(version)
    write_snapshot(root, data["snapshot_date"], data["run_id"], tables or fixture_tables(version))
    return open_snapshot(root, data["snapshot_date"])
