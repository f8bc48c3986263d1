"""`pg_title_boundary`: the title is its own sentence (paper_text joins title, blank line, abstract)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp.components.common import text_of, token_at


@Language.component("pg_title_boundary", assigns=["token.is_sent_start"])
def title_boundary(doc: Doc) -> Doc:
    newline = text_of(doc).find("\n\n")
    if newline < 0:
        return doc
    # the token holding the newline: a newline is never a token's trailing space
    first = token_at(doc, newline)
    for i in range(first, min(first + 3, len(doc))):  # the blank line itself is a space token
        token = doc[i]
        if not token.is_space:
            token.is_sent_start = True
            break
    return doc


def title_end(doc: Doc) -> int:
    """Character offset where the title ends."""
    newline = text_of(doc).find("\n\n")
    return len(text_of(doc)) if newline < 0 else newline
