"""Derived rows of a snapshot: authors, paper_entities, references, co_mentions.

Inputs are iterables of rows (mappings or the `extract.records` dataclasses) or Arrow tables, and
outputs are iterators of row dicts in the snapshot schemas (`graph.schema`), ready for
`SnapshotWriter.write`. Mentions and paper_entities rows must come grouped by paper (the order
`extract` produces them in, and the order `paper_entities` yields): each paper is aggregated and
released before the next, so memory grows with the number of entities and entity pairs, not mentions.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graph.schema import TABLES

Row = Mapping[str, Any]


class RelationInputError(ValueError):
    """Rows that the relations cannot be derived from (e.g. not grouped by paper)."""


def _as_mapping(row: Any) -> Row:
    if isinstance(row, Mapping):
        return row
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


def _rows(data: Iterable[Any] | pa.Table) -> Iterator[Row]:
    if isinstance(data, pa.Table):
        for batch in data.to_batches(max_chunksize=10_000):
            yield from batch.to_pylist()
    else:
        for row in data:
            yield _as_mapping(row)


def _grouped_by_paper(rows: Iterable[Row], what: str) -> Iterator[tuple[str, list[Row]]]:
    seen: set[str] = set()
    for paper_id, group in itertools.groupby(rows, key=lambda row: row["paper_id"]):
        if paper_id in seen:
            raise RelationInputError(
                f"{what} rows must be grouped by paper_id; {paper_id!r} appears twice apart"
            )
        seen.add(paper_id)
        yield paper_id, list(group)


def authors(papers: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """One row per (paper, author position) from papers' `authors` lists."""
    for paper in _rows(papers):
        for position, name in enumerate(paper["authors"] or []):
            yield {"paper_id": paper["paper_id"], "position": position, "name": name}


def paper_entities(mentions: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """Mentions aggregated per (paper, entity): count, first offset and its sentence, proposed by the paper.

    Rows come out sorted by (paper in input order, entity_key). Raises RelationInputError when the
    mentions of one paper are not contiguous.
    """
    for paper_id, group in _grouped_by_paper(_rows(mentions), "mention"):
        by_entity: dict[str, list[Row]] = {}
        for mention in group:
            by_entity.setdefault(mention["entity_key"], []).append(mention)
        for entity_key in sorted(by_entity):
            found = by_entity[entity_key]
            first = min(found, key=lambda m: (m["start"], m["end"]))
            yield {
                "paper_id": paper_id,
                "entity_key": entity_key,
                "type": first["type"],
                "mention_count": len(found),
                "first_offset": first["start"],
                "sentence": first["sentence"],
                "proposed": any(bool(m["is_contribution"]) for m in found),
            }


def _slim_table(rows: Iterable[Any] | pa.Table, columns: dict[str, pa.DataType]) -> pa.Table:
    """Only the given columns of the rows, built in chunks (compact even for millions of rows)."""
    if isinstance(rows, pa.Table):
        return rows.select(list(columns)).cast(pa.schema(columns.items()))
    schema = pa.schema(columns.items())
    chunks = []
    iterator = _rows(rows)
    while batch := list(itertools.islice(iterator, 50_000)):
        chunks.append(pa.Table.from_pylist([{name: row[name] for name in columns} for row in batch], schema))
    return pa.concat_tables(chunks) if chunks else schema.empty_table()


def _sorted_rows(table: pa.Table, table_name: str) -> Iterator[dict[str, Any]]:
    keys = [(name, "ascending") for name in TABLES[table_name].sort_keys]
    for batch in table.sort_by(keys).to_batches(max_chunksize=10_000):
        yield from batch.to_pylist()


def references(paper_entity_rows: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """(citing, cited, entity): citing mentions, without proposing, an entity that cited proposes."""
    slim = _slim_table(
        paper_entity_rows, {"paper_id": pa.string(), "entity_key": pa.string(), "proposed": pa.bool_()}
    )
    proposed = pc.fill_null(slim["proposed"], False)
    cited = (
        slim.filter(proposed)
        .select(["entity_key", "paper_id"])
        .rename_columns(["entity_key", "cited_paper_id"])
    )
    citing = (
        slim.filter(pc.invert(proposed))
        .select(["paper_id", "entity_key"])
        .rename_columns(["citing_paper_id", "entity_key"])
    )
    joined = citing.join(cited, keys="entity_key", join_type="inner")
    joined = joined.filter(pc.not_equal(joined["citing_paper_id"], joined["cited_paper_id"]))
    # paper_entities holds one row per (paper, entity), so the join gives each reference once
    joined = joined.select(["citing_paper_id", "cited_paper_id", "entity_key"])
    yield from _sorted_rows(joined, "references")


def co_mentions(
    paper_entity_rows: Iterable[Any] | pa.Table, chunk_pairs: int = 1_000_000
) -> Iterator[dict[str, Any]]:
    """Entity pairs (a < b) mentioned in the same paper, with the number of such papers.

    Entity keys are numbered and each pair packed into one int64, counted in Arrow chunks: millions of
    distinct pairs take tens of MB, not a Python dict's GBs.
    """
    ids: dict[str, int] = {}
    pending = array("q")
    counted = pa.table({"pair": pa.array([], pa.int64()), "paper_count": pa.array([], pa.int64())})

    def fold() -> pa.Table:
        pairs = pa.table(
            {"pair": pa.array(pending, pa.int64()), "paper_count": pa.nulls(len(pending), pa.int64())}
        )
        pairs = pairs.set_column(1, "paper_count", pc.add(pc.fill_null(pairs["paper_count"], 0), 1))
        del pending[:]
        merged = pa.concat_tables([counted, pairs]).group_by("pair").aggregate([("paper_count", "sum")])
        return merged.rename_columns(["pair", "paper_count"])

    for _paper_id, group in _grouped_by_paper(_rows(paper_entity_rows), "paper_entities"):
        keys = sorted({row["entity_key"] for row in group})
        numbers = [ids.setdefault(key, len(ids)) for key in keys]
        pending.extend(a << 32 | b for a, b in itertools.combinations(numbers, 2))
        if len(pending) >= chunk_pairs:
            counted = fold()
    counted = fold()
    names = pa.array(list(ids), pa.string())  # position = number
    pair = counted["pair"]
    result = pa.table(
        {
            "entity_key_a": names.take(pc.shift_right(pair, 32)),
            "entity_key_b": names.take(pc.bit_wise_and(pair, 0xFFFFFFFF)),
            "paper_count": counted["paper_count"].cast(pa.int32()),
        }
    )
    yield from _sorted_rows(result, "co_mentions")
