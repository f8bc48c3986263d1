"""Exact, faster equivalents of the spaCy `Doc` accessors the resolver and `doc_mentions` use.

Every `Span` spaCy builds (`Span(doc, ...)`, iterating `doc.ents` or a span group) builds three
`Token`s to find its character offsets, and `span._.name = value` builds an `Underscore` object; a
doc has only a few entities, so these fixed costs were most of the resolver's time. The functions here
write the same token fields and `doc.user_data` entries directly (tests/extract_nlp/test_speedups.py
compares them with spaCy's own accessors).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import numpy
from spacy.attrs import ENT_IOB, ENT_TYPE, SENT_START
from spacy.tokens import Doc

# Token.ent_iob codes (spaCy's Token.iob_strings(): "", "I", "O", "B")
_INSIDE, _OUTSIDE, _BEGIN = 1, 2, 3
_ENT_COLUMNS = [ENT_IOB, ENT_TYPE]


def set_entities(doc: Doc, entities: list[tuple[int, int, str, str]]) -> list[tuple[int, int, int, int]]:
    """`doc.ents = [Span(doc, start, end, label=label, kb_id=kb_id), ...]` for sorted, non-overlapping
    token ranges with non-empty labels, without building the spans: as `Doc.set_ents`, every other
    token becomes outside (O, no type; its kb id is left as it was). Returns each entity's
    (start, end, label hash, kb id hash).

    The IOB and type columns are written for the whole doc; the kb ids only on the entities' tokens
    (one `Token` each), so that the other tokens keep theirs without reading them first."""
    strings = doc.vocab.strings
    array = numpy.zeros((len(doc), 2), dtype=numpy.uint64)
    array[:, 0] = _OUTSIDE
    hashed = []
    for start, end, label, kb_id in entities:
        label_hash = strings.add(label)
        array[start:end] = (_INSIDE, label_hash)
        array[start, 0] = _BEGIN
        hashed.append((start, end, label_hash, strings.add(kb_id)))
    doc.from_array(_ENT_COLUMNS, array)
    for start, end, _, kb_hash in hashed:
        for i in range(start, end):
            doc[i].ent_kb_id = kb_hash
    return hashed


def span_extension_key(name: str, start_char: int, end_char: int) -> tuple[str, str, int, int]:
    """The `doc.user_data` key under which spaCy keeps `span._.<name>` of a span (see
    spacy.tokens.underscore.Underscore._get_key): extension values belong to the character offsets."""
    return ("._.", name, start_char, end_char)


def span_extension(doc: Doc, name: str, start_char: int, end_char: int, default: Any) -> Any:
    """`span._.<name>` of the span at these offsets, for an extension with a plain default."""
    return doc.user_data.get(span_extension_key(name, start_char, end_char), default)


def sentence_texts(
    doc: Doc, text: str, token_starts: Sequence[int], tokens: list[int], firsts: list[int] | None = None
) -> list[str] | None:
    """The stripped text of the sentence each of `tokens` is in, as `doc.sents` gives the sentences
    (a sentence starts at token 0 and at every later token whose `sent_start` is 1); None when
    `doc.sents` would not read the token flags (no sentence annotation, or a `sents` user hook).

    `firsts` is the first token of every sentence when the caller has it (`pg_sentencizer` keeps
    them, and it marks every token, so `doc.sents` reads them); otherwise they are read from the doc.

    A sentence is cut at the next sentence's first character rather than at its last token's end:
    the difference is that token's trailing space, which the strip removes."""
    if "sents" in doc.user_hooks or not len(doc):
        return None
    if firsts is None:
        column = doc.to_array(SENT_START)
        firsts = numpy.flatnonzero(column == 1).tolist()
        if not firsts or firsts[0]:
            firsts.insert(0, 0)
        if len(firsts) == 1 and len(column) > 1 and not column[1:].any():
            return None  # doc.sents raises E030
    last = len(firsts) - 1
    found: dict[int, str] = {}
    sentences = []
    for token in tokens:
        index = bisect.bisect_right(firsts, token) - 1
        sentence = found.get(index)
        if sentence is None:
            end = token_starts[firsts[index + 1]] if index < last else len(text)
            sentence = found[index] = text[token_starts[firsts[index]] : end].strip()
        sentences.append(sentence)
    return sentences


def token_range(doc: Doc, text: str, starts: Sequence[int], start: int, end: int) -> tuple[int, int] | None:
    """`common.token_range(doc, start, end)` for `start < end`: the token range [i, j) exactly covering
    characters [start, end), None when an offset falls inside a token.

    `starts` is every token's first character. The last token's end is read from the next token's
    start where the text decides it, rather than from a `Token`: spaCy's tokens are either all
    whitespace or hold none, and a token followed by a space has it as its trailing whitespace."""
    first = bisect.bisect_right(starts, start) - 1
    if first < 0 or starts[first] != start:
        return None
    following = bisect.bisect_right(starts, end - 1, first)
    if following < len(starts):
        next_start = starts[following]
        if next_start == end and text[end - 1] != " ":
            return first, following  # no trailing space: the token ends where the next begins
        if next_start > end + 1 or (next_start == end + 1 and text[end] != " "):
            return None  # the token runs past `end`
        if next_start == end + 1 and not text[end - 1].isspace():
            return first, following  # the space at `end` is the token's trailing whitespace
    last = following - 1
    if starts[last] + len(doc[last]) != end:
        return None
    return first, following
