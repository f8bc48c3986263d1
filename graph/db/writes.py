"""What a loader step writes, declared as data: the nodes and relationships one row becomes.

The transactional loader runs each step's `.cypher` statement; the bulk importer (graph/db/bulk.py)
reads these declarations instead, so the two paths share the step's row function and the model's
names. Property names come from graph/db/model.py (NODE_PROPERTIES, RelationshipSpec.properties);
a declaration only says which row field feeds a property when the names differ.

A row is read as the step's `to_rows` gives it, with a nested `properties` mapping (the
`SET n += row.properties` of papers.cypher) flattened into it, and `load_id` set to the load's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.db import model


@dataclass(frozen=True)
class NodeWrite:
    """One node per row, MERGEd on the label's key (model.NODE_KEYS): the first row of a key wins."""

    label: model.Label  # the key label (the constraint's label; also the importer's ID space)
    extra_label_field: str | None = None  # row field naming a second label (Entity -> Model, ...)
    fields: Mapping[str, str] = field(default_factory=dict)  # property -> row field, when they differ
    constants: Mapping[str, object] = field(default_factory=dict)  # property -> value the statement sets

    @property
    def key(self) -> str:
        return model.NODE_KEYS[self.label]

    @property
    def properties(self) -> tuple[str, ...]:
        return model.NODE_PROPERTIES[self.label]

    def source(self, prop: str) -> str:
        return self.fields.get(prop, prop)


@dataclass(frozen=True)
class RelWrite:
    """One relationship per row from the node keyed by `start_field` to the one keyed by `end_field`;
    written only when both ends exist (the statement's MATCH), and when `where` (a row field) is true."""

    type: model.Rel
    start_field: str
    end_field: str
    fields: Mapping[str, str] = field(default_factory=dict)  # property -> row field, when they differ
    where: str | None = None
    start: model.Label | None = None  # needed only when the model has several specs of this type
    end: model.Label | None = None

    @property
    def spec(self) -> model.RelationshipSpec:
        specs = [
            s
            for s in model.RELATIONSHIPS
            if s.type == self.type
            and (self.start is None or s.start == self.start)
            and (self.end is None or s.end == self.end)
        ]
        if len(specs) != 1:
            raise ValueError(f"{self.type}: {len(specs)} model relationships match; name start and end")
        return specs[0]

    @property
    def properties(self) -> tuple[str, ...]:
        return self.spec.properties

    def source(self, prop: str) -> str:
        return self.fields.get(prop, prop)


Write = NodeWrite | RelWrite
