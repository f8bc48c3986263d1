"""`pg_title_boundary`: the title is its own sentence (paper_text joins title, blank line, abstract).

The configured pipeline lets `pg_sentencizer` mark this boundary itself (`title_boundary = true`, the
same starts with one write of the sentence column); the component stays for pipelines without it."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp.components.common import text_of, token_at


@Language.component("pg_title_boundary", assigns=["token.is_sent_start"])
def title_boundary(doc: Doc) -> Doc:
    start = abstract_start(doc)
    if start is not None:
        doc[start].is_sent_start = True
    return doc


def abstract_start(doc: Doc) -> int | None:
    """The token that starts the sentence after the title: the first one after the blank line that is
    not a space; None without a blank line (or nothing but spaces right after it)."""
    newline = text_of(doc).find("\n\n")
    if newline < 0:
        return None
    # the token holding the newline: a newline is never a token's trailing space
    first = token_at(doc, newline)
    for i in range(first, min(first + 3, len(doc))):  # the blank line itself is a space token
        if not doc[i].is_space:
            return i
    return None


def title_end(doc: Doc) -> int:
    """Character offset where the title ends."""
    newline = text_of(doc).find("\n\n")
    return len(text_of(doc)) if newline < 0 else newline
