"""Shared by the rule components: name shapes, cached offsets and `add_candidate`."""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Iterator, Sequence

import numpy
from spacy.attrs import IDX, SENT_START, SPACY
from spacy.tokens import Doc, Span, SpanGroup

from extract.nlp.lexicon import DATASET_HEADS, METHOD_HEADS, MODEL_HEADS, SKIP_HEADS
from extract.nlp.normalize import entity_key, normalise_name, singular

for _name, _default in (("pg_component", ""), ("pg_canonical", ""), ("pg_contribution", False)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)

# A token that looks like a proper name: internal capital (FaceTalk, NeRF), 2+ capitals (MAPS),
# or letters mixed with digits (Wav2Lip, Emu3).
NAME_TOKEN = re.compile(
    r"^(?=[A-Za-z])(?=.*[A-Z])(?:[A-Za-z]*[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]+\d)[A-Za-z0-9.+]*$"
)
CAMEL_TOKEN = re.compile(
    r"^(?:[A-Z][a-z0-9]+[A-Z]|[a-z]+[A-Z]|[A-Z]+[a-z]+\d|[A-Za-z]+\d+[A-Za-z]|[A-Z]{2,}[a-z]{3,})[A-Za-z0-9.+]*$"
)

# lowercased head noun -> the type `lexicon.head_type` gives it (its order: SKIP, DATASET, MODEL, METHOD)
HEAD_TYPES: dict[str, str] = {}
for _type, _heads in (
    ("METHOD", METHOD_HEADS),
    ("MODEL", MODEL_HEADS),
    ("DATASET", DATASET_HEADS),
    ("SKIP", SKIP_HEADS),
):
    HEAD_TYPES.update(dict.fromkeys(_heads, _type))


def head_of(word: str) -> str | None:
    """`lexicon.head_type([word])` as one dict lookup."""
    return HEAD_TYPES.get(word.lower())


def first_head(words: list[str]) -> str | None:
    """`lexicon.first_type_noun(words)` with `head_of` (a noun followed by "-" or a head noun is a
    modifier and is passed over)."""
    heads = HEAD_TYPES
    last = len(words) - 1
    for index, word in enumerate(words):
        following = words[index + 1] if index < last else ""
        if following == "-" or heads.get(following.lower()) is not None:
            continue
        found = heads.get(word.lower())
        if found is not None:
            return found
    return None


TEXT_CACHE_KEY = "pg_text"
TOKEN_STARTS_KEY = "pg_token_starts"
TOKEN_ENDS_KEY = "pg_token_ends"
SPAN_BOUNDS_KEY = "pg_span_bounds"
SENTENCE_STARTS_KEY = "pg_sentence_starts"
# the per-doc caches of the rule components, dropped by the last component (`pg_resolver`)
RULE_CACHE_KEYS = (TOKEN_ENDS_KEY, SPAN_BOUNDS_KEY, SENTENCE_STARTS_KEY)


@functools.lru_cache(maxsize=65536)
def surface_key(text: str) -> str:
    """Normalised singular form of a surface (memoised: the same names recur across papers)."""
    return normalise_name(singular(text))


@functools.lru_cache(maxsize=65536)
def singular_form(text: str) -> str:
    """`singular`, memoised."""
    return singular(text)


@functools.lru_cache(maxsize=65536)
def candidate_key(entity_type: str, canonical: str) -> str:
    """Entity key of a candidate named `canonical` (memoised)."""
    return entity_key(entity_type, singular(canonical))


def occurrences(text: str, surface: str, plural: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of `surface` as a whole word in `text` (optionally with a plural 's')."""
    start = text.find(surface)
    while start >= 0:
        end = start + len(surface)
        if plural and text[end : end + 1] == "s":
            end += 1
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after == "_"):
            yield start, end
        start = text.find(surface, start + 1)


def text_of(doc: Doc) -> str:
    """`doc.text`, computed once per doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(TEXT_CACHE_KEY)
    if text is None:
        text = doc.user_data[TEXT_CACHE_KEY] = doc.text
    return text


def token_starts(doc: Doc) -> Sequence[int]:
    """Character offset of every token, computed once per doc (cached like `text_of`)."""
    starts = doc.user_data.get(TOKEN_STARTS_KEY)
    if starts is None:
        starts = _token_offsets(doc)[0]
    return starts


def _token_offsets(doc: Doc) -> tuple[Sequence[int], Sequence[int]]:
    """Token starts and ends, computed together (one `to_array`) and cached.

    A token ends where the next one starts, less its trailing space (`SPACY`, at most one character):
    that is how spaCy places `idx`. Reading `SPACY` instead of `LENGTH` stays in the token array
    (`LENGTH` is read from every token's lexeme, scattered in memory).

    Both are `array('q')`s filled from numpy's buffers: the components read a few offsets per doc
    (bisects, span edges), so an int is made only for an offset read, not for every token."""
    if not len(doc):
        starts, ends = array("q"), array("q")
    else:
        columns = doc.to_array([IDX, SPACY]).view(numpy.int64)  # uint64 offsets, far below 2**63
        first = columns[:, 0]
        last = numpy.empty_like(first)
        numpy.subtract(first[1:], columns[:-1, 1], out=last[:-1])
        last[-1] = first[-1] + len(doc[-1])
        starts, ends = array("q", first.tobytes()), array("q", last.tobytes())
    doc.user_data[TOKEN_STARTS_KEY], doc.user_data[TOKEN_ENDS_KEY] = starts, ends
    return starts, ends


def token_ends(doc: Doc) -> Sequence[int]:
    """Character offset after every token's text (without its trailing space), cached like
    `token_starts`: with the text, `text[starts[i]:ends[i]]` is `doc[i].text` without a `Token`."""
    ends = doc.user_data.get(TOKEN_ENDS_KEY)
    if ends is None:
        ends = _token_offsets(doc)[1]
    return ends


class TokenText:
    """A doc's tokens read from its text and token offsets: `word(i)` is `doc[i].text`."""

    __slots__ = ("doc", "text", "starts", "ends", "size")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = text_of(doc)
        self.starts = token_starts(doc)
        self.ends = token_ends(doc)
        self.size = len(self.starts)

    def word(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def glued(self, i: int) -> bool:
        """No space between token i and token i + 1 (i + 1 < size): `not doc[i].whitespace_`."""
        return self.ends[i] == self.starts[i + 1]

    def spaced(self, i: int) -> bool:
        """`bool(doc[i].whitespace_)`: a space follows token i."""
        following = self.starts[i + 1] if i + 1 < self.size else len(self.text)
        return self.ends[i] != following

    def surface(self, start: int, end: int) -> str:
        """`doc[start:end].text` (start < end)."""
        return self.text[self.starts[start] : self.ends[end - 1]]

    def words(self, start: int, end: int) -> list[str]:
        """`[t.text for t in doc[start:end]]` (0 <= start, end clipped to the doc)."""
        text, starts, ends = self.text, self.starts, self.ends
        return [text[starts[i] : ends[i]] for i in range(start, min(end, self.size))]


# (start, end, label, key) of a span, as `span_bounds` gives them
SpanBounds = tuple[int, int, str, str]


def span_bounds(doc: Doc, group: str) -> list[SpanBounds]:
    """(start, end, label, key) of every span of `doc.spans[group]`, in order, without building `Span`s;
    the key is the span's `kb_id_` (else its `id_`: the candidate interface of `extract/nlp/spans.py`).

    Cached per group while the group's length is unchanged; its writers (`pg_phrases`, `add_candidate`,
    the classifier's rewrites) keep it in step."""
    found = doc.spans.data.get(group)  # read through the proxy's dict: `SpanGroups` is a UserDict
    if not found:
        return []
    cache = doc.user_data.get(SPAN_BOUNDS_KEY)
    if cache is None:
        cache = doc.user_data[SPAN_BOUNDS_KEY] = {}
    bounds = cache.get(group)
    if bounds is None or len(bounds) != len(found):
        bounds = cache[group] = [(s.start, s.end, s.label_, s.kb_id_ or s.id_) for s in found]
    return bounds


def covered_tokens(doc: Doc, groups: tuple[str, ...]) -> set[int]:
    """Every token inside a span of one of `groups` (`span_bounds` of each, the lookups done once)."""
    covered: set[int] = set()
    data = doc.spans.data
    cache = doc.user_data.get(SPAN_BOUNDS_KEY)
    for group in groups:
        found = data.get(group)
        if not found:
            continue
        bounds = cache.get(group) if cache is not None else None
        if bounds is None or len(bounds) != len(found):
            bounds = span_bounds(doc, group)
            cache = doc.user_data[SPAN_BOUNDS_KEY]
        for start, end, _, _ in bounds:
            covered.update(range(start, end))
    return covered


def sentence_starts(doc: Doc) -> list[int]:
    """First token of every sentence, as `[s.start for s in doc.sents]` without building the spans
    (kept by `pg_sentencizer` when it ran, see `sentence_starts_of`)."""
    if not len(doc):
        return []
    starts = doc.user_data.get(SENTENCE_STARTS_KEY)
    if starts is None:
        starts = sentence_starts_of(doc.to_array(SENT_START))
    return starts


def sentence_starts_of(flags: numpy.ndarray) -> list[int]:
    """`sentence_starts` from a non-empty doc's SENT_START column."""
    return [0, *(numpy.flatnonzero(flags[1:] == 1) + 1).tolist()]


def token_at(doc: Doc, char: int) -> int:
    """Index of the token whose text or trailing space holds `char` (0 <= char < len(text))."""
    return bisect.bisect_right(token_starts(doc), char) - 1


def token_range(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token range [i, j) exactly covering characters [start, end), as `doc.char_span` (strict) would
    give it, without building a Span; None when an offset falls inside a token."""
    starts = token_starts(doc)
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_right(starts, end - 1) - 1
    if first < 0 or last < 0 or starts[first] != start:
        return None
    ends = doc.user_data.get(TOKEN_ENDS_KEY)  # while the rule components run
    if (ends[last] if ends is not None else starts[last] + len(doc[last])) != end:
        return None
    return first, last + 1


def add_candidate(
    doc: Doc, group: str, start: int, end: int, entity_type: str, canonical: str
) -> Span | None:
    """Add a character-offset candidate to `doc.spans[group]`; offsets inside a token give nothing.

    (`token_range` inline, with the doc's caches read once: the rule components call this ~5 times
    per doc.)"""
    user_data = doc.user_data
    starts = user_data.get(TOKEN_STARTS_KEY)
    if starts is None:
        starts = _token_offsets(doc)[0]
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_right(starts, end - 1) - 1
    if first < 0 or last < 0 or starts[first] != start:
        return None
    ends = user_data.get(TOKEN_ENDS_KEY)
    if (ends[last] if ends is not None else starts[last] + len(doc[last])) != end:
        return None
    text = user_data.get(TEXT_CACHE_KEY)
    if text is None:
        text = text_of(doc)
    if not text[start:end].strip():
        return None
    last += 1
    key = candidate_key(entity_type, canonical)
    candidate = Span(doc, first, last, label=entity_type, kb_id=key)
    groups = doc.spans.data  # the proxy's dict: `SpanGroups` is a UserDict
    found = groups.get(group)
    cache = user_data.get(SPAN_BOUNDS_KEY)
    if found is not None:
        found.append(candidate)
        bounds = cache.get(group) if cache is not None else None
        if bounds is not None and len(bounds) == len(found) - 1:
            bounds.append((first, last, entity_type, key))
    else:  # a new group (what `doc.spans[group] = [candidate]` stores): its bounds are known
        groups[group] = SpanGroup(doc, name=group, spans=[candidate])
        if cache is None:
            cache = user_data[SPAN_BOUNDS_KEY] = {}
        cache[group] = [(first, last, entity_type, key)]
    return candidate
