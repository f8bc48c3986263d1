"""Gazetteers (patterns/*.jsonl, patterns/vocab/*.jsonl) and the spaCy patterns generated from them.

Two tiers, each one entity a line:
- curated (patterns/models.jsonl, datasets.jsonl, methods.jsonl), hand-kept overrides:
  `{"name": "LLaMA-2", "aliases": ["Llama 2"], "cased": false}`; `"cue": true` marks an ambiguous short
  form (GQA, Cora) kept only with a context cue;
- vocabulary (patterns/vocab/*.jsonl), derived by `make vocab` from public lists (Papers with Code, the
  Hugging Face model types): `{"name", "type", "source", "aliases", "cue": [surfaces needing a cue]}`.
  A surface the curated lists own is never taken from the vocabulary.
Spelling variants (hyphen / space / none) and, for methods, plurals are generated here, so the files
only list genuinely different names. stoplist.jsonl and vocab/tasks.jsonl list generic phrases, tasks
and metrics that are never entities on their own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.util import registry

from extract.nlp import spans
from extract.nlp.normalize import entity_key, fold, normalise_name, singular
from extract.nlp.pattern_files import PatternFileError, read_jsonl

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
VOCAB_DIR = PATTERNS_DIR / "vocab"
TYPE_FILES: dict[str, str] = {"MODEL": "models.jsonl", "DATASET": "datasets.jsonl", "METHOD": "methods.jsonl"}
STOPLIST_FILE = "stoplist.jsonl"
TASKS_FILE = "tasks.jsonl"
COMMON_WORDS_FILE = "common_words.jsonl"
CURATED = "curated"


GazetteerError = PatternFileError  # a gazetteer file is missing or malformed


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    type: str
    name: str
    aliases: tuple[str, ...]
    cased: bool | None  # None: decided per alias by `is_case_sensitive` / `vocab_alias_cased`
    source: str = CURATED  # "curated", or the vocabulary source ("pwc-datasets:cora")
    cue: frozenset[str] = frozenset()  # surfaces kept only with a context cue

    @property
    def curated(self) -> bool:
        return self.source == CURATED

    @property
    def key(self) -> str:
        return entity_key(self.type, self.name)

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def read_entries(folder: Path = PATTERNS_DIR) -> list[GazetteerEntry]:
    """All curated entities; a name listed twice for one type is an error naming both lines."""
    entries: list[GazetteerEntry] = []
    for entity_type, filename in TYPE_FILES.items():
        path = folder / filename
        seen: dict[str, int] = {}
        for number, row in read_jsonl(path):
            name = row.get("name")
            aliases = row.get("aliases", [])
            if not isinstance(name, str) or not name.strip() or not isinstance(aliases, list):
                raise GazetteerError(f"{path}:{number}: needs a 'name' string and an 'aliases' list")
            folded = (fold(name), *(fold(a) for a in aliases))
            cue = frozenset(folded) if row.get("cue") is True else frozenset()
            entry = GazetteerEntry(entity_type, folded[0], folded[1:], row.get("cased"), CURATED, cue)
            if entry.key in seen:
                raise GazetteerError(f"{path}:{number}: {name!r} duplicates line {seen[entry.key]}")
            seen[entry.key] = number
            entries.append(entry)
    return entries


def read_vocab_entries(folder: Path = VOCAB_DIR) -> list[GazetteerEntry]:
    """The vocabulary tier (derived files, see extract.nlp.vocab.build); a missing folder gives none."""
    entries: list[GazetteerEntry] = []
    for filename in TYPE_FILES.values():
        path = folder / filename
        if not path.is_file():
            continue
        for number, row in read_jsonl(path):
            name, entity_type, source = row.get("name"), row.get("type"), row.get("source")
            aliases, cue = row.get("aliases", []), row.get("cue", [])
            if not (isinstance(name, str) and entity_type in TYPE_FILES and isinstance(source, str)):
                raise GazetteerError(f"{path}:{number}: needs 'name', 'type' and 'source' strings")
            if not isinstance(aliases, list) or not isinstance(cue, list):
                raise GazetteerError(f"{path}:{number}: 'aliases' and 'cue' must be lists")
            entries.append(GazetteerEntry(entity_type, name, tuple(aliases), None, source, frozenset(cue)))
    return entries


def read_stoplist(folder: Path = PATTERNS_DIR, with_tasks: bool = True) -> frozenset[str]:
    """Normalised phrases (singular) that are never entities on their own: the curated stoplist and the
    vocabulary's task names (those a curated list names are the curated entity)."""
    path = folder / STOPLIST_FILE
    terms: set[str] = set()
    for number, row in read_jsonl(path):
        words = row.get("terms")
        if not isinstance(words, list):
            raise GazetteerError(f"{path}:{number}: needs a 'terms' list")
        terms.update(normalise_name(singular(w)) for w in words)
    tasks = folder / "vocab" / TASKS_FILE
    if with_tasks and tasks.is_file():
        for number, row in read_jsonl(tasks):
            if not isinstance(row.get("name"), str):
                raise GazetteerError(f"{tasks}:{number}: needs a 'name' string")
            task = normalise_name(singular(row["name"]))
            if task not in curated_surfaces():
                terms.add(task)
    return frozenset(terms)


@functools.cache
def common_words(folder: Path = VOCAB_DIR) -> frozenset[str]:
    """Frequent lowercase English words (vocab/common_words.jsonl); none when the file is absent."""
    path = folder / COMMON_WORDS_FILE
    if not path.is_file():
        return frozenset()
    found: set[str] = set()
    for number, row in read_jsonl(path):
        if not isinstance(row.get("words"), list):
            raise GazetteerError(f"{path}:{number}: needs a 'words' list")
        found.update(row["words"])
    return frozenset(found)


@functools.cache
def curated_surfaces() -> frozenset[str]:
    return frozenset(normalise_name(singular(s)) for entry in curated_entries() for s in entry.surfaces)


def is_case_sensitive(alias: str) -> bool:
    """One word with capitals and no digit is matched as written: lowercased it is often an English word
    (Whisper, CLIP, DROP, ZeRO, FiLM, PaLM); lowercase terms, phrases and names with digits match any case."""
    return " " not in alias and not any(c.isdigit() for c in alias) and any(c.isupper() for c in alias)


def vocab_alias_cased(alias: str) -> bool:
    """Vocabulary names are matched as written unless lowercasing is safe: one token with a digit, or a
    phrase of 3+ words ending in a type head noun ("cycle consistency loss"; not "temporal attention")."""
    from extract.nlp.lexicon import head_type

    if " " not in alias:
        return is_case_sensitive(alias)
    words = alias.replace("-", " ").split()
    return len(words) < 3 or head_type(words) in (None, "SKIP")


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
        decide = is_case_sensitive if entry.curated else vocab_alias_cased
        for alias in entry.surfaces:
            alias_cased = entry.cased if entry.cased is not None else decide(alias)
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
def vocab_entries() -> tuple[GazetteerEntry, ...]:
    return tuple(read_vocab_entries())


@functools.cache
def all_entries() -> tuple[GazetteerEntry, ...]:
    """Curated first: they win every lookup by surface."""
    return curated_entries() + vocab_entries()


@functools.cache
def stoplist() -> frozenset[str]:
    return read_stoplist()


@functools.cache
def alias_index() -> dict[str, GazetteerEntry]:
    """Normalised alias (singular) -> entry; curated before vocabulary, then the first type listed wins
    (MODEL, DATASET, METHOD)."""
    index: dict[str, GazetteerEntry] = {}
    for entry in all_entries():
        for alias in entry.surfaces:
            index.setdefault(normalise_name(singular(alias)), entry)
    return index


@functools.cache
def canonical_names() -> dict[str, str]:
    """Entity key -> canonical name of a listed entity (curated names win)."""
    names: dict[str, str] = {}
    for entry in all_entries():
        names.setdefault(entry.key, entry.name)
    return names


@functools.cache
def cue_surfaces() -> frozenset[str]:
    """Normalised surfaces (singular) of the ambiguous short forms, kept only with a context cue."""
    return frozenset(normalise_name(singular(s)) for entry in all_entries() for s in entry.cue)


@registry.misc("paper_graph.gazetteer_patterns.v2")
def gazetteer_patterns(cased: bool) -> list[dict]:
    """Curated and vocabulary patterns matched by one attribute (ORTH when `cased`, else LOWER), each
    with the `doc.spans` group its matches go to."""
    tiers = (
        (curated_entries(), spans.CURATED_CASED if cased else spans.CURATED_LOWER),
        (vocab_entries(), spans.VOCAB_CASED if cased else spans.VOCAB_LOWER),
    )
    return [
        {**pattern, "group": group}
        for entries, group in tiers
        for pattern in span_ruler_patterns(list(entries), cased=cased)
    ]


def warm_lookups() -> None:
    """Build the cached lookups the components read per paper."""
    alias_index()
    canonical_names()
    cue_surfaces()
    stoplist()
    common_words()
