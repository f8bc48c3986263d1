"""The records that flow through the pipeline.

These dataclasses are the single definition of the row shapes produced by `extract`:
`graph.schema` derives the Parquet (pyarrow) schemas from them, so a field added here
reaches the snapshot, the loader and the docs without being retyped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

ENTITY_TYPES: tuple[str, ...] = ("MODEL", "DATASET", "METHOD")


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field carrying its documentation (rendered into the schema docs)."""
    return field(metadata={"doc": text}, **kwargs)


@dataclass(slots=True)
class PaperRecord:
    """One paper as parsed from a page, after cleaning; merged across sources by dedupe."""

    paper_id: str = doc(
        "arXiv id when known (no version suffix), else 'title:' + sha1 of the normalised title"
    )
    title: str = doc("Cleaned title")
    abstract: str = doc("Cleaned abstract; empty string when no source had one", default="")
    arxiv_id: str | None = doc("arXiv identifier without version, e.g. 2405.15738", default=None)
    authors: list[str] = doc("Author names in order", default_factory=list)
    author_count: int = doc("Number of authors (a page may give the count without names)", default=0)
    published_at: date | None = doc("Publication date (UTC day)", default=None)
    upvotes: int | None = doc("Hugging Face upvotes when known", default=None)
    github_repo: str | None = doc("Code repository URL", default=None)
    project_page: str | None = doc("Project page URL", default=None)
    categories: list[str] = doc("arXiv categories, primary first", default_factory=list)
    source: str = doc("Source adapter that produced the record (first one, after merging)", default="")
    source_url: str = doc("URL or file the record was parsed from", default="")
    fetched_at: datetime | None = doc("When the raw response was fetched (UTC)", default=None)
    sources: list[str] = doc("Every source_url merged into this record (provenance)", default_factory=list)
    s2_paper_id: str | None = doc("Semantic Scholar paperId when enrichment found the paper", default=None)
    citation_count: int | None = doc(
        "Citations counted by Semantic Scholar (all of S2, not the graph)", default=None
    )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True, frozen=True)
class Entity:
    """A canonical entity: the same key across runs and papers."""

    entity_key: str = doc("Stable key: '<type>:<normalised canonical name>', e.g. 'method:nerf'")
    type: str = doc("MODEL, DATASET or METHOD")
    name: str = doc("Canonical name")
    aliases: list[str] = doc("Known surface forms", default_factory=list)


@dataclass(slots=True, frozen=True)
class Mention:
    """One occurrence of an entity in a paper's text (see `paper_text`)."""

    paper_id: str = doc("Paper the mention is in")
    entity_key: str = doc("Entity mentioned")
    type: str = doc("MODEL, DATASET or METHOD")
    text: str = doc("Surface text as written")
    start: int = doc("Character offset in paper_text(title, abstract), inclusive")
    end: int = doc("Character offset in paper_text(title, abstract), exclusive")
    sentence: str = doc("The sentence the mention is in")
    component: str = doc("Pipeline component that found it (e.g. gazetteer, contribution, acronym, ner)")
    is_contribution: bool = doc(
        "True when the paper presents the entity as its own contribution", default=False
    )


@dataclass(slots=True, frozen=True)
class Citation:
    """One reference of an ingested paper to another work, as Semantic Scholar lists it."""

    citing_paper_id: str = doc("Ingested paper that cites")
    cited_paper_id: str = doc(
        "Paper key of the cited work: its arXiv id when known, else 's2:' + S2 paperId, else 'title:' + sha1"
    )
    cited_arxiv_id: str | None = doc("arXiv id of the cited work", default=None)
    cited_s2_id: str | None = doc("Semantic Scholar paperId of the cited work", default=None)
    cited_doi: str | None = doc("DOI of the cited work", default=None)
    cited_title: str | None = doc("Title of the cited work", default=None)
    cited_year: int | None = doc("Publication year of the cited work", default=None)
    source: str = doc("Where the citation came from, e.g. 's2'", default="s2")


@dataclass(slots=True, frozen=True)
class HubRepo:
    """A Hugging Face Hub repository (model, dataset or Space) that cites at least one ingested paper."""

    hub_key: str = doc("Stable key: '<kind>:<repo_id>', e.g. 'model:stabilityai/stable-diffusion-2-1'")
    kind: str = doc("model, dataset or space")
    repo_id: str = doc("Repository id on the Hub: 'owner/name'")
    likes: int | None = doc("Likes on the Hub", default=None)
    downloads: int | None = doc("Downloads (the Hub's recent-downloads figure)", default=None)
    pipeline_tag: str | None = doc("Pipeline tag (models), e.g. text-to-image", default=None)
    last_modified: datetime | None = doc("Last modification on the Hub (UTC)", default=None)


@dataclass(slots=True, frozen=True)
class PaperHubLink:
    """A Hub repository citing an ingested paper (its `arxiv:<id>` tag)."""

    paper_id: str = doc("Ingested paper cited by the repository")
    hub_key: str = doc("Hub repository (see hub_repos)")


TITLE_ABSTRACT_SEPARATOR = "\n\n"


def paper_text(title: str, abstract: str) -> str:
    """The text entity offsets refer to: title, a blank line, abstract."""
    return f"{title}{TITLE_ABSTRACT_SEPARATOR}{abstract}" if abstract else title
