"""Text cleaning for titles and abstracts, and the normalised title used as a dedupe key.

Cleaning only removes rendering artefacts; it never rewrites content. LaTeX escapes (`\\%`, `\\_`)
are kept by default because the saved pages and the gold annotations keep them verbatim; callers
that want them unescaped opt in with `unescape_latex=True`.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

# Only complete references (with the semicolon): "R&D" or "&amp" without ";" stay as they are.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A backslash before a character LaTeX needs escaped, not preceded by another backslash.
_LATEX_ESCAPE = re.compile(r"(?<!\\)\\([%_&#$])")
_SUBSCRIBE = "Subscribe"


def unescape_entities(text: str) -> str:
    """Decode HTML character references (`&amp;`, `&#39;`); leaves a text without them untouched."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def collapse_whitespace(text: str) -> str:
    """Join hard line breaks and runs of whitespace into single spaces; strip the ends."""
    return " ".join(text.split())


def unescape_latex(text: str) -> str:
    r"""`5\%` -> `5%`, `get\_capital` -> `get_capital`."""
    return _LATEX_ESCAPE.sub(r"\1", text)


def clean_text(text: str | None, *, latex: bool = False) -> str:
    """The cleaning every title and abstract goes through (entities, whitespace, optional LaTeX)."""
    if not text:
        return ""
    text = collapse_whitespace(unescape_entities(text))
    return unescape_latex(text) if latex else text


def strip_subscribe(line: str) -> str | None:
    """The title glued to a page's "Subscribe" button ("SubscribeFaceTalk: ..."), else None."""
    if not line.startswith(_SUBSCRIBE):
        return None
    rest = line[len(_SUBSCRIBE) :]
    # "Subscriber ..." is a word, not the button followed by a title.
    if not rest.strip() or rest[0].islower():
        return None
    return rest.strip()


def normalise_title(title: str) -> str:
    """Dedupe key: NFKC, case-folded, punctuation and whitespace runs reduced to single spaces."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def title_paper_id(title: str) -> str:
    """paper_id of a paper known only by its title."""
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()
    return f"title:{digest[:16]}"
