"""The hand-written rows of tests/fixtures/snapshot as the pipeline would hand them to the writer."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from extract.records import Entity, Mention, PaperRecord
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
        "raw_responses": raw_responses(),
    }
