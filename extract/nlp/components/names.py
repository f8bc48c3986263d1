"""`pg_names`: other proper names typed by their context.

- CamelCase or letter-digit names (FaceFormer, Wav2Lip) found anywhere: typed by a head noun after them
  ("the X dataset", '"X" Transformer model'), else METHOD;
- any name-shaped token (HDTF, NQ-Open) followed by a dataset / model head noun, listed after one
  ("benchmarks, including A (63.2), B and C") or reported with a score ("A (54.3)") -> that type / DATASET;
- a capitalised word before "module" / "framework" / "dataset" ("a Synapsis module");
- a gazetteer name glued to a further piece is a longer name of the same type (ARC-C, ViT-B).

Candidates are located with regular expressions over the text, so only a few tokens are visited, and
those through the text and the token offsets (`common.TokenText`), without building `Token` or `Span` objects.
"""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp import spans
from extract.nlp.components.common import (
    CAMEL_TOKEN,
    NAME_TOKEN,
    SpanBounds,
    TokenText,
    add_candidate,
    covered_tokens,
    head_of,
    span_bounds,
    surface_key,
)
from extract.nlp.gazetteer import stoplist
from extract.nlp.lexicon import words

LIST_GLUE = words("list_glue")
# "NeRF-Based", "CLIP-Guided": a known name with a modifier, not a longer name
MODIFIER_SUFFIXES = words("modifier_suffixes")
SIZE_WORDS = words("size_words")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")
# A name-shaped word: internal capital, 2+ capitals or letters then a digit, not glued to a word or "-"
# before it. `[a-z]*+[A-Z]` (possessive) is `[A-Za-z]*[A-Z]` without its backtracking.
_NAME_BODY = r"(?=[a-z]*+[A-Z])(?:[A-Za-z]*[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]+\d)[A-Za-z0-9.+]*"
NAME_IN_TEXT = re.compile(r"(?<![\w-])" + _NAME_BODY)
# The same matches, faster, found in one scan over the capitals (the regex engine looks for them in C).
# A name starting with a capital: the capital consumed first, the delimiter before it checked by a
# look-behind, the body read after that capital (a look-behind of two characters also passes at the
# text's start). The body's alternatives, `[A-Za-z]*[a-z][A-Z]|[A-Z]+|[A-Za-z]*\d`, are written without
# backtracking: the letters after the capital hold a lowercase-uppercase pair or start with a capital
# exactly when their lowercase start is followed by a capital; a digit after letters follows them all.
# Every match runs to the end of its name characters either way. A name starting lowercase ("iPhone",
# "fMRI"): its first capital, after a lowercase letter, is matched alone (no group 1), and the start
# of the lowercase run before it is checked with `NAME_IN_TEXT`.
_NAME_CAPITAL = re.compile(
    r"[A-Z](?:(?<![\w-][A-Z])((?:[a-z]*+[A-Z]|[A-Za-z]*+\d)[A-Za-z0-9.+]*+)|(?<=[a-z][A-Z]))"
)
_LOWERCASE = frozenset("abcdefghijklmnopqrstuvwxyz")
# "..., Synapsis module": a capitalised word after ", " before a head noun. (It was written with
# look-behinds, `[A-Z](?<![\w.] [A-Z])(?<=[\w,] [A-Z])`: together they ask for ", " before the capital;
# a literal ", " is found far faster. The name is group 1.)
NAMED_PART = re.compile(
    r", ([A-Z][a-z]+)(?= (?:module|modules|framework|architecture|dataset|benchmark|corpus)\b)"
)
# "\b" before the word as a look-behind after its first letter: the regex engine then scans for the
# initials in C (same matches as `(?=[dbcmL])\b(?:datasets?|...)`, ~1.5x faster)
LIST_OPENER = re.compile(
    r"(?:d(?<!\w.)atasets?|b(?<!\w.)enchmarks?|c(?<!\w.)orpora|c(?<!\w.)orpus|m(?<!\w.)odels|L(?<!\w.)LMs)\b"
    r"\s*,?\s*(?:\(|:|including|like|such as|namely)"
)
# every LIST_OPENER match starts with one of these
_LIST_OPENER_WORDS = ("dataset", "benchmark", "corp", "models", "LLMs")
COORDINATORS = frozenset([",", "and", "or", "&"])
_COVERING_GROUPS = (*spans.CANDIDATE_GROUPS, spans.REJECTED)


def name_starts(text: str) -> list[int]:
    """Start of every `NAME_IN_TEXT` match (the same as `[m.start() for m in NAME_IN_TEXT.finditer(text)]`).

    Both kinds of match are found (`_NAME_CAPITAL`), then kept in text order as `finditer` would: a
    place inside an earlier match is not a start. Every match ends at the end of its run of name
    characters, so a capital the scan consumed inside a capital-initial name needs no look."""
    found = []
    lowercase = _LOWERCASE
    for match in _NAME_CAPITAL.finditer(text):
        if match.group(1) is not None:
            found.append((match.start(), match.end()))
            continue
        start = match.start() - 1  # a lowercase letter: back to the first of its run
        while start and text[start - 1] in lowercase:
            start -= 1
        name = NAME_IN_TEXT.match(text, start)
        if name:
            found.append((start, name.end()))
    found.sort()
    starts = []
    end = 0
    for start, match_end in found:
        if start >= end:
            starts.append(start)
            end = match_end
    return starts


def list_openers(text: str) -> list[re.Match[str]]:
    """`list(LIST_OPENER.finditer(text))`, the places to try found with `str.find` (faster than the
    regex engine's scan for the words' initials): a match starts where one of `_LIST_OPENER_WORDS`
    does, and, as in `finditer`, the next one after its end."""
    places = []
    for word in _LIST_OPENER_WORDS:
        place = text.find(word)
        while place >= 0:
            places.append(place)
            place = text.find(word, place + 1)
    found = []
    end = 0
    for place in sorted(places):
        if place >= end:
            match = LIST_OPENER.match(text, place)
            if match:
                found.append(match)
                end = match.end()
    return found


def _glued_end(tokens: TokenText, start: int) -> int:
    """Extend over hyphen-glued pieces: NQ-Open, ARC-C, Emu3-Gen."""
    end = start + 1
    size = tokens.size
    while end + 1 < size and tokens.word(end) == "-" and tokens.glued(end - 1) and tokens.glued(end):
        piece = tokens.word(end + 1)
        sized = piece in SIZE_WORDS  # T5-small, bert-base
        if not (piece[:1].isupper() or piece[:1].isdigit() or sized) or piece.lower() in MODIFIER_SUFFIXES:
            break
        end += 2
    return end


def _glued_start(tokens: TokenText, start: int) -> int:
    """Extend back over hyphen-glued pieces: "Audio-to-Motion" for "Motion"."""
    while (
        start >= 2 and tokens.word(start - 1) == "-" and tokens.glued(start - 1) and tokens.glued(start - 2)
    ):
        start -= 2
    return start


def _next_head(tokens: TokenText, end: int) -> str | None:
    """Type of a head noun right after a name, over quotes and listed names ("X and Y datasets")."""
    size = tokens.size
    for j in range(end, min(size, end + 4)):
        text = tokens.word(j)
        found = head_of(text)
        if found:
            modifier = j + 1 < size and tokens.glued(j) and tokens.word(j + 1) == "-"
            return "SKIP" if modifier else found
        if not (text in {",", "and", "or", '"', "'", "-"} or NAME_TOKEN.match(text)):
            return None
    return None


def _reports_score(tokens: TokenText, end: int) -> bool:
    return (
        end + 2 < tokens.size
        and tokens.word(end) == "("
        and bool(_NUMBER.match(tokens.word(end + 1)))
        and tokens.word(end + 2) == ")"
    )


def _listed_types(tokens: TokenText) -> dict[int, str]:
    """Token index -> type for names in a list opened by a head noun ("datasets such as A, B and C")."""
    listed: dict[int, str] = {}
    starts = tokens.starts
    for match in list_openers(tokens.text):
        # both ends of the match are inside tokens: the tokens holding them (`char_span`, "expand")
        first = bisect.bisect_right(starts, match.start()) - 1
        end = bisect.bisect_right(starts, match.end() - 1)
        entity_type = "DATASET" if head_of(tokens.word(first)) == "DATASET" else "MODEL"
        for i in range(end, min(tokens.size, end + 40)):
            text = tokens.word(i)
            if NAME_TOKEN.match(text) or text.istitle():  # `Token.is_title` is the lexeme's `str.istitle()`
                listed[i] = entity_type
            elif not (text in LIST_GLUE or _NUMBER.match(text)):
                break
    return listed


def _extend_known_names(doc: Doc, tokens: TokenText, listed_spans: list[list[SpanBounds]]) -> None:
    for bounds in listed_spans:
        for start, span_end, label, _ in bounds:
            end = _glued_end(tokens, span_end - 1)
            if end > span_end:
                add_candidate(
                    doc,
                    spans.NAME,
                    tokens.starts[start],
                    tokens.ends[end - 1],
                    label,
                    tokens.surface(start, end),
                )


def _listed_edges(listed_spans: list[list[SpanBounds]]) -> tuple[dict[int, str], dict[int, str]]:
    """Types of the listed names (curated and vocabulary) by their first token and by their end."""
    starts: dict[int, str] = {}
    ends: dict[int, str] = {}
    for bounds in listed_spans:
        for start, end, label, _ in bounds:
            starts[start] = ends[end] = label
    return starts, ends


def _coordinated_type(
    tokens: TokenText, start: int, end: int, edges: tuple[dict[int, str], dict[int, str]]
) -> str | None:
    """ "GPT2 and TinyLLAMA", "SQuAD, MLQA and XQuAD": a name listed beside a listed name shares its type."""
    starts, ends = edges
    left = start
    while left > 0 and start - left < 3 and tokens.word(left - 1) in COORDINATORS:
        left -= 1
    right = end
    while right < tokens.size and right - end < 3 and tokens.word(right) in COORDINATORS:
        right += 1
    found = {ends.get(left) if left < start else None, starts.get(right) if right > end else None} - {None}
    return found.pop() if len(found) == 1 else None


@Language.component("pg_names", assigns=["doc.spans"])
def names(doc: Doc) -> Doc:
    tokens = TokenText(doc)
    # copies: the NAME group grows below, the listed groups do not
    listed_spans = [list(span_bounds(doc, group)) for group in spans.LIST_GROUPS]
    _extend_known_names(doc, tokens, listed_spans)
    text = tokens.text
    found: list[tuple[int, bool]] = [(start, False) for start in name_starts(text)]
    found += [(m.start(1), True) for m in NAMED_PART.finditer(text)]
    if found:
        _type_names(doc, tokens, sorted(found), listed_spans)
    # the rule components' caches stay for pg_span_classifier and pg_resolver, which drops them
    return doc


def _type_names(
    doc: Doc,
    tokens: TokenText,
    found: list[tuple[int, bool]],
    listed_spans: list[list[SpanBounds]],
) -> None:
    """Type and add the names starting at the `found` (char offset, named part) places."""
    covered = covered_tokens(doc, _COVERING_GROUPS)
    stops = stoplist()
    listed: dict[int, str] | None = None  # built on first use, like `edges`
    edges: tuple[dict[int, str], dict[int, str]] | None = None
    text, token_first, token_last = tokens.text, tokens.starts, tokens.ends
    done: set[int] = set()
    for char_start, named_part in found:
        # the regexes start on a letter: never in trailing space
        first = bisect.bisect_right(token_first, char_start) - 1
        if first in covered or first in done:
            continue
        i = first
        end = _glued_end(tokens, i)
        if named_part:
            i = _glued_start(tokens, i)
        done.update(range(i, end))
        surface = text[token_first[i] : token_last[end - 1]]
        if surface_key(surface) in stops or any(j in covered for j in range(i, end)):
            continue
        following = _next_head(tokens, end)
        if following == "SKIP":
            continue
        if following in {"DATASET", "MODEL"}:
            entity_type = following
        else:
            if listed is None:
                listed = _listed_types(tokens)
            entity_type = listed.get(first)
        if entity_type is None and _reports_score(tokens, end):
            entity_type = "DATASET"
        if edges is None:
            edges = _listed_edges(listed_spans)
        if entity_type is None:
            entity_type = _coordinated_type(tokens, i, end, edges)
        # lowercase-initial CamelCase is mostly units and modalities (dB, fMRI, sEEG): it needs a head noun
        first_text = tokens.word(first)
        camel = CAMEL_TOKEN.match(first_text) and first_text[:1].isupper()
        if entity_type is None and (camel or named_part):
            entity_type = following or "METHOD"
        if entity_type:
            add_candidate(doc, spans.NAME, token_first[i], token_last[end - 1], entity_type, surface)
            edges[0][i] = edges[1][end] = entity_type  # "SQuAD, ZorbQA and PubMed": the list goes on
