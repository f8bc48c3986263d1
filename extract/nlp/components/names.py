"""`pg_names`: other proper names typed by their context.

- CamelCase or letter-digit names (FaceFormer, Wav2Lip) found anywhere: typed by a head noun after them
  ("the X dataset", '"X" Transformer model'), else METHOD;
- any name-shaped token (HDTF, NQ-Open) followed by a dataset / model head noun, listed after one
  ("benchmarks, including A (63.2), B and C") or reported with a score ("A (54.3)") -> that type / DATASET;
- a capitalised word before "module" / "framework" / "dataset" ("a Synapsis module");
- a gazetteer name glued to a further piece is a longer name of the same type (ARC-C, ViT-B).

Candidates are located with regular expressions over the text, so only a few tokens are visited.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp import spans
from extract.nlp.components.common import (
    CAMEL_TOKEN,
    NAME_TOKEN,
    add_candidate,
    surface_key,
    text_of,
    token_at,
)
from extract.nlp.gazetteer import stoplist
from extract.nlp.lexicon import head_type, words

LIST_GLUE = words("list_glue")
# "NeRF-Based", "CLIP-Guided": a known name with a modifier, not a longer name
MODIFIER_SUFFIXES = words("modifier_suffixes")
SIZE_WORDS = words("size_words")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")
NAME_IN_TEXT = re.compile(
    r"(?<![\w-])(?=[A-Za-z]*[A-Z])(?:[A-Za-z]*[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]+\d)[A-Za-z0-9.+]*"
)
# the capital is tested before the look-behinds: same matches, the look-behinds run far less often
NAMED_PART = re.compile(
    r"[A-Z](?<![\w.] [A-Z])(?<=[\w,] [A-Z])[a-z]+"
    r"(?= (?:module|modules|framework|architecture|dataset|benchmark|corpus)\b)"
)
LIST_OPENER = re.compile(  # the initials look-ahead only skips positions that cannot match
    r"(?=[dbcmL])\b(?:datasets?|benchmarks?|corpora|corpus|models|LLMs)\b"
    r"\s*,?\s*(?:\(|:|including|like|such as|namely)"
)


def _glued_end(doc: Doc, start: int) -> int:
    """Extend over hyphen-glued pieces: NQ-Open, ARC-C, Emu3-Gen."""
    end = start + 1
    while (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
    ):
        piece = doc[end + 1].text
        sized = piece in SIZE_WORDS  # T5-small, bert-base
        if not (piece[:1].isupper() or piece[:1].isdigit() or sized) or piece.lower() in MODIFIER_SUFFIXES:
            break
        end += 2
    return end


def _glued_start(doc: Doc, start: int) -> int:
    """Extend back over hyphen-glued pieces: "Audio-to-Motion" for "Motion"."""
    while (
        start >= 2
        and doc[start - 1].text == "-"
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
    ):
        start -= 2
    return start


def _next_head(doc: Doc, end: int) -> str | None:
    """Type of a head noun right after a name, over quotes and listed names ("X and Y datasets")."""
    for j in range(end, min(len(doc), end + 4)):
        text = doc[j].text
        found = head_type([text])
        if found:
            modifier = not doc[j].whitespace_ and j + 1 < len(doc) and doc[j + 1].text == "-"
            return "SKIP" if modifier else found
        if not (text in {",", "and", "or", '"', "'", "-"} or NAME_TOKEN.match(text)):
            return None
    return None


def _reports_score(doc: Doc, end: int) -> bool:
    return (
        end + 2 < len(doc)
        and doc[end].text == "("
        and bool(_NUMBER.match(doc[end + 1].text))
        and doc[end + 2].text == ")"
    )


def _listed_types(doc: Doc) -> dict[int, str]:
    """Token index -> type for names in a list opened by a head noun ("datasets such as A, B and C")."""
    listed: dict[int, str] = {}
    for match in LIST_OPENER.finditer(text_of(doc)):
        opener = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if opener is None:
            continue
        entity_type = "DATASET" if head_type([opener[0].text]) == "DATASET" else "MODEL"
        for token in doc[opener.end : opener.end + 40]:
            text = token.text
            if NAME_TOKEN.match(text) or token.is_title:
                listed[token.i] = entity_type
            elif not (text in LIST_GLUE or _NUMBER.match(text)):
                break
    return listed


def _extend_known_names(doc: Doc) -> None:
    for group in spans.LIST_GROUPS:
        for span in list(doc.spans.get(group, [])):
            end = _glued_end(doc, span.end - 1)
            if end > span.end:
                last = doc[end - 1]
                add_candidate(
                    doc,
                    spans.NAME,
                    span.start_char,
                    last.idx + len(last),
                    span.label_,
                    doc[span.start : end].text,
                )


COORDINATORS = frozenset([",", "and", "or", "&"])


def _listed_edges(doc: Doc) -> tuple[dict[int, str], dict[int, str]]:
    """Types of the listed names (curated and vocabulary) by their first token and by their end."""
    starts: dict[int, str] = {}
    ends: dict[int, str] = {}
    for group in spans.LIST_GROUPS:
        for span in doc.spans.get(group, ()):
            starts[span.start] = ends[span.end] = span.label_
    return starts, ends


def _coordinated_type(
    doc: Doc, start: int, end: int, edges: tuple[dict[int, str], dict[int, str]]
) -> str | None:
    """ "GPT2 and TinyLLAMA", "SQuAD, MLQA and XQuAD": a name listed beside a listed name shares its type."""
    starts, ends = edges
    left = start
    while left > 0 and start - left < 3 and doc[left - 1].text in COORDINATORS:
        left -= 1
    right = end
    while right < len(doc) and right - end < 3 and doc[right].text in COORDINATORS:
        right += 1
    found = {ends.get(left) if left < start else None, starts.get(right) if right > end else None} - {None}
    return found.pop() if len(found) == 1 else None


@Language.component("pg_names", assigns=["doc.spans"])
def names(doc: Doc) -> Doc:
    _extend_known_names(doc)
    covered: set[int] = set()
    for group in (*spans.CANDIDATE_GROUPS, spans.REJECTED):
        for span in doc.spans.get(group, ()):
            covered.update(range(span.start, span.end))
    stops = stoplist()
    listed = _listed_types(doc)
    edges = _listed_edges(doc)
    starts: list[tuple[int, bool]] = [(m.start(), False) for m in NAME_IN_TEXT.finditer(text_of(doc))]
    starts += [(m.start(), True) for m in NAMED_PART.finditer(text_of(doc))]
    done: set[int] = set()
    for char_start, named_part in sorted(starts):
        first = token_at(doc, char_start)  # the regexes start on a letter: never in trailing space
        if first in covered or first in done:
            continue
        i = first
        end = _glued_end(doc, i)
        if named_part:
            i = _glued_start(doc, i)
        done.update(range(i, end))
        surface = doc[i:end].text
        if surface_key(surface) in stops or any(j in covered for j in range(i, end)):
            continue
        following = _next_head(doc, end)
        if following == "SKIP":
            continue
        entity_type = following if following in {"DATASET", "MODEL"} else listed.get(first)
        if entity_type is None and _reports_score(doc, end):
            entity_type = "DATASET"
        if entity_type is None:
            entity_type = _coordinated_type(doc, i, end, edges)
        # lowercase-initial CamelCase is mostly units and modalities (dB, fMRI, sEEG): it needs a head noun
        first_text = doc[first].text
        camel = CAMEL_TOKEN.match(first_text) and first_text[:1].isupper()
        if entity_type is None and (camel or named_part):
            entity_type = following or "METHOD"
        if entity_type:
            add_candidate(
                doc, spans.NAME, doc[i].idx, doc[end - 1].idx + len(doc[end - 1]), entity_type, surface
            )
            edges[0][i] = edges[1][end] = entity_type  # "SQuAD, ZorbQA and PubMed": the list goes on
    return doc
