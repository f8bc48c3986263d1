"""`pg_resolver`: candidates from all rule groups -> non-overlapping `doc.ents` with keys.

- a surface gets one type and key per paper, from the strongest source: gazetteer > contribution >
  acronym > shape > name; an acronym's long form and short form share that key;
- overlaps keep the longest span (then the strongest source);
- names found by rules are propagated to their other occurrences in the text;
- each entity gets `._.pg_canonical`, `._.pg_component` and `._.pg_contribution`.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.nlp.components.common import (
    COMPONENT_OF_GROUP,
    TEXT_CACHE_KEY,
    occurrences,
    surface_key,
    text_of,
)
from extract.nlp.gazetteer import canonical_names, stoplist
from extract.nlp.normalize import normalise_name, singular

PRIORITY = (
    "pg_gazetteer_cased",
    "pg_gazetteer_lower",
    "pg_contribution",
    "pg_acronym",
    "pg_shape",
    "pg_name",
)


@dataclass(slots=True)
class Choice:
    start: int
    end: int
    type: str
    key: str
    group: str


def _surface(span: Span) -> str:
    return surface_key(span.text)


@Language.component("pg_resolver", assigns=["doc.ents"], requires=["doc.spans"])
def resolver(doc: Doc) -> Doc:
    stops = stoplist()
    authority: dict[str, tuple[str, str, str]] = {}  # normalised surface -> (type, key, group)
    candidates: list[tuple[Span, str]] = []
    for group in PRIORITY:
        for span in doc.spans.get(group, []):
            surface = _surface(span)
            if group in ("pg_acronym", "pg_shape", "pg_name") and surface in stops:
                continue
            authority.setdefault(surface, (span.label_, span.kb_id_ or span.id_, group))
            candidates.append((span, group))
    # acronym pairs share a key: let a stronger source of either form decide for both
    by_pair: dict[str, list[str]] = {}
    for span in doc.spans.get("pg_acronym", []):
        by_pair.setdefault(span.kb_id_, []).append(_surface(span))
    for surfaces in by_pair.values():
        known = [authority[s] for s in surfaces if s in authority]
        if len(known) < len(
            surfaces
        ):  # one form is generic (stoplist): drop the pair's forms it alone proposed
            continue
        best = min(known, key=lambda a: PRIORITY.index(a[2]))
        for surface in surfaces:
            authority[surface] = best

    chosen: list[Choice] = []
    taken: set[int] = set()
    ordered = sorted(candidates, key=lambda c: (-(c[0].end - c[0].start), PRIORITY.index(c[1]), c[0].start))
    for span, group in ordered:
        if any(i in taken for i in range(span.start, span.end)):
            continue
        entity_type, key, _ = authority[_surface(span)]
        chosen.append(Choice(span.start, span.end, entity_type, key, group))
        taken.update(range(span.start, span.end))

    # propagate names found by rules to their other occurrences
    for choice in [c for c in chosen if c.group not in ("pg_gazetteer_cased", "pg_gazetteer_lower")]:
        surface_text = doc[choice.start : choice.end].text
        for start, end in occurrences(text_of(doc), surface_text, plural=True):
            span = doc.char_span(start, end)
            if span is None or any(i in taken for i in range(span.start, span.end)):
                continue
            chosen.append(Choice(span.start, span.end, choice.type, choice.key, choice.group))
            taken.update(range(span.start, span.end))

    contribution_surfaces = {_surface(s) for s in doc.spans.get("pg_contribution", [])}
    contribution_keys = {c.key for c in chosen if _surface(doc[c.start : c.end]) in contribution_surfaces}
    curated = canonical_names()
    component_of = {c.start: COMPONENT_OF_GROUP[c.group] for c in chosen}
    surfaces_by_key: dict[str, list[str]] = {}
    for choice in sorted(chosen, key=lambda c: c.start):
        surfaces_by_key.setdefault(choice.key, []).append(singular(doc[choice.start : choice.end].text))
    canonical_by_key = {
        key: curated.get(key)
        or next((s for s in surfaces if normalise_name(s) == key.split(":", 1)[1]), surfaces[0])
        for key, surfaces in surfaces_by_key.items()
    }
    ents = [
        Span(doc, c.start, c.end, label=c.type, kb_id=c.key) for c in sorted(chosen, key=lambda c: c.start)
    ]
    doc.ents = ents
    for span in ents:  # extension values live in doc.user_data, keyed by offsets: no need to re-read doc.ents
        span._.pg_canonical = canonical_by_key[span.kb_id_]
        span._.pg_component = component_of[span.start]
        span._.pg_contribution = span.kb_id_ in contribution_keys
    doc.user_data.pop(TEXT_CACHE_KEY, None)
    return doc
