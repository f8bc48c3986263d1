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
    TOKEN_STARTS_KEY,
    occurrences,
    singular_form,
    surface_key,
    text_of,
    token_range,
)
from extract.nlp.gazetteer import canonical_names, stoplist
from extract.nlp.normalize import normalise_name

PRIORITY = (
    "pg_gazetteer_cased",
    "pg_gazetteer_lower",
    "pg_contribution",
    "pg_acronym",
    "pg_shape",
    "pg_name",
)


RANK = {group: rank for rank, group in enumerate(PRIORITY)}
GAZETTEER = frozenset(("pg_gazetteer_cased", "pg_gazetteer_lower"))
STOPLISTED_GROUPS = frozenset(("pg_acronym", "pg_shape", "pg_name"))


@dataclass(slots=True)
class Choice:
    start: int
    end: int
    start_char: int
    end_char: int
    type: str
    key: str
    group: str


@Language.component("pg_resolver", assigns=["doc.ents"], requires=["doc.spans"])
def resolver(doc: Doc) -> Doc:
    # surfaces are sliced from the cached text: `Span.text` rebuilds them token by token
    text = text_of(doc)
    stops = stoplist()
    authority: dict[str, tuple[str, str, str]] = {}  # normalised surface -> (type, key, group)
    # (start, end, start_char, end_char, group, surface) in priority order
    candidates: list[tuple[int, int, int, int, str, str]] = []
    by_pair: dict[str, list[str]] = {}  # acronym pair key -> normalised surfaces of its forms
    contribution_surfaces: set[str] = set()
    for group in PRIORITY:
        spans = doc.spans.get(group)
        if not spans:
            continue
        for span in spans:
            start_char, end_char = span.start_char, span.end_char
            surface = surface_key(text[start_char:end_char])
            if group == "pg_acronym":
                by_pair.setdefault(span.kb_id_, []).append(surface)
            elif group == "pg_contribution":
                contribution_surfaces.add(surface)
            if group in STOPLISTED_GROUPS and surface in stops:
                continue
            authority.setdefault(surface, (span.label_, span.kb_id_ or span.id_, group))
            candidates.append((span.start, span.end, start_char, end_char, group, surface))
    # acronym pairs share a key: let a stronger source of either form decide for both
    for surfaces in by_pair.values():
        known = [authority[s] for s in surfaces if s in authority]
        # one form is generic (stoplist): drop the pair's forms it alone proposed
        if len(known) < len(surfaces):
            continue
        best = min(known, key=lambda a: RANK[a[2]])
        for surface in surfaces:
            authority[surface] = best

    chosen: list[Choice] = []
    taken: set[int] = set()
    ordered = sorted(candidates, key=lambda c: (c[0] - c[1], RANK[c[4]], c[0]))
    for start, end, start_char, end_char, group, surface in ordered:
        if any(i in taken for i in range(start, end)):
            continue
        entity_type, key, _ = authority[surface]
        chosen.append(Choice(start, end, start_char, end_char, entity_type, key, group))
        taken.update(range(start, end))

    # propagate names found by rules to their other occurrences
    for choice in [c for c in chosen if c.group not in GAZETTEER]:
        for start_char, end_char in occurrences(text, text[choice.start_char : choice.end_char], plural=True):
            tokens = token_range(doc, start_char, end_char)
            if tokens is None or any(i in taken for i in range(*tokens)):
                continue
            chosen.append(Choice(*tokens, start_char, end_char, choice.type, choice.key, choice.group))
            taken.update(range(*tokens))

    chosen.sort(key=lambda c: c.start)
    surfaces = [text[c.start_char : c.end_char] for c in chosen]
    contribution_keys = {
        c.key
        for c, surface in zip(chosen, surfaces, strict=True)
        if surface_key(surface) in contribution_surfaces
    }
    curated = canonical_names()
    surfaces_by_key: dict[str, list[str]] = {}
    for choice, surface in zip(chosen, surfaces, strict=True):
        surfaces_by_key.setdefault(choice.key, []).append(singular_form(surface))
    canonical_by_key = {
        key: curated.get(key)
        or next((s for s in singulars if normalise_name(s) == key.split(":", 1)[1]), singulars[0])
        for key, singulars in surfaces_by_key.items()
    }
    ents = [Span(doc, c.start, c.end, label=c.type, kb_id=c.key) for c in chosen]
    doc.ents = ents
    for span, choice in zip(
        ents, chosen, strict=True
    ):  # extension values live in doc.user_data, keyed by offsets
        extensions = span._
        extensions.pg_canonical = canonical_by_key[choice.key]
        extensions.pg_component = COMPONENT_OF_GROUP[choice.group]
        extensions.pg_contribution = choice.key in contribution_keys
    doc.user_data.pop(TEXT_CACHE_KEY, None)
    doc.user_data.pop(TOKEN_STARTS_KEY, None)
    return doc
