"""Name normalisation: entity keys, singular forms and the evaluation's matching form."""

from __future__ import annotations

import re
import unicodedata

_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe63\uff0d]")
_KEY_DROP = re.compile(r"[\s\-_'\u2019`]+")
_ACRONYM_PLURAL = re.compile(r"^(.*[A-Z0-9][A-Za-z0-9]*[A-Z0-9])s$")
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "ys", "os")
# what `_ACRONYM_PLURAL` needs before its final "s" (a folded surface holds no newline for `$` to skip)
_CAPITAL_OR_DIGIT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def fold(text: str) -> str:
    """NFKC, ASCII hyphens for every dash, collapsed whitespace."""
    if not text.isascii():  # ASCII text is its own NFKC form and holds none of the dashes
        text = _DASHES.sub("-", unicodedata.normalize("NFKC", text))
    return " ".join(text.split())


def normalise_name(text: str) -> str:
    """Case-, space- and hyphen-insensitive form inside entity keys ("LLaMA-2" == "Llama 2" == "llama2")."""
    if text.isascii():  # `fold` leaves only single spaces for `_KEY_DROP`'s `\s`: the same, without the regex
        joined = "".join(text.split()).lower()
        return joined.replace("-", "").replace("_", "").replace("'", "").replace("`", "")
    return _KEY_DROP.sub("", fold(text).casefold())


def entity_key(entity_type: str, canonical: str) -> str:
    """Stable key: '<type lower>:<normalised canonical>', e.g. 'method:nerf'."""
    return f"{entity_type.lower()}:{normalise_name(canonical)}"


def singular(surface: str) -> str:
    """Drop a plural 's' from an acronym-like name ("GANs" -> "GAN") or a lowercase phrase's last word."""
    surface = fold(surface)
    # (the regex backtracks over the whole surface: tried only where it can match)
    plural = len(surface) > 2 and surface[-1] == "s" and surface[-2] in _CAPITAL_OR_DIGIT
    match = _ACRONYM_PLURAL.match(surface) if plural else None
    if match and any(ch.isupper() for ch in match.group(1)):
        return match.group(1)
    words = surface.split(" ")
    last = words[-1]
    if last.islower() and len(last) > 3 and last.endswith("s") and not last.endswith(_NOT_PLURAL_ENDINGS):
        words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
        return " ".join(words)
    return surface


def match_form(text: str) -> str:
    """The scoring form from the guideline: case-insensitive, no hyphens or spaces, no plural 's'."""
    form = re.sub(r"[\s\-]+", "", fold(text).casefold())
    return form[:-1] if form.endswith("s") and len(form) > 1 else form
