"""Semantic Scholar Academic Graph API bodies (`/graph/v1/paper/...`): batch arrays, papers, reference pages.

Shapes (as recorded, see ../shared/fixtures_enrich/README.md):
- `POST /paper/batch`: a JSON array in request order; an unknown id is `null` in its slot;
- a paper: `{paperId, externalIds {ArXiv, DOI, ...}, title, year, citationCount, referenceCount,
  references: [{paperId, externalIds, title, year}]}` (nested fields only when asked for);
- `GET /paper/{id}/references`: `{offset, next?, data: [{citedPaper: {...}}]}`, no `next` on the last page;
- `GET /paper/search/match?query=`: `{"data": [{paperId, title, matchScore, ...}]}`, 404 if none is close;
- an error: `{"error": "..."}` (404 unknown paper, 400 bad field).
A cited paper S2 could not resolve has `paperId: null`. Unknown keys are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from extract.arxiv_ids import normalise_arxiv_id
from extract.errors import ParseError
from extract.parsers.common import optional_int, optional_str


@dataclass(frozen=True, slots=True)
class S2Work:
    """A paper as S2 describes it (a batch slot, or a cited paper)."""

    s2_id: str | None
    arxiv_id: str | None
    doi: str | None
    title: str | None
    year: int | None


@dataclass(frozen=True, slots=True)
class S2Paper:
    """A batch slot: the paper, its counts and (when asked for) its references."""

    work: S2Work
    citation_count: int | None
    reference_count: int | None
    references: list[S2Work] | None = field(default=None)  # None when the body had no `references`


def load_s2_json(body: bytes, origin: str) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ParseError(origin, f"Semantic Scholar body is not UTF-8: {exc}") from exc
    except ValueError as exc:
        raise ParseError(origin, f"invalid JSON (truncated?): {exc}") from exc


def s2_error_message(body: bytes) -> str | None:
    """The `error` message of an S2 error body, None when the body is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return optional_str(data.get("error")) if isinstance(data, dict) else None


def work_from_object(value: Any, origin: str, where: str) -> S2Work:
    if not isinstance(value, dict):
        raise ParseError(origin, f"{where} is a {type(value).__name__}, expected an object")
    ids = value.get("externalIds")
    ids = ids if isinstance(ids, dict) else {}
    return S2Work(
        s2_id=optional_str(value.get("paperId")),
        arxiv_id=normalise_arxiv_id(ids.get("ArXiv")),
        doi=optional_str(ids.get("DOI")),
        title=optional_str(value.get("title")),
        year=optional_int(value.get("year")),
    )


def paper_from_object(value: Any, origin: str, where: str = "paper") -> S2Paper:
    work = work_from_object(value, origin, where)
    references = value.get("references")
    refs: list[S2Work] | None = None
    if isinstance(references, list):
        refs = [
            work_from_object(ref, origin, f"{where}.references[{i}]")
            for i, ref in enumerate(references)
            if ref is not None
        ]
    elif references is not None:
        raise ParseError(origin, f"{where}.references is a {type(references).__name__}, expected a list")
    return S2Paper(
        work=work,
        citation_count=optional_int(value.get("citationCount")),
        reference_count=optional_int(value.get("referenceCount")),
        references=refs,
    )


def parse_batch(body: bytes, origin: str) -> list[S2Paper | None]:
    """The slots of a `/paper/batch` answer, in request order (None = unknown id)."""
    data = load_s2_json(body, origin)
    if isinstance(data, dict) and "error" in data:
        raise ParseError(origin, f"Semantic Scholar error: {data['error']}")
    if not isinstance(data, list):
        raise ParseError(origin, f"batch answer is a {type(data).__name__}, expected a JSON array")
    return [
        None if slot is None else paper_from_object(slot, origin, f"slot {i}") for i, slot in enumerate(data)
    ]


@dataclass(frozen=True, slots=True)
class ReferencePage:
    offset: int
    next: int | None
    references: list[S2Work]


def parse_reference_page(body: bytes, origin: str) -> ReferencePage:
    """One page of `/paper/{id}/references` (`data[].citedPaper`); `next` is None on the last page."""
    data = load_s2_json(body, origin)
    if not isinstance(data, dict):
        raise ParseError(origin, f"references page is a {type(data).__name__}, expected an object")
    items = data.get("data", [])
    if not isinstance(items, list):
        raise ParseError(origin, "references page `data` is not a list")
    refs = []
    for i, item in enumerate(items):
        cited = item.get("citedPaper") if isinstance(item, dict) else None
        if cited is not None:
            refs.append(work_from_object(cited, origin, f"data[{i}].citedPaper"))
    return ReferencePage(
        offset=optional_int(data.get("offset")) or 0, next=optional_int(data.get("next")), references=refs
    )


def parse_match(body: bytes, origin: str) -> list[S2Work]:
    """`GET /paper/search/match`: `{"data": [{paperId, title, matchScore, ...}]}` (the one closest title)."""
    data = load_s2_json(body, origin)
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ParseError(origin, "title match answer has no `data` list")
    return [work_from_object(item, origin, f"data[{i}]") for i, item in enumerate(items)]
