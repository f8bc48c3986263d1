"""Curated gazetteers (patterns/*.jsonl) and the spaCy patterns generated from them.

Each line of models.jsonl / datasets.jsonl / methods.jsonl is one entity:
`{"name": "LLaMA-2", "aliases": ["Llama 2"], "cased": false}`; spelling variants (hyphen / space / none)
and, for methods, plurals are generated here, so the files only list genuinely different names.
stoplist.jsonl lists generic phrases, tasks and metrics that rule components must never emit.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.util import registry

from extract.nlp.normalize import entity_key, fold, normalise_name, singular

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
TYPE_FILES: dict[str, str] = {"MODEL": "models.jsonl", "DATASET": "datasets.jsonl", "METHOD": "methods.jsonl"}
STOPLIST_FILE = "stoplist.jsonl"


class GazetteerError(ValueError):
    """A gazetteer file is malformed."""


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    type: str
    name: str
    aliases: tuple[str, ...]
    cased: bool | None  # None: decided per alias by `is_case_sensitive`

    @property
    def key(self) -> str:
        return entity_key(self.type, self.name)

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise GazetteerError(f"{path}: gazetteer file not found") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GazetteerError(f"{path}:{number}: invalid JSON: {exc}") from exc
        if not isinstance(row, dict):
            raise GazetteerError(f"{path}:{number}: expected an object, got {type(row).__name__}")
        yield number, row


def read_entries(folder: Path = PATTERNS_DIR) -> list[GazetteerEntry]:
    """All curated entities; a name listed twice for one type is an error naming both lines."""
    entries: list[GazetteerEntry] = []
    for entity_type, filename in TYPE_FILES.items():
        path = folder / filename
        seen: dict[str, int] = {}
        for number, row in _read_jsonl(path):
            name = row.get("name")
            aliases = row.get("aliases", [])
            if not isinstance(name, str) or not name.strip() or not isinstance(aliases, list):
                raise GazetteerError(f"{path}:{number}: needs a 'name' string and an 'aliases' list")
            entry = GazetteerEntry(entity_type, fold(name), tuple(fold(a) for a in aliases), row.get("cased"))
            if entry.key in seen:
                raise GazetteerError(f"{path}:{number}: {name!r} duplicates line {seen[entry.key]}")
            seen[entry.key] = number
            entries.append(entry)
    return entries


def read_stoplist(folder: Path = PATTERNS_DIR) -> frozenset[str]:
    """Normalised phrases (singular) that are never entities on their own."""
    path = folder / STOPLIST_FILE
    terms: set[str] = set()
    for number, row in _read_jsonl(path):
        words = row.get("terms")
        if not isinstance(words, list):
            raise GazetteerError(f"{path}:{number}: needs a 'terms' list")
        terms.update(normalise_name(singular(w)) for w in words)
    return frozenset(terms)


def is_case_sensitive(alias: str) -> bool:
    """One word with capitals and no digit is matched as written: lowercased it is often an English word
    (Whisper, CLIP, DROP, ZeRO, FiLM, PaLM); lowercase terms, phrases and names with digits match any case."""
    return " " not in alias and not any(c.isdigit() for c in alias) and any(c.isupper() for c in alias)


def spelling_variants(alias: str, plural: bool) -> set[str]:
    """The alias with hyphens as spaces / removed, spaces as hyphens / removed (digit joins), plurals."""
    variants = {alias, alias.replace("-", " "), alias.replace(" ", "-")}
    if "-" in alias:
        variants.add(alias.replace("-", ""))
    if re.search(r"[A-Za-z] \d|\d [A-Za-z]|[a-z] [A-Z]", alias):
        variants.add(alias.replace(" ", ""))
    if plural:
        variants |= {
            v + ("es" if v.endswith(("x", "sh", "ch")) else "s") for v in variants if not v.endswith("s")
        }
    return {" ".join(v.split()) for v in variants if v.strip()}


def span_ruler_patterns(entries: list[GazetteerEntry], cased: bool) -> list[dict]:
    """SpanRuler phrase patterns: label = type, id = entity key; `cased` selects ORTH or LOWER matching."""
    patterns: dict[tuple[str, str], dict] = {}
    for entry in entries:
        for alias in entry.surfaces:
            alias_cased = entry.cased if entry.cased is not None else is_case_sensitive(alias)
            if alias_cased != cased:
                continue
            for variant in spelling_variants(alias, plural=entry.type == "METHOD"):
                text = variant if cased else variant.lower()
                patterns.setdefault(
                    (text, entry.type), {"label": entry.type, "pattern": text, "id": entry.key}
                )
    return [patterns[k] for k in sorted(patterns)]


@functools.cache
def curated_entries() -> tuple[GazetteerEntry, ...]:
    return tuple(read_entries())


@functools.cache
def stoplist() -> frozenset[str]:
    return read_stoplist()


@functools.cache
def alias_index() -> dict[str, GazetteerEntry]:
    """Normalised alias (singular) -> entry; the first type listed wins (MODEL, DATASET, METHOD)."""
    index: dict[str, GazetteerEntry] = {}
    for entry in curated_entries():
        for alias in entry.surfaces:
            index.setdefault(normalise_name(singular(alias)), entry)
    return index


@functools.cache
def canonical_names() -> dict[str, str]:
    """Entity key -> curated canonical name."""
    return {entry.key: entry.name for entry in curated_entries()}


@registry.misc("paper_graph.gazetteer_patterns.v1")
def gazetteer_patterns(cased: bool) -> list[dict]:
    return span_ruler_patterns(list(curated_entries()), cased=cased)
