"""`EntityRegistry`: the `Entity` rows for every key seen, merged across papers."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

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
        self._surfaces: dict[str, dict[str, int]] = {}  # key -> surface -> mentions

    def add(self, mentions: Iterable[Mention]) -> None:
        for mention in mentions:
            self.add_surface(mention.entity_key, mention.type, mention.text)

    def add_surface(self, key: str, entity_type: str, text: str, count: int = 1) -> None:
        """`count` mentions of `key` spelt `text` (the key keeps the type it was first added with)."""
        self._types.setdefault(key, entity_type)
        surfaces = self._surfaces.setdefault(key, {})
        surfaces[text] = surfaces.get(text, 0) + count

    def add_surface_counts(
        self, types: Mapping[str, str], keys: Iterable[str], texts: Iterable[str], counts: Iterable[int]
    ) -> None:
        """`add_surface(key, types[key], text, count)` for each (key, text, count) of the columns."""
        known, all_surfaces = self._types, self._surfaces
        for key, text, count in zip(keys, texts, counts, strict=True):
            surfaces = all_surfaces.get(key)
            if surfaces is None:
                known.setdefault(key, types[key])
                all_surfaces[key] = {text: count}
            else:
                surfaces[text] = surfaces.get(text, 0) + count

    def __len__(self) -> int:
        return len(self._types)

    def __contains__(self, key: object) -> bool:
        return key in self._types

    def entity(self, key: str) -> Entity:
        name, aliases = self._name_and_aliases(key, canonical_names(), _curated_aliases())
        return Entity(entity_key=key, type=self._types[key], name=name, aliases=aliases)

    def _name_and_aliases(
        self, key: str, listed: Mapping[str, str], curated: Mapping[str, frozenset[str]]
    ) -> tuple[str, list[str]]:
        """The key's canonical name and its sorted aliases (every surface and curated alias but the name)."""
        surfaces = self._surfaces[key]
        name = listed.get(key) or self._discovered_name(key, surfaces)
        extra = curated.get(key)
        known = set(surfaces).union(extra) if extra else set(surfaces)
        known.discard(name)
        return name, sorted(known)

    def entities(self) -> Iterator[Entity]:
        for key in sorted(self._types):
            yield self.entity(key)

    def entity_columns(self) -> dict[str, list[Any]]:
        """`entities()` as columns (entity_key, type, name, aliases), without an `Entity` per key: the
        snapshot's entity table, built in one pass over the keys."""
        listed, curated = canonical_names(), _curated_aliases()
        keys = sorted(self._types)
        names: list[str] = []
        aliases: list[list[str]] = []
        for key in keys:
            name, known = self._name_and_aliases(key, listed, curated)
            names.append(name)
            aliases.append(known)
        return {"entity_key": keys, "type": [self._types[k] for k in keys], "name": names, "aliases": aliases}

    @staticmethod
    def _discovered_name(key: str, surfaces: Mapping[str, int]) -> str:
        suffix = key.split(":", 1)[1]
        if len(surfaces) == 1:  # (most keys: the same answer without the set, the sort and the min)
            (only,) = surfaces
            candidate = singular(only)
            return candidate if normalise_name(candidate) == suffix else only
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
