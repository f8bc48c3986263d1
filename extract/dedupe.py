"""Merge the records of one paper seen on several pages or sources into one record.

Identity: the arXiv id when known, else the normalised title; a title-only record is linked to an
arXiv record with the same normalised title. The index holds one merged record per paper, which is
the only whole-corpus structure the parse step keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from extract.clean import normalise_title
from extract.records import PaperRecord

Order = Literal["paper_id", "first_seen"]


class Deduper:
    """Incremental dedupe: `add` records one at a time, read `records()` at the end."""

    def __init__(self) -> None:
        self._by_id: dict[str, PaperRecord] = {}
        self._by_title: dict[str, str] = {}  # normalised title -> paper_id holding it
        self._first_seen: list[PaperRecord] = []  # the same objects, in the order papers appeared
        self.added = 0

    @property
    def duplicates(self) -> int:
        """How many added records were merged into another one."""
        return self.added - len(self._by_id)

    def add(self, record: PaperRecord) -> None:
        self.added += 1
        key = normalise_title(record.title)
        holder = self._by_id.get(record.paper_id)
        if holder is None:
            linked_id = self._by_title.get(key)
            linked = self._by_id.get(linked_id) if linked_id else None
            if linked is not None and (record.arxiv_id is None or linked.arxiv_id is None):
                holder = linked
        if holder is None:
            self._by_id[record.paper_id] = copied = _copy(record)
            self._first_seen.append(copied)
            self._by_title.setdefault(key, record.paper_id)
            return
        if holder.arxiv_id is None and record.arxiv_id is not None:
            # The title-only record joins the arXiv one and takes its id.
            del self._by_id[holder.paper_id]
            holder.paper_id, holder.arxiv_id = record.paper_id, record.arxiv_id
            self._by_id[holder.paper_id] = holder
            self._by_title[key] = holder.paper_id
        merge_into(holder, record)

    def records(self, order: Order = "paper_id") -> list[PaperRecord]:
        if order == "first_seen":
            return list(self._first_seen)
        return sorted(self._by_id.values(), key=lambda r: r.paper_id)


def dedupe(records: Iterable[PaperRecord], order: Order = "paper_id") -> list[PaperRecord]:
    """One record per paper, fields merged; sorted by paper_id (or in first-seen order)."""
    deduper = Deduper()
    for record in records:
        deduper.add(record)
    return deduper.records(order)


def merge_into(target: PaperRecord, other: PaperRecord) -> None:
    """Fill `target` from `other`: non-empty wins, longer abstract and author list, max upvotes."""
    target.title = target.title or other.title
    if len(other.abstract) > len(target.abstract):
        target.abstract = other.abstract
    if len(other.authors) > len(target.authors):
        target.authors = list(other.authors)
    target.author_count = max(target.author_count, other.author_count, len(target.authors))
    target.published_at = min(filter(None, (target.published_at, other.published_at)), default=None)
    target.upvotes = max(filter(lambda v: v is not None, (target.upvotes, other.upvotes)), default=None)
    target.github_repo = target.github_repo or other.github_repo
    target.project_page = target.project_page or other.project_page
    target.categories = target.categories or list(other.categories)
    target.fetched_at = max(filter(None, (target.fetched_at, other.fetched_at)), default=None)
    target.sources = list(dict.fromkeys([*target.sources, *other.sources]))
    target.s2_paper_id = target.s2_paper_id or other.s2_paper_id
    target.citation_count = max(
        filter(lambda v: v is not None, (target.citation_count, other.citation_count)), default=None
    )


def _copy(record: PaperRecord) -> PaperRecord:
    copied = PaperRecord(**record.to_dict())
    copied.sources = list(dict.fromkeys(record.sources or [record.source_url]))
    return copied
