"""Context cues that decide a listed name's type, and whether an ambiguous short form is a name at all.

- a head noun right after the name ("the Cora dataset", "our X framework") or an appositive
  ("X, a dataset of ...") names its type;
- a list opened by a head noun ("datasets such as A, B and C"), a reported score ("A (54.3)") or
  "on A" make it a DATASET;
- a name coordinated with an accepted name of the same type ("Cora, Citeseer and Pubmed") shares its cue.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from extract.nlp.components.common import first_head, head_of
from extract.nlp.lexicon import words

LIST_GLUE = words("list_glue")
APPOSITIVE_OPENERS = frozenset(["a", "an", "the", "our", "which", "is"])
APPOSITIVE_STOPS = ("that", "which", "to", ".", ";", "with", "for")
NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")
DATASET_PREPOSITIONS = frozenset(["on"])


def head_after(doc: Doc, end: int) -> str | None:
    """Type of a head noun right after a span ("X model"); None when it is a modifier ("X-model-based")."""
    if end >= len(doc):
        return None
    token = doc[end]
    if token.text[:1].isupper():  # "Diffusion Policy": the head is part of a longer name
        return None
    found = head_of(token.text)
    if found and not (not token.whitespace_ and end + 1 < len(doc) and doc[end + 1].text == "-"):
        return found
    return None


def appositive_type(doc: Doc, end: int) -> str | None:
    """ "X, a dataset of ...", "X (a model ...)": the first head noun of the appositive."""
    if (
        end + 1 >= len(doc)
        or doc[end].text not in {",", "("}
        or doc[end + 1].lower_ not in APPOSITIVE_OPENERS
    ):
        return None
    tokens = [t.text for t in doc[end + 1 : min(len(doc), end + 9)]]
    for stop in APPOSITIVE_STOPS:
        if stop in tokens[1:]:
            tokens = tokens[: tokens.index(stop, 1)]
    return first_head(tokens)


def cue_type(doc: Doc, start: int, end: int) -> tuple[str | None, bool]:
    """The type the span's own context names (MODEL / DATASET / METHOD / SKIP), from a head noun right
    after it or an appositive, and whether it came from an appositive; (None, False) without one."""
    appositive = appositive_type(doc, end)
    if appositive:
        return appositive, True
    return head_after(doc, end), False


def dataset_cue(doc: Doc, start: int, end: int) -> bool:
    """Weaker evidence of a dataset, enough to keep a listed dataset: a reported score ("A (54.3)") or
    "on A"."""
    if (
        end + 2 < len(doc)
        and doc[end].text == "("
        and NUMBER.match(doc[end + 1].text)
        and doc[end + 2].text == ")"
    ):
        return True
    return start > 0 and doc[start - 1].lower_ in DATASET_PREPOSITIONS


def coordinated(doc: Doc, left_end: int, right_start: int) -> bool:
    """Only list glue (", and or") between two spans, at most 3 tokens of it."""
    if not 0 < right_start - left_end <= 3:
        return False
    return all(doc[i].text in LIST_GLUE for i in range(left_end, right_start))
