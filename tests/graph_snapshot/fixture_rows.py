"""The hand-written rows of tests/fixtures/snapshot as the pipeline would hand them to the writer."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from extract.records import Citation, Entity, HubRepo, Mention, PaperHubLink, PaperRecord
from graph import relations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "snapshot"


def read_jsonl(name: str) -> list[dict[str, Any]]:
    with (FIXTURES / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def papers() -> list[PaperRecord]:
    records = []
    for row in read_jsonl("papers.jsonl"):
        row["published_at"] = date.fromisoformat(row["published_at"]) if row["published_at"] else None
        row["fetched_at"] = _datetime(row["fetched_at"])
        records.append(PaperRecord(**row))
    return records


def mentions() -> list[Mention]:
    return [Mention(**row) for row in read_jsonl("mentions.jsonl")]


def entities() -> list[Entity]:
    return [Entity(**row) for row in read_jsonl("entities.jsonl")]


def citations() -> list[Citation]:
    return [Citation(**row) for row in read_jsonl("citations.jsonl")]


def hub_repos() -> list[HubRepo]:
    return [
        HubRepo(**{**row, "last_modified": _datetime(row["last_modified"])})
        for row in read_jsonl("hub_repos.jsonl")
    ]


def paper_hub_links() -> list[PaperHubLink]:
    return [PaperHubLink(**row) for row in read_jsonl("paper_hub_links.jsonl")]


def raw_responses() -> list[dict[str, Any]]:
    rows = read_jsonl("raw_responses.jsonl")
    for row in rows:
        row["fetched_at"] = _datetime(row["fetched_at"])
    return rows


def all_tables() -> dict[str, list[Any]]:
    """Every snapshot table, the derived ones computed by graph.relations."""
    paper_rows = papers()
    paper_entity_rows = list(relations.paper_entities(mentions()))
    return {
        "papers": paper_rows,
        "authors": list(relations.authors(paper_rows)),
        "entities": entities(),
        "mentions": mentions(),
        "paper_entities": paper_entity_rows,
        "references": list(relations.references(paper_entity_rows)),
        "co_mentions": list(relations.co_mentions(paper_entity_rows)),
        "citations": citations(),
        "hub_repos": hub_repos(),
        "paper_hub_links": paper_hub_links(),
        "raw_responses": raw_responses(),
    }
