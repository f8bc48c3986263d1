"""`pg_resolver`, last in the pipeline: candidates from all span groups -> non-overlapping `doc.ents`.

Phases, each a function below:
1. `collect`: read every group of `spans.CANDIDATE_GROUPS` (stoplisted rule and vocabulary names out);
2. `apply_context`: a listed name's own context fixes its type (head noun, appositive); an ambiguous
   short form (Cora, ACE, GQA) is kept only with a cue or a definition in the paper;
3. `assign_authority`: a surface gets one type and key per paper, from the strongest source (order of
   `spans.CANDIDATE_GROUPS`); a definition ("grouped-query attention (GQA)") decides both its forms,
   over any list;
4. `choose`: overlaps keep the longest span (then the strongest source);
5. `propagate`: names found by rules are marked at their other occurrences in the text;
6. `set_entities`: `doc.ents`, with `._.pg_canonical`, `._.pg_component` and `._.pg_contribution`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp import doc_access, spans
from extract.nlp.components.common import (
    RULE_CACHE_KEYS,
    SENTENCE_STARTS_KEY,
    TEXT_CACHE_KEY,
    TOKEN_STARTS_KEY,
    candidate_key,
    occurrences,
    singular_form,
    span_bounds,
    surface_key,
    text_of,
    token_ends,
    token_starts,
)
from extract.nlp.components.context import coordinated, cue_type, dataset_cue
from extract.nlp.gazetteer import canonical_names, common_words, cue_surfaces, stoplist
from extract.nlp.lexicon import words

RANK = {group: rank for rank, group in enumerate(spans.CANDIDATE_GROUPS)}
LISTED = frozenset(spans.LIST_GROUPS)
STOPLISTED_GROUPS = frozenset((spans.ACRONYM, spans.SHAPE, spans.NAME, *spans.VOCAB_GROUPS))
VOCAB = frozenset(spans.VOCAB_GROUPS)
RULE_GROUPS = frozenset((spans.CONTRIBUTION, spans.ACRONYM, spans.NAME))
TYPES = frozenset(("MODEL", "DATASET", "METHOD"))
MODIFIER_SUFFIXES = words("modifier_suffixes")
# doc.user_data: what `doc_mentions` needs of each entity, with the entities' signature (see
# `resolved_entities`), so that it builds no span and needs neither the text nor `doc.sents`
RESOLVED_KEY = "pg_resolved"
CACHE_KEYS = (TEXT_CACHE_KEY, TOKEN_STARTS_KEY, *RULE_CACHE_KEYS)


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    start_char: int
    end_char: int
    group: str
    surface: str  # normalised singular surface
    type: str
    key: str
    surface_text: str  # as written
    cued: bool = False  # its own context named its type


@dataclass
class Candidates:
    items: list[Candidate] = field(default_factory=list)
    pairs: dict[str, list[Candidate]] = field(default_factory=dict)  # acronym pair key -> its two forms
    contribution_surfaces: set[str] = field(default_factory=set)
    rejected_surfaces: set[str] = field(default_factory=set)  # defined as a task or metric in the paper


@dataclass(slots=True)
class Choice:
    start: int
    end: int
    start_char: int
    end_char: int
    type: str
    key: str
    group: str


@functools.lru_cache(maxsize=65536)
def is_junk(surface: str) -> bool:
    """A rule's name that is an English word ("Diverse", "enhanced") or a modified name ("LLM-based",
    "AI-driven"): never an entity on its own."""
    if "-" in surface:
        return surface.rsplit("-", 1)[1].lower() in MODIFIER_SUFFIXES
    return surface.isalpha() and surface[1:].islower() and surface.lower() in common_words()


def collect(doc: Doc, text: str) -> Candidates:
    """The candidates of every group, read from `span_bounds` and the token offsets (no `Span` built)."""
    stops = stoplist()
    found = Candidates()
    groups = doc.spans.data  # `doc.spans` is a UserDict: its dict, without the Python-level lookups
    first_chars: Sequence[int] = ()
    last_chars: Sequence[int] = ()
    if any(groups.values()):
        first_chars, last_chars = token_starts(doc), token_ends(doc)
    if groups.get(spans.REJECTED):
        found.rejected_surfaces = {
            surface_key(text[first_chars[start] : last_chars[end - 1]])
            for start, end, _, _ in span_bounds(doc, spans.REJECTED)
        }
    rejected_surfaces = found.rejected_surfaces
    items, pairs, contribution_surfaces = found.items, found.pairs, found.contribution_surfaces
    for group in spans.CANDIDATE_GROUPS:
        if not groups.get(group):
            continue
        stoplisted, rule, vocab = group in STOPLISTED_GROUPS, group in RULE_GROUPS, group in VOCAB
        acronym, contribution = group == spans.ACRONYM, group == spans.CONTRIBUTION
        for start, end, entity_type, entity_key in span_bounds(doc, group):
            start_char, end_char = first_chars[start], last_chars[end - 1]
            written = text[start_char:end_char]
            surface = surface_key(written)
            if contribution:
                contribution_surfaces.add(surface)
            # an acronym's forms are its pair's even when filtered out below
            dropped = (
                (stoplisted and surface in stops)
                or (rule and is_junk(written))
                or (vocab and surface in rejected_surfaces)
            )
            if dropped and not acronym:
                continue
            candidate = Candidate(
                start, end, start_char, end_char, group, surface, entity_type, entity_key, written
            )
            if acronym:
                pairs.setdefault(entity_key, []).append(candidate)
            if not dropped:
                items.append(candidate)
    return found


def apply_context(doc: Doc, found: Candidates) -> None:
    """Retype listed names by their own context; drop ambiguous short forms that have no cue."""
    ambiguous = cue_surfaces()
    defined = {c.surface for pair in found.pairs.values() for c in pair}
    own = found.contribution_surfaces
    kept: list[Candidate] = []
    pending: list[Candidate] = []
    for candidate in found.items:
        group = candidate.group
        # the curated lists' types stand; only vocabulary names and ambiguous short forms read their context
        if group not in LISTED:
            kept.append(candidate)
            continue
        surface = candidate.surface
        gated = surface in ambiguous and surface not in defined and surface not in own
        if group not in VOCAB and not gated:
            kept.append(candidate)
            continue
        cue, appositive = cue_type(doc, candidate.start, candidate.end)
        candidate.cued = cue in TYPES
        if gated:
            # an ambiguous short form needs a cue confirming its listed type ("the Cora dataset", "GPT
            # models"); a method head ("X policy") is too often a longer name's or a compound's
            confirmed = (cue == candidate.type and (appositive or cue != "METHOD")) or (
                candidate.type == "DATASET"
                and cue is None
                and dataset_cue(doc, candidate.start, candidate.end)
            )
            if not confirmed:
                pending.append(candidate)
                continue
        elif cue in TYPES and cue != candidate.type and not candidate.surface_text.islower():
            # a lowercase term before a head noun is a modifier ("instruction-tuning datasets")
            candidate.type = cue
            candidate.key = candidate_key(cue, canonical_names().get(candidate.key, candidate.surface))
        kept.append(candidate)
    # "Cora, Citeseer and Pubmed": a cue-less short form listed next to an accepted name of its type;
    # a short form accepted once in the paper is accepted everywhere in it
    accepted = [c for c in kept if c.group in LISTED]
    accepted_surfaces = {c.surface for c in accepted}
    for candidate in sorted(pending, key=lambda c: c.start):
        if candidate.surface in accepted_surfaces or any(
            other.type == candidate.type
            and (coordinated(doc, other.end, candidate.start) or coordinated(doc, candidate.end, other.start))
            for other in accepted
        ):
            kept.append(candidate)
            accepted.append(candidate)
            accepted_surfaces.add(candidate.surface)
    found.items = kept


def assign_authority(found: Candidates) -> dict[str, tuple[str, str, str]]:
    """Normalised surface -> (type, key, group) of its strongest source."""
    authority: dict[str, tuple[str, str, str]] = {}
    for candidate in sorted(found.items, key=lambda c: (RANK[c.group], not c.cued)):
        authority.setdefault(candidate.surface, (candidate.type, candidate.key, candidate.group))
    for pair in found.pairs.values():
        surfaces = [c.surface for c in pair]
        known = [authority[s] for s in surfaces if s in authority]
        # one form is generic (stoplist): the pair's forms it alone proposed are dropped
        if len(known) < len(surfaces):
            continue
        definition = (pair[0].type, pair[0].key, spans.ACRONYM)
        # a list disagreeing with the paper's own definition gives way to it
        known = [definition if a[2] in LISTED and a[1] != definition[1] else a for a in known]
        best = min(known, key=lambda a: RANK[a[2]])
        for surface in surfaces:
            authority[surface] = best
    return authority


def choose(found: Candidates, authority: dict[str, tuple[str, str, str]]) -> tuple[list[Choice], set[int]]:
    chosen: list[Choice] = []
    taken: set[int] = set()
    for c in sorted(found.items, key=lambda c: (c.start - c.end, RANK[c.group], c.start)):
        if c.surface not in authority or not taken.isdisjoint(range(c.start, c.end)):
            continue
        entity_type, key, _ = authority[c.surface]
        chosen.append(Choice(c.start, c.end, c.start_char, c.end_char, entity_type, key, c.group))
        taken.update(range(c.start, c.end))
    return chosen, taken


def propagate(doc: Doc, text: str, chosen: list[Choice], taken: set[int]) -> None:
    """Names found by rules, at their other occurrences (listed names were matched everywhere already)."""
    rule_choices = [c for c in chosen if c.group not in LISTED]
    if not rule_choices:
        return
    starts = token_starts(doc)
    # an occurrence starting where an entity starts has its first token taken: skipped without
    # finding its tokens; a surface seen once is done (its occurrences are all taken or not tokens)
    chosen_starts = {c.start_char for c in chosen}
    done: set[str] = set()
    for choice in rule_choices:
        surface = text[choice.start_char : choice.end_char]
        if surface in done:
            continue
        done.add(surface)
        if text.find(surface, choice.start_char + 1) < 0 and text.find(surface) == choice.start_char:
            continue  # written once: only itself
        for start_char, end_char in occurrences(text, surface, plural=True):
            if start_char in chosen_starts:
                continue
            tokens = doc_access.token_range(doc, text, starts, start_char, end_char)
            if tokens is None or not taken.isdisjoint(range(*tokens)):
                continue
            chosen.append(Choice(*tokens, start_char, end_char, choice.type, choice.key, choice.group))
            chosen_starts.add(start_char)
            taken.update(range(*tokens))


def set_entities(doc: Doc, text: str, chosen: list[Choice], contribution_surfaces: set[str]) -> None:
    """`doc.ents` and their extension values; the rows `resolved_entities` hands to `doc_mentions`."""
    chosen.sort(key=lambda c: c.start)
    surfaces = [text[c.start_char : c.end_char] for c in chosen]
    keys = [surface_key(surface) for surface in surfaces]
    contribution_keys = {c.key for c, key in zip(chosen, keys, strict=True) if key in contribution_surfaces}
    canonical_by_key = canonical_forms(chosen, surfaces, keys)
    signature = doc_access.set_entities(doc, [(c.start, c.end, c.type, c.key) for c in chosen])
    # the values `span._.pg_canonical = ...` would store: extension values live in doc.user_data
    # (keys as `doc_access.span_extension_key` makes them)
    user_data = doc.user_data
    component_of = spans.COMPONENT_OF_GROUP
    for choice in chosen:
        start_char, end_char, key = choice.start_char, choice.end_char, choice.key
        user_data[("._.", "pg_canonical", start_char, end_char)] = canonical_by_key[key]
        user_data[("._.", "pg_component", start_char, end_char)] = component_of[choice.group]
        user_data[("._.", "pg_contribution", start_char, end_char)] = key in contribution_keys
    # pg_sentencizer's sentence starts: no later component moves a sentence boundary
    firsts = user_data.get(SENTENCE_STARTS_KEY)
    sentences = doc_access.sentence_texts(doc, text, token_starts(doc), [c.start for c in chosen], firsts)
    if sentences is None:
        user_data.pop(RESOLVED_KEY, None)
        return
    rows = [
        (c.start_char, c.end_char, c.type, c.key, surface, sentence)
        for c, surface, sentence in zip(chosen, surfaces, sentences, strict=True)
    ]
    user_data[RESOLVED_KEY] = (signature, rows)


def canonical_forms(chosen: list[Choice], surfaces: list[str], surface_keys: list[str]) -> dict[str, str]:
    """Entity key -> canonical name: the listed one, else the first singular surface (in `chosen`
    order) whose normalised form is the key's, else the key's first singular surface.

    `surface_keys` are the surfaces' `surface_key`s: `normalise_name(singular(surface))`."""
    listed = canonical_names()
    decided: dict[str, str] = {}
    first: dict[str, str] = {}
    for choice, surface, normal in zip(chosen, surfaces, surface_keys, strict=True):
        key = choice.key
        if key in decided:
            continue
        name = listed.get(key)
        if name:
            decided[key] = name
        elif normal == key.split(":", 1)[1]:
            decided[key] = singular_form(surface)
        elif key not in first:
            first[key] = singular_form(surface)
    for key, singular in first.items():
        decided.setdefault(key, singular)
    return decided


def resolved_entities(doc: Doc) -> list[tuple[int, int, str, str, str, str]] | None:
    """(start_char, end_char, type, key, text, sentence) of each of `doc.ents`, as the resolver left
    them; None when it did not, or when `doc.ents` changed since."""
    resolved = doc.user_data.get(RESOLVED_KEY)
    if resolved is None:
        return None
    signature, rows = resolved
    if signature != [(e.start, e.end, e.label, e.kb_id) for e in doc.ents]:
        return None
    return rows


@Language.component("pg_resolver", assigns=["doc.ents"], requires=["doc.spans"])
def resolver(doc: Doc) -> Doc:
    # surfaces are sliced from the cached text: `Span.text` rebuilds them token by token
    text = text_of(doc)
    found = collect(doc, text)
    apply_context(doc, found)
    authority = assign_authority(found)
    chosen, taken = choose(found, authority)
    propagate(doc, text, chosen, taken)
    set_entities(doc, text, chosen, found.contribution_surfaces)
    # the last component: the per-doc caches of the components go
    user_data = doc.user_data
    for key in CACHE_KEYS:
        user_data.pop(key, None)
    return doc
