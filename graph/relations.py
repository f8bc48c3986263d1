"""Derived rows of a snapshot: authors, paper_entities, references, co_mentions.

The `*_table` functions take and give Arrow tables in the snapshot schemas (`graph.schema`), ready for
`SnapshotWriter.write`, and do their work in Arrow compute (group_by, joins, sorts) rather than per
row in Python; the functions without the suffix take rows (mappings or the `extract.records`
dataclasses) or tables and yield row dicts. Mentions and paper_entities rows must come grouped by
paper (the order `extract` produces them in, and the order `paper_entities_table` gives): a paper's
rows apart from each other raise RelationInputError. Memory: the columns used, a few hundred bytes
per mention; co_mentions' self-join holds k * k integer pairs for a paper with k entities.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
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


def _paper_runs(paper_ids: pa.ChunkedArray | pa.Array, what: str) -> pa.Array:
    """The run number of each row (0, 0, 1, 1, 1, 2, ...: a new one where paper_id changes); raises
    RelationInputError when a paper's rows are not contiguous (a paper in two runs)."""
    ids = paper_ids.combine_chunks() if isinstance(paper_ids, pa.ChunkedArray) else paper_ids
    if len(ids) == 0:
        return pa.array([], pa.int64())
    changes = pc.not_equal(ids.slice(1), ids.slice(0, len(ids) - 1)).cast(pa.int64())
    runs = pc.cumulative_sum(pa.concat_arrays([pa.array([0], pa.int64()), changes]))
    if runs[-1].as_py() + 1 != pc.count_distinct(ids).as_py():
        seen: set[str] = set()
        for paper_id in ids.filter(pc.equal(pc.pairwise_diff(runs), 1).fill_null(True)).to_pylist():
            if paper_id in seen:
                raise RelationInputError(
                    f"{what} rows must be grouped by paper_id; {paper_id!r} appears twice apart"
                )
            seen.add(paper_id)
    return runs


def authors_table(papers: pa.Table) -> pa.Table:
    """One row per (paper, author position) from papers' `authors` lists, in paper order."""
    lists = papers["authors"].combine_chunks()
    parents = pc.list_parent_indices(lists).to_numpy()
    offsets = lists.offsets.to_numpy()
    positions = np.arange(len(parents)) - (offsets[parents] - offsets[0])
    return pa.table(
        {
            "paper_id": papers["paper_id"].take(pa.array(parents)),
            "position": pa.array(positions, pa.int32()),
            "name": pc.list_flatten(lists),
        }
    )


def authors(papers: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """`authors_table` as row dicts."""
    slim = _slim_table(papers, {"paper_id": pa.string(), "authors": pa.list_(pa.string())})
    yield from _table_rows(authors_table(slim))


_MENTION_COLUMNS = {
    "paper_id": pa.string(),
    "entity_key": pa.string(),
    "type": pa.string(),
    "start": pa.int64(),
    "end": pa.int64(),
    "sentence": pa.string(),
    "is_contribution": pa.bool_(),
}


def paper_entities_table(mentions: pa.Table) -> pa.Table:
    """Mentions aggregated per (paper, entity): count, first offset and its sentence (the first mention
    by (start, end), then input order), proposed when any mention is a contribution.

    Rows come out sorted by (paper in input order, entity_key). Raises RelationInputError when the
    mentions of one paper are not contiguous.
    """
    runs = _paper_runs(mentions["paper_id"], "mention")
    keyed = pa.table(
        {
            "run": runs,
            "entity_key": mentions["entity_key"],
            "start": mentions["start"],
            "end": mentions["end"],
            "row": pa.array(np.arange(mentions.num_rows)),
            "is_contribution": mentions["is_contribution"],
        }
    )
    # sort_indices is stable: equal (start, end) keep the input order, so "first" is the first mention
    ordered = keyed.take(pc.sort_indices(keyed, [("start", "ascending"), ("end", "ascending")]))
    groups = ordered.group_by(["run", "entity_key"], use_threads=False).aggregate(
        [("row", "first"), ("row", "count"), ("is_contribution", "any")]
    )
    groups = groups.sort_by([("run", "ascending"), ("entity_key", "ascending")])
    first = mentions.select(["paper_id", "type", "start", "sentence"]).take(groups["row_first"])
    return pa.table(
        {
            "paper_id": first["paper_id"],
            "entity_key": groups["entity_key"],
            "type": first["type"],
            "mention_count": groups["row_count"].cast(pa.int32()),
            "first_offset": first["start"].cast(pa.int32()),
            "sentence": first["sentence"],
            "proposed": pc.fill_null(groups["is_contribution_any"], False),
        }
    )


def paper_entities(mentions: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """`paper_entities_table` of mention rows (mappings or `Mention`s), as row dicts."""
    yield from _table_rows(paper_entities_table(_slim_table(mentions, _MENTION_COLUMNS)))


def _table_rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    for batch in table.to_batches(max_chunksize=10_000):
        yield from batch.to_pylist()


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


def references_table(paper_entity_rows: Iterable[Any] | pa.Table) -> pa.Table:
    """(citing, cited, entity): citing mentions, without proposing, an entity that cited proposes;
    sorted by the table's sort keys."""
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
    return joined.sort_by([(name, "ascending") for name in TABLES["references"].sort_keys])


def references(paper_entity_rows: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """`references_table` as row dicts."""
    yield from _table_rows(references_table(paper_entity_rows))


def co_mentions_table(paper_entity_rows: Iterable[Any] | pa.Table) -> pa.Table:
    """Entity pairs (a < b) mentioned in the same paper, with the number of such papers; sorted by
    (entity_key_a, entity_key_b). Raises RelationInputError when a paper's rows are not contiguous.

    Entity keys are numbered in their sorted order and the pairs found by a self-join of the
    (paper, entity number) rows on the paper: the pairs of a paper with k entities are k * k join
    rows of two integers, counted by Arrow.
    """
    slim = _slim_table(paper_entity_rows, {"paper_id": pa.string(), "entity_key": pa.string()})
    runs = _paper_runs(slim["paper_id"], "paper_entities")
    keys = pc.unique(slim["entity_key"])
    names = keys.take(pc.sort_indices(keys))  # position = number, in key order
    numbered = pa.table({"run": runs, "entity": pc.index_in(slim["entity_key"], value_set=names)})
    numbered = numbered.group_by(["run", "entity"], use_threads=False).aggregate([])  # distinct
    pairs = numbered.join(numbered, keys="run", join_type="inner", left_suffix="_a", right_suffix="_b")
    pairs = pairs.filter(pc.less(pairs["entity_a"], pairs["entity_b"]))
    counted = pairs.group_by(["entity_a", "entity_b"]).aggregate([("run", "count")])
    counted = counted.sort_by([("entity_a", "ascending"), ("entity_b", "ascending")])
    return pa.table(
        {
            "entity_key_a": names.take(counted["entity_a"]),
            "entity_key_b": names.take(counted["entity_b"]),
            "paper_count": counted["run_count"].cast(pa.int32()),
        }
    )


def co_mentions(paper_entity_rows: Iterable[Any] | pa.Table) -> Iterator[dict[str, Any]]:
    """`co_mentions_table` as row dicts."""
    yield from _table_rows(co_mentions_table(paper_entity_rows))
