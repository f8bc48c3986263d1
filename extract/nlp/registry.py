"""`EntityRegistry`: the `Entity` rows for every key seen, merged across papers."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator

from extract.nlp.gazetteer import all_entries, canonical_names
from extract.nlp.normalize import normalise_name, singular
from extract.records import Entity, Mention


class EntityRegistry:
    """Collects mentions' surfaces per key; `entities()` yields one Entity per key, sorted by key.

    The canonical name is the listed one (curated or vocabulary), else the surface (singular) whose
    normalised form is the key, else the most frequent surface (ties: alphabetical): deterministic
    whatever the order papers arrive in.
    """

    def __init__(self) -> None:
        self._types: dict[str, str] = {}
        self._surfaces: dict[str, Counter[str]] = {}

    def add(self, mentions: Iterable[Mention]) -> None:
        for mention in mentions:
            self.add_surface(mention.entity_key, mention.type, mention.text)

    def add_surface(self, key: str, entity_type: str, text: str, count: int = 1) -> None:
        """`count` mentions of `key` spelt `text` (the key keeps the type it was first added with)."""
        self._types.setdefault(key, entity_type)
        self._surfaces.setdefault(key, Counter())[text] += count

    def __len__(self) -> int:
        return len(self._types)

    def __contains__(self, key: object) -> bool:
        return key in self._types

    def entity(self, key: str) -> Entity:
        surfaces = self._surfaces[key]
        name = canonical_names().get(key) or self._discovered_name(key, surfaces)
        aliases = set(surfaces) | _curated_aliases().get(key, set())
        return Entity(entity_key=key, type=self._types[key], name=name, aliases=sorted(aliases - {name}))

    def entities(self) -> Iterator[Entity]:
        for key in sorted(self._types):
            yield self.entity(key)

    @staticmethod
    def _discovered_name(key: str, surfaces: Counter[str]) -> str:
        suffix = key.split(":", 1)[1]
        singulars = sorted({singular(s) for s in surfaces})
        for candidate in singulars:
            if normalise_name(candidate) == suffix:
                return candidate
        return min(surfaces, key=lambda s: (-surfaces[s], s))


@functools.cache
def _curated_aliases() -> dict[str, frozenset[str]]:
    """Entity key -> the listed aliases (curated entries first, then the vocabularies)."""
    aliases: dict[str, frozenset[str]] = {}
    for entry in all_entries():
        aliases.setdefault(entry.key, frozenset(entry.surfaces) - {entry.name})
    return aliases
