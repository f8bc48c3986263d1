"""arXiv identifiers: new style (2405.15738, 0704.0001) and old style (astro-ph/0601001), versions dropped."""

from __future__ import annotations

import re

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}"
_ID = re.compile(rf"^(?:arxiv:)?({_NEW}|{_OLD})(?:v\d+)?$", re.IGNORECASE)
_IN_URL = re.compile(rf"arxiv\.org/(?:abs|pdf)/({_NEW}|{_OLD})(?:v\d+)?", re.IGNORECASE)


def normalise_arxiv_id(value: object) -> str | None:
    """The id without version for an id or an arxiv.org abs/pdf URL; None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _ID.match(text) or _IN_URL.search(text)
    if not match:
        return None
    return match.group(1)
