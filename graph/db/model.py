"""The graph model: every label, key, relationship type and direction, named once.

The loader, the named queries, `graph_counts` and the docs diagram (`mermaid()`) all read these
names; a test checks that every label and relationship type written in a `.cypher` file is one
declared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from graph.schema import TABLES


class Label(StrEnum):
    PAPER = "Paper"
    AUTHOR = "Author"
    ENTITY = "Entity"  # every Model, Dataset and Method node also carries this label (one key space)
    MODEL = "Model"
    DATASET = "Dataset"
    METHOD = "Method"
    REPOSITORY = "Repository"
    SNAPSHOT = "Snapshot"
    HUB_REPO = "HubRepo"  # every HubModel, HubDataset and HubSpace node also carries this label
    HUB_MODEL = "HubModel"
    HUB_DATASET = "HubDataset"
    HUB_SPACE = "HubSpace"


class Rel(StrEnum):
    AUTHORED_BY = "AUTHORED_BY"
    MENTIONS = "MENTIONS"
    PROPOSES = "PROPOSES"
    REFERENCES = "REFERENCES"
    HAS_CODE = "HAS_CODE"
    LOADED_FROM = "LOADED_FROM"
    CITES = "CITES"


# Entity `type` column value -> the label added next to :Entity.
ENTITY_TYPE_LABELS: Final[dict[str, Label]] = {
    "MODEL": Label.MODEL,
    "DATASET": Label.DATASET,
    "METHOD": Label.METHOD,
}

# Hub repo `kind` column value -> the label added next to :HubRepo.
HUB_KIND_LABELS: Final[dict[str, Label]] = {
    "model": Label.HUB_MODEL,
    "dataset": Label.HUB_DATASET,
    "space": Label.HUB_SPACE,
}

# The uniqueness-constrained key of each node label that is MERGEd (see queries/constraints.cypher).
NODE_KEYS: Final[dict[Label, str]] = {
    Label.PAPER: "paper_id",
    Label.AUTHOR: "key",
    Label.ENTITY: "key",
    Label.REPOSITORY: "url",
    Label.SNAPSHOT: "load_id",
    Label.HUB_REPO: "key",
}

# Property that stamps nodes and relationships with the load that last wrote them.
LOAD_STAMP: Final[str] = "load_id"

# True on papers of a snapshot's `papers` table; false on the Paper nodes of cited works that were
# never ingested ("stubs", created from `citations` rows). A later ingest turns a stub into a paper.
INGESTED: Final[str] = "ingested"

# The properties a stub carries (from the citation row); those not in `papers` are removed on ingest.
STUB_PROPERTIES: Final[tuple[str, ...]] = (
    "paper_id",
    INGESTED,
    "arxiv_id",
    "s2_paper_id",
    "doi",
    "title",
    "year",
    LOAD_STAMP,
)

# Paper columns that become relationships rather than Paper properties.
PAPER_COLUMNS_AS_RELATIONSHIPS: Final[frozenset[str]] = frozenset({"authors", "github_repo"})


@dataclass(frozen=True)
class RelationshipSpec:
    type: Rel
    start: Label
    end: Label
    properties: tuple[str, ...]
    doc: str


RELATIONSHIPS: Final[tuple[RelationshipSpec, ...]] = (
    RelationshipSpec(
        Rel.AUTHORED_BY, Label.PAPER, Label.AUTHOR, ("position", LOAD_STAMP), "0-based author position"
    ),
    RelationshipSpec(
        Rel.MENTIONS,
        Label.PAPER,
        Label.ENTITY,
        ("count", "first_offset", "sentence", LOAD_STAMP),
        "the paper's title or abstract mentions the entity",
    ),
    RelationshipSpec(
        Rel.PROPOSES, Label.PAPER, Label.ENTITY, (LOAD_STAMP,), "the entity is the paper's own contribution"
    ),
    RelationshipSpec(
        Rel.REFERENCES,
        Label.PAPER,
        Label.PAPER,
        ("entity_key", LOAD_STAMP),
        "citing paper mentions an entity the cited paper proposes (one per entity)",
    ),
    RelationshipSpec(Rel.HAS_CODE, Label.PAPER, Label.REPOSITORY, (LOAD_STAMP,), "code repository"),
    RelationshipSpec(
        Rel.LOADED_FROM, Label.PAPER, Label.SNAPSHOT, (LOAD_STAMP,), "snapshot the paper was last loaded from"
    ),
    RelationshipSpec(
        Rel.CITES,
        Label.PAPER,
        Label.PAPER,
        ("source", LOAD_STAMP),
        "the citing paper's reference list holds the cited work (Semantic Scholar)",
    ),
    RelationshipSpec(
        Rel.CITES,
        Label.HUB_REPO,
        Label.PAPER,
        (LOAD_STAMP,),
        "the Hub repo's card cites the paper (arxiv:<id>)",
    ),
)

# Relationships owned by a paper: a re-loaded paper drops those not stamped by the current load.
PAPER_OWNED_RELS: Final[tuple[Rel, ...]] = (
    Rel.AUTHORED_BY,
    Rel.MENTIONS,
    Rel.PROPOSES,
    Rel.HAS_CODE,
    Rel.LOADED_FROM,
)

# Every `papers` column except those that become relationships is a Paper property.
PAPER_PROPERTIES: Final[tuple[str, ...]] = tuple(
    name for name in TABLES["papers"].schema.names if name not in PAPER_COLUMNS_AS_RELATIONSHIPS
)

HUB_REPO_PROPERTIES: Final[tuple[str, ...]] = (
    "key",
    "kind",
    "repo_id",
    "likes",
    "downloads",
    "pipeline_tag",
    "last_modified",
    LOAD_STAMP,
)

NODE_PROPERTIES: Final[dict[Label, tuple[str, ...]]] = {
    Label.PAPER: (*PAPER_PROPERTIES, INGESTED, LOAD_STAMP),
    Label.AUTHOR: ("key", "name"),
    Label.ENTITY: ("key", "type", "name", "aliases", LOAD_STAMP),
    Label.REPOSITORY: ("url",),
    Label.SNAPSHOT: ("load_id", "snapshot_date", "run_id", "schema_version", "rows_TABLE"),
    Label.HUB_REPO: HUB_REPO_PROPERTIES,
}


def entity_label(entity_type: str) -> Label:
    try:
        return ENTITY_TYPE_LABELS[entity_type]
    except KeyError as exc:
        raise ValueError(
            f"unknown entity type {entity_type!r} (expected one of {sorted(ENTITY_TYPE_LABELS)})"
        ) from exc


def hub_label(kind: str) -> Label:
    try:
        return HUB_KIND_LABELS[kind]
    except KeyError as exc:
        raise ValueError(
            f"unknown Hub repo kind {kind!r} (expected one of {sorted(HUB_KIND_LABELS)})"
        ) from exc


def author_key(name: str) -> str:
    """Authors are identified by their case-folded, whitespace-normalised name."""
    return " ".join(name.split()).casefold()


_GITHUB_SUFFIX = re.compile(r"(\.git)?/*$")


def repository_url(url: str) -> str:
    """Canonical repository URL: https, no trailing slash or `.git`, lower case (hosts and GitHub paths
    are case-insensitive)."""
    url = url.strip()
    url = re.sub(r"^(https?://)?(www\.)?", "https://", url, flags=re.IGNORECASE)
    return _GITHUB_SUFFIX.sub("", url).lower()


def load_id(snapshot_date: str, run_id: str) -> str:
    """Deterministic id of loading one snapshot: reloading it re-stamps with the same id."""
    return f"{snapshot_date}/{run_id}"


def mermaid() -> str:
    """The model as a Mermaid flowchart (embedded in docs/GRAPH.md; a test keeps them in sync)."""
    entity_labels = " / ".join(label.value for label in ENTITY_TYPE_LABELS.values())
    names = {label: label.value for label in Label}
    hub_labels = " / ".join(label.value for label in HUB_KIND_LABELS.values())
    names[Label.ENTITY] = f"{Label.ENTITY.value}: {entity_labels}"
    names[Label.HUB_REPO] = f"{Label.HUB_REPO.value}: {hub_labels}"
    lines = ["flowchart LR"]
    for label in (Label.PAPER, Label.AUTHOR, Label.ENTITY, Label.REPOSITORY, Label.SNAPSHOT, Label.HUB_REPO):
        props = ", ".join(NODE_PROPERTIES[label])
        if label is Label.PAPER:
            props += f"<br/><i>not ingested: {', '.join(STUB_PROPERTIES)}</i>"
        lines.append(f'    {label.value}["<b>{names[label]}</b><br/>{props}"]')
    for spec in RELATIONSHIPS:
        props = ", ".join(spec.properties)
        lines.append(f'    {spec.start.value} -- "{spec.type.value} {{{props}}}" --> {spec.end.value}')
    return "\n".join(lines)
