"""`paper-graph extract [PATH | -] [--format jsonl|table]`: entities of parsed papers (JSON lines)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from extract.records import Mention


class PaperLinesError(ValueError):
    """A line of the input is not a JSON object with a paper_id and a title."""


def read_paper_lines(stream: IO[str], origin: str) -> Iterator[dict[str, Any]]:
    """Parsed papers, one JSON object per line, as printed by `paper-graph parse`."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PaperLinesError(f"{origin}:{number}: invalid JSON: {exc}") from exc
        if not isinstance(row, dict) or not row.get("paper_id") or not isinstance(row.get("title"), str):
            raise PaperLinesError(f"{origin}:{number}: expected an object with 'paper_id' and 'title'")
        yield row


def paper_entities(paper: dict[str, Any], mentions: list[Mention]) -> dict[str, Any]:
    """One output row: the paper and its entities with canonical names, surfaces and offsets."""
    from extract.nlp.registry import EntityRegistry

    registry = EntityRegistry()
    registry.add(mentions)
    entities = []
    for entity in registry.entities():
        own = [m for m in mentions if m.entity_key == entity.entity_key]
        entities.append(
            {
                "entity_key": entity.entity_key,
                "type": entity.type,
                "name": entity.name,
                "surfaces": sorted({m.text for m in own}),
                "offsets": [[m.start, m.end] for m in own],
                "components": sorted({m.component for m in own}),
                "is_contribution": any(m.is_contribution for m in own),
            }
        )
    entities.sort(key=lambda e: min(o[0] for o in e["offsets"]))
    return {"paper_id": paper["paper_id"], "title": paper["title"], "entities": entities}


def _table(row: dict[str, Any]) -> str:
    lines = [f"{row['paper_id']}  {row['title']}"]
    for entity in row["entities"]:
        star = "*" if entity["is_contribution"] else " "
        offsets = " ".join(f"{s}-{e}" for s, e in entity["offsets"])
        surfaces = " | ".join(entity["surfaces"])
        lines.append(f"  {star}{entity['type']:<8} {entity['name']:<32} {surfaces}  [{offsets}]")
    if not row["entities"]:
        lines.append("   (no entities)")
    return "\n".join(lines)


@click.command()
@click.argument("path", default="-", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
)
@click.option("--batch-size", default=256, show_default=True, help="Documents per nlp.pipe batch.")
def extract(path: Path, output_format: str, batch_size: int) -> None:
    """Extract MODEL / DATASET / METHOD entities from parsed papers (JSON lines; '-' = stdin).

    '*' in the table marks the paper's own contribution.
    """
    from extract.nlp.pipeline import extract_papers

    origin = "<stdin>" if str(path) == "-" else str(path)
    try:
        stream = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{origin}: {exc.strerror}") from exc
    with stream:
        papers: dict[str, dict[str, Any]] = {}

        def remember() -> Iterator[dict[str, Any]]:
            for paper in read_paper_lines(stream, origin):
                papers[paper["paper_id"]] = paper
                yield paper

        try:
            for paper_id, mentions in extract_papers(remember(), batch_size=batch_size):
                row = paper_entities(papers.pop(paper_id), mentions)
                click.echo(json.dumps(row, ensure_ascii=False) if output_format == "jsonl" else _table(row))
        except PaperLinesError as exc:
            raise click.ClickException(str(exc)) from exc
