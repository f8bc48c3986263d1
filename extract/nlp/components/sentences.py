"""`pg_sentencizer`: spaCy's rule-based `Sentencizer`, finding the sentence marks in the text.

The stock component builds a `Token` object for every token of every abstract; over the corpus that
was about 6% of extraction time. The rule is the stock one: a sentence starts at the first token after
a sentence-final mark (`punct_chars`) that is neither punctuation nor such a mark; starts already set
are kept unless `overwrite`. The marks are single characters, so a regular expression finds them in
the text and only the tokens at and right after a mark are looked at.

With `title_boundary` it also does the job of `pg_title_boundary` placed before it (the title is its
own sentence), in the same write of the sentence column: that component's `token.is_sent_start`
setter scans every token of the doc for a parse first.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

import numpy
from spacy.attrs import DEP, IS_PUNCT, ORTH, SENT_START
from spacy.errors import Errors
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import hash_string
from spacy.tokens import Doc

from extract.nlp.components.common import (
    SENTENCE_STARTS_KEY,
    sentence_starts_of,
    text_of,
    token_ends,
    token_starts,
)
from extract.nlp.components.title import abstract_start

NOT_A_START = numpy.uint64(2**64 - 1)  # -1 as a uint64


def _mark_finder(chars: frozenset[str]) -> re.Pattern[str]:
    """A character class holding every mark: the ASCII ones listed, the others as one range (a class
    listing 128 scattered characters is ~15x slower to scan); the caller checks the token's text."""
    low = sorted(c for c in chars if ord(c) < 128)
    high = sorted(c for c in chars if ord(c) >= 128)
    pattern = "".join(re.escape(c) for c in low)
    if high:
        pattern += f"{re.escape(high[0])}-{re.escape(high[-1])}"
    return re.compile(f"[{pattern}]")


class IdSentencizer(Sentencizer):
    """`Sentencizer` visiting only the tokens at sentence marks; same predictions."""

    _marks: tuple[object, int, frozenset[int], frozenset[str], re.Pattern[str] | None] | None = None
    title_boundary = False

    def _mark_ids(self) -> tuple[frozenset[int], frozenset[str], re.Pattern[str] | None]:
        # string hashes do not depend on the vocab: computed once per `punct_chars`
        chars = self.punct_chars
        cached = self._marks
        if cached is None or cached[0] is not chars or cached[1] != len(chars):
            marks = frozenset(chars)
            single = all(len(char) == 1 for char in marks)
            finder = _mark_finder(marks) if single and marks else None
            ids = frozenset(hash_string(c) for c in marks)
            cached = self._marks = (chars, len(chars), ids, marks, finder)
        return cached[2], cached[3], cached[4]

    def predict(self, docs: Iterable[Doc]) -> list[list[int]]:
        """Per doc, the indices of its sentence-start tokens."""
        marks, mark_texts, finder = self._mark_ids()
        if finder is None or not marks:
            return [self._scan_starts(doc, marks) for doc in docs]
        return [self._starts(doc, mark_texts, finder) for doc in docs]

    @staticmethod
    def _starts(doc: Doc, marks: frozenset[str], finder: re.Pattern[str]) -> list[int]:
        """The rule, with the single-character marks read from the text: token i is a mark when it
        spans one character of `marks` (its ORTH is then that mark)."""
        n = len(doc)
        if not n:
            return []
        starts = [0]
        token_first = token_starts(doc)
        token_end = token_ends(doc)
        after = 0  # tokens before this one were scanned already
        text = text_of(doc)
        for match in finder.finditer(text):
            char = match.start()
            i = bisect.bisect_right(token_first, char) - 1
            if i < after or token_first[i] != char or token_end[i] != char + 1 or text[char] not in marks:
                continue  # inside a longer token ("3.5", "e.g."), not a mark or already passed
            j = i + 1
            while j < n:
                if text[token_first[j] : token_end[j]] not in marks and not doc[j].is_punct:
                    starts.append(j)
                    break
                j += 1
            after = j + 1
        return starts

    @staticmethod
    def _scan_starts(doc: Doc, marks: frozenset[int]) -> list[int]:
        """The rule over every token (for marks longer than one character)."""
        if not len(doc):
            return []
        columns = doc.to_array([ORTH, IS_PUNCT]).tolist()
        starts = [0]
        seen_mark = False
        for i, (orth, is_punct) in enumerate(columns):
            if orth in marks:
                seen_mark = True
            elif seen_mark and not is_punct:
                starts.append(i)
                seen_mark = False
        return starts

    def set_annotations(self, docs: Iterable[Doc] | Doc, batch_tag_ids: Sequence[list[int]]) -> None:
        if isinstance(docs, Doc):
            docs = [docs]
        for doc, starts in zip(docs, batch_tag_ids, strict=True):
            if not len(doc):
                continue
            # with `title_boundary`, what `pg_title_boundary` placed first would do: its token becomes
            # a start (E043 on a parsed doc, as `token.is_sent_start = True` raises), then kept
            title = abstract_start(doc) if self.title_boundary else None
            # SENT_START -1 (not a start) as the uint64 `from_array` takes
            values = numpy.full(len(doc), NOT_A_START, dtype=numpy.uint64)
            values[starts] = 1
            if not self.overwrite:
                if title is None:
                    existing = doc.to_array(SENT_START)
                    annotated = existing.any()
                else:
                    columns = doc.to_array([SENT_START, DEP])
                    existing = columns[:, 0]
                    annotated = False
                    if columns.any():  # (nearly always not: one test for both columns)
                        if columns[:, 1].any():
                            raise ValueError(Errors.E043)
                        annotated = existing.any()
                if annotated:  # starts set before: kept, and the starts read from the column
                    if title is not None:
                        existing[title] = 1
                    kept = existing != 0
                    values[kept] = existing[kept]
                    starts = sentence_starts_of(values)
                elif title is not None:
                    values[title] = 1
                    if title not in starts:
                        starts = list(starts)
                        bisect.insort(starts, title)
            elif title is not None and doc.has_annotation("DEP"):
                raise ValueError(Errors.E043)
            doc.from_array([SENT_START], values)
            doc.user_data[SENTENCE_STARTS_KEY] = list(starts)


@Language.factory(
    "pg_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False, "title_boundary": False},
)
def make_sentencizer(
    nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool, title_boundary: bool
) -> IdSentencizer:
    """`title_boundary`: also start a sentence after the title, as `pg_title_boundary` placed first."""
    sentencizer = IdSentencizer(name, punct_chars=punct_chars, overwrite=overwrite)
    sentencizer.title_boundary = title_boundary
    return sentencizer
