"""Every table of a snapshot, defined once.

The Parquet writer, the reader, the Neo4j loader and the generated docs all use `TABLES`.
Tables whose rows are produced by `extract` derive their schema from the record dataclasses
in `extract.records`; derived tables are declared here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import pyarrow as pa

from extract.records import INT_BITS, Citation, Entity, HubRepo, Mention, PaperHubLink, PaperRecord

SCHEMA_VERSION: Final[str] = "1.0"

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.type_for_alias(f"int{INT_BITS}"),  # the range parsing checks against (extract.records)
    bool: pa.bool_(),
    float: pa.float64(),
    date: pa.date32(),
    datetime: pa.timestamp("us", tz="UTC"),
}


def _arrow_type(hint: object) -> tuple[pa.DataType, bool]:
    """Map a Python type hint to (arrow type, nullable)."""
    nullable = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(hint))
        (hint,) = args
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return pa.list_(_SCALARS[item]), nullable
    return _SCALARS[hint], nullable  # type: ignore[index]


def schema_from_dataclass(cls: type) -> pa.Schema:
    """Arrow schema with one field per dataclass field, its doc kept as field metadata."""
    hints = typing.get_type_hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        arrow_type, nullable = _arrow_type(hints[f.name])
        fields.append(
            pa.field(f.name, arrow_type, nullable=nullable, metadata={"doc": f.metadata.get("doc", "")})
        )
    return pa.schema(fields, metadata={"doc": (cls.__doc__ or "").strip()})


def _field(name: str, arrow_type: pa.DataType, doc: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, arrow_type, nullable=nullable, metadata={"doc": doc})


SCHEMA_PAPERS: Final = schema_from_dataclass(PaperRecord)
SCHEMA_ENTITIES: Final = schema_from_dataclass(Entity)
SCHEMA_MENTIONS: Final = schema_from_dataclass(Mention)
SCHEMA_CITATIONS: Final = schema_from_dataclass(Citation)
SCHEMA_HUB_REPOS: Final = schema_from_dataclass(HubRepo)
SCHEMA_PAPER_HUB_LINKS: Final = schema_from_dataclass(PaperHubLink)

SCHEMA_AUTHORS: Final = pa.schema(
    [
        _field("paper_id", pa.string(), "Paper"),
        _field("position", pa.int32(), "0-based position in the author list"),
        _field("name", pa.string(), "Author name as written"),
    ],
    metadata={"doc": "One row per (paper, author position)."},
)

SCHEMA_PAPER_ENTITIES: Final = pa.schema(
    [
        _field("paper_id", pa.string(), "Paper"),
        _field("entity_key", pa.string(), "Entity"),
        _field("type", pa.string(), "MODEL, DATASET or METHOD"),
        _field("mention_count", pa.int32(), "Mentions of the entity in the paper"),
        _field("first_offset", pa.int32(), "Start offset of the first mention"),
        _field("sentence", pa.string(), "Sentence of the first mention"),
        _field("proposed", pa.bool_(), "The paper presents the entity as its own contribution"),
    ],
    metadata={"doc": "Mentions aggregated per (paper, entity)."},
)

SCHEMA_REFERENCES: Final = pa.schema(
    [
        _field("citing_paper_id", pa.string(), "Paper that mentions the entity"),
        _field("cited_paper_id", pa.string(), "Paper that proposes the entity"),
        _field("entity_key", pa.string(), "Entity the reference goes through"),
    ],
    metadata={"doc": "Citation-style links: a paper mentions an entity another paper proposes."},
)

SCHEMA_CO_MENTIONS: Final = pa.schema(
    [
        _field("entity_key_a", pa.string(), "Entity (the smaller key of the pair)"),
        _field("entity_key_b", pa.string(), "Entity (the larger key of the pair)"),
        _field("paper_count", pa.int32(), "Papers mentioning both"),
    ],
    metadata={"doc": "Entity pairs mentioned in the same paper."},
)

SCHEMA_RAW_RESPONSES: Final = pa.schema(
    [
        _field(
            "source", pa.string(), "Source adapter name, or the enrichment service (arxiv_title, s2, hf_hub)"
        ),
        _field("url", pa.string(), "Requested URL or saved file path"),
        _field("status", pa.int32(), "HTTP status (200 for saved files)"),
        _field("fetched_at", pa.timestamp("us", tz="UTC"), "When it was fetched", nullable=True),
        _field("sha256", pa.string(), "sha256 of the body as archived"),
        _field("path", pa.string(), "Archive path of the body"),
        _field("content_type", pa.string(), "Content-Type header", nullable=True),
        _field("size", pa.int64(), "Body size in bytes"),
    ],
    metadata={
        "doc": "Index of the raw responses a snapshot was built from: the fetched pages and the"
        " enrichment answers of its date."
    },
)


@dataclass(frozen=True)
class Table:
    name: str
    schema: pa.Schema
    sort_keys: tuple[str, ...]


TABLES: Final[dict[str, Table]] = {
    t.name: t
    for t in (
        Table("papers", SCHEMA_PAPERS, ("paper_id",)),
        Table("authors", SCHEMA_AUTHORS, ("paper_id", "position")),
        Table("entities", SCHEMA_ENTITIES, ("entity_key",)),
        Table("mentions", SCHEMA_MENTIONS, ("paper_id", "start", "end", "entity_key")),
        Table("paper_entities", SCHEMA_PAPER_ENTITIES, ("paper_id", "entity_key")),
        Table("references", SCHEMA_REFERENCES, ("citing_paper_id", "cited_paper_id", "entity_key")),
        Table("co_mentions", SCHEMA_CO_MENTIONS, ("entity_key_a", "entity_key_b")),
        Table("citations", SCHEMA_CITATIONS, ("citing_paper_id", "cited_paper_id")),
        Table("hub_repos", SCHEMA_HUB_REPOS, ("hub_key",)),
        Table("paper_hub_links", SCHEMA_PAPER_HUB_LINKS, ("paper_id", "hub_key")),
        Table("raw_responses", SCHEMA_RAW_RESPONSES, ("source", "url", "sha256")),
    )
}
