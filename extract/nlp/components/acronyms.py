"""`pg_acronyms`: "Neural Radiance Fields (NeRF)" -> one entity for the long form and the acronym.

Long forms are found with the Schwartz-Hearst algorithm; the pair is typed by a gazetteer entry for
either form, else by the long form's head noun (tasks and metrics are left out).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp import spans
from extract.nlp.components.common import add_candidate, singular_form, surface_key, text_of
from extract.nlp.gazetteer import alias_index, cue_surfaces, stoplist
from extract.nlp.lexicon import head_type

ACRONYM_IN_PARENS = re.compile(r"\(\s*([A-Za-z0-9][A-Za-z0-9\-.]{0,14}[A-Za-z0-9])\s*\)")
MODEL_OR_METHOD = frozenset(("MODEL", "METHOD"))
_LONG_FORM_STOP = re.compile(r"[.;:()\[\]]|, ")
_TWO_CAPITALS = re.compile(r"[A-Z][^A-Z]*[A-Z]")


def schwartz_hearst_long_form(short: str, text_before: str) -> str | None:
    """The shortest suffix of `text_before` whose letters spell `short` (first letter at a word start)."""
    short_chars = [c.lower() for c in short if c.isalnum()]
    if len(short_chars) < 2:
        return None
    words = text_before.split()
    window = " ".join(words[-min(len(short_chars) + 5, len(short_chars) * 2) :])
    s_idx, l_idx = len(short_chars) - 1, len(window) - 1
    if window.isascii():  # the same scan with `rfind` over the lowered window (ASCII: same indices)
        lowered = window.lower()
        while s_idx >= 0:
            char = short_chars[s_idx]
            l_idx = lowered.rfind(char, 0, l_idx + 1)
            while s_idx == 0 and l_idx > 0 and window[l_idx - 1].isalnum():
                l_idx = lowered.rfind(char, 0, l_idx)
            if l_idx < 0:
                return None
            l_idx -= 1
            s_idx -= 1
    while s_idx >= 0:
        char = short_chars[s_idx]
        while l_idx >= 0 and (
            window[l_idx].lower() != char or (s_idx == 0 and l_idx > 0 and window[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s_idx -= 1
    start = window.rfind(" ", 0, l_idx + 1) + 1
    long_form = window[start:]
    if len(long_form.split()) < 2 and "-" not in long_form:
        return None
    return long_form


def pair_type(long_form: str, short: str) -> tuple[str, str] | None:
    """(type, canonical) for an acronym pair, or None when it is generic, a task or a metric.

    The definition decides over the lists: a listed long form gives its entity; a listed short form
    gives its entity unless the long form's head noun names another type ("grouped-query attention
    (GQA)" is not the GQA dataset).
    """
    stops = stoplist()
    short_key, long_key = surface_key(short), surface_key(long_form)
    index = alias_index()
    if long_key in index:
        entry = index[long_key]
        return entry.type, entry.name
    if short_key in stops or long_key in stops:
        return None
    words = singular_form(long_form).replace("-", " ").split()
    found = head_type(words)
    if found == "SKIP":
        return None
    if found is None:  # "Spiking Speech Commands": a long form ending in a listed name shares its type
        tails = (surface_key(" ".join(words[k:])) for k in range(1, len(words) - 1))
        found = next((index[tail].type for tail in tails if tail in index), None)
    if short_key in index:
        entry = index[short_key]
        # an ambiguous listed short form (PET, CAM) spelled out as something else is not the listed one
        ambiguous = short_key in cue_surfaces()
        agrees = found == entry.type or (found is not None and {found, entry.type} <= MODEL_OR_METHOD)
        if agrees or (found is None and not ambiguous):
            return entry.type, entry.name
    if found == "MODEL":
        found = (
            "METHOD"  # "Latent Diffusion Models (LDMs)": a model type; the paper's own model is typed later
        )
    if found is None:
        named = sum(1 for w in words if w[:1].isupper()) >= 2
        if not named:
            return None
        found = "METHOD"
    return found, singular_form(short)


def defines_non_entity(long_form: str) -> bool:
    """The long form is a task, metric or generic phrase (stoplist, or a task / metric head noun)."""
    if surface_key(long_form) in stoplist():
        return True
    return head_type(singular_form(long_form).replace("-", " ").split()) == "SKIP"


@Language.component("pg_acronyms", assigns=["doc.spans"])
def acronyms(doc: Doc) -> Doc:
    text = text_of(doc)
    for match in ACRONYM_IN_PARENS.finditer(text):
        short = match.group(1)
        if not _TWO_CAPITALS.search(short):  # fewer than 2 capitals (`short` is ASCII)
            continue
        sentence_start = max(text.rfind(". ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        before = _LONG_FORM_STOP.split(text[sentence_start : match.start()])[-1]
        long_form = schwartz_hearst_long_form(singular_form(short), before.rstrip())
        if long_form is None:
            continue
        typed = pair_type(long_form, short)
        if typed is None:
            if defines_non_entity(long_form):  # "human activity recognition (HAR)": HAR is a task here
                add_candidate(doc, spans.REJECTED, match.start(1), match.start(1) + len(short), "", short)
            continue
        entity_type, canonical = typed
        before_match = text[: match.start()]
        long_end = match.start() - (len(before_match) - len(before_match.rstrip()))
        long_start = long_end - len(long_form)
        if text[long_start:long_end] != long_form:
            continue
        # consecutive pair in the group: the resolver links the two surfaces
        add_candidate(doc, spans.ACRONYM, long_start, long_end, entity_type, canonical)
        add_candidate(doc, spans.ACRONYM, match.start(1), match.start(1) + len(short), entity_type, canonical)
    return doc
