"""The extract stage in shards WITHOUT Airflow: a saved listing parsed for real, its papers cut into
shards, each shard extracted on its own, and the snapshot merged from them. The Parquet files are
byte-for-byte those of a one-shard run, and a retried shard does not duplicate rows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.snapshot import open_snapshot
from graph.snapshot.manifest import MANIFEST_NAME
from paper_graph import steps
from paper_graph.config import ConfigError, load_config
from paper_graph.run import RunDir
from paper_graph.shards import Shard, ShardError
from tests.support.pipeline_config import write_shards_config

RUN_DATE = "2024-06-01"
RUN_ID = "manual__2024-06-01T08:00:00+00:00"


def _config(folder: Path, shard_size: int | None = None) -> str:
    return str(write_shards_config(folder, shard_size))


def _parsed(config: str) -> dict:
    sources = steps.plan_sources(config)
    for source in sources:
        steps.fetch(config, source, RUN_DATE)
    return steps.parse(config, sources, RUN_DATE)


def _snapshot_files(summary: dict) -> tuple[dict[str, str], dict]:
    """sha256 of every file of the snapshot (manifest aside) and the manifest."""
    folder = Path(summary["path"])
    hashes = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }
    return hashes, json.loads((folder / MANIFEST_NAME).read_text())


@pytest.fixture(scope="module")
def one_shard(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict, dict]:
    """The reference: the whole run extracted in one piece (`steps.extract`, as `make scale` does)."""
    config = _config(tmp_path_factory.mktemp("one"))
    extracted = steps.extract(config, _parsed(config))
    assert len(extracted["shards"]) == 1
    hashes, manifest = _snapshot_files(steps.write_snapshot(config, extracted, RUN_ID))
    return hashes, manifest, extracted


def _sharded(config: str) -> tuple[list[dict], list[dict]]:
    planned = steps.plan_shards(config, _parsed(config))
    return planned, [steps.extract_shard(config, shard) for shard in planned]


def test_three_shards_give_the_bytes_of_one(tmp_path: Path, one_shard) -> None:
    reference, reference_manifest, whole = one_shard
    config = _config(tmp_path, shard_size=4)
    planned, results = _sharded(config)

    # 13 papers in 4 contiguous slices of papers.jsonl, in its order
    assert [(s["first"], s["papers"]) for s in planned] == [(0, 4), (4, 4), (8, 4), (12, 1)]
    run = RunDir.from_xcom(planned[0]["run"])
    papers = run.papers.read_text(encoding="utf-8").splitlines()
    for shard in planned:
        lines = Shard.from_xcom(shard).papers_file.read_text(encoding="utf-8").splitlines()
        assert lines == papers[shard["first"] : shard["first"] + shard["papers"]]
    # the merge is not trivial: entities are mentioned in several shards
    shards_of: dict[str, set[int]] = {}
    for result in results:
        for line in Path(result["mentions_file"]).read_text(encoding="utf-8").splitlines():
            shards_of.setdefault(json.loads(line)["entity_key"], set()).add(result["index"])
    spread = [key for key, found in shards_of.items() if len(found) >= 3]
    assert len(spread) >= 3, shards_of
    # the XCom stays small: counts and paths, no data
    assert len(json.dumps(results)) < 400 * len(results)

    extracted = steps.shards_extracted(results)
    assert (extracted["papers"], extracted["mentions"]) == (whole["papers"], whole["mentions"])
    summary = steps.write_snapshot(config, extracted, RUN_ID)
    assert summary["shards"] == 4
    hashes, manifest = _snapshot_files(summary)

    assert any(name.startswith("entities/") for name in hashes)
    assert hashes == reference  # every Parquet file, byte for byte
    assert manifest["content_sha256"] == reference_manifest["content_sha256"]
    assert manifest["tables"] == reference_manifest["tables"]
    assert manifest["tables"]["entities"]["rows"] == len(shards_of)


def test_a_retried_shard_replaces_only_its_own_output(tmp_path: Path, one_shard) -> None:
    reference, _, _ = one_shard
    config = _config(tmp_path, shard_size=3)
    planned, results = _sharded(config)
    assert len(planned) == 5
    others = {r["mentions_file"]: Path(r["mentions_file"]).stat().st_mtime_ns for r in results}
    # a try that died half way left its temporary file behind; the retry (and a second one) run again
    retried = Shard.from_xcom(planned[2])
    stale = retried.mentions_file.with_name(f".{retried.mentions_file.name}.tmp")
    stale.write_text(retried.mentions_file.read_text(encoding="utf-8")[:50], encoding="utf-8")
    first = Path(results[2]["mentions_file"]).read_bytes()
    for _ in range(2):
        results[2] = steps.extract_shard(config, planned[2])
    assert Path(results[2]["mentions_file"]).read_bytes() == first
    del others[results[2]["mentions_file"]]
    assert {p: Path(p).stat().st_mtime_ns for p in others} == others  # the other shards untouched

    hashes, manifest = _snapshot_files(steps.write_snapshot(config, steps.shards_extracted(results), RUN_ID))
    assert hashes == reference
    snapshot = open_snapshot(load_config(config).paths.snapshots, RUN_DATE)
    mentions = snapshot.read_table("mentions").to_pylist()
    keys = [(m["paper_id"], m["start"], m["end"], m["entity_key"]) for m in mentions]
    assert len(keys) == len(set(keys)) == manifest["tables"]["mentions"]["rows"]  # no row twice


def _rewrite_lines(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(edit(row), ensure_ascii=False) + "\n" for row in rows), "utf-8")


def test_files_the_row_readers_must_take_give_the_same_bytes(tmp_path: Path, one_shard) -> None:
    """pyarrow's JSON reader takes the work files as written; lines it cannot take as they are (a
    field left to its default) go through the PaperRecord / Mention readers, to the same snapshot."""
    from extract.jsonl import read_jsonl_table
    from graph.schema import TABLES

    reference, reference_manifest, _ = one_shard
    config = _config(tmp_path, shard_size=5)
    _, results = _sharded(config)
    extracted = steps.shards_extracted(results)
    run = RunDir.from_xcom(extracted["run"])
    mentions = [Path(r["mentions_file"]) for r in results]
    assert read_jsonl_table([run.papers], TABLES["papers"].schema, unknown_fields="ignore") is not None
    assert read_jsonl_table(mentions, TABLES["mentions"].schema) is not None

    # defaults left out, as another writer of the same records may do: the fields are missing
    _rewrite_lines(run.papers, lambda row: {k: v for k, v in row.items() if v != []})
    for path in mentions:
        _rewrite_lines(path, lambda row: {k: v for k, v in row.items() if k != "is_contribution" or v})
    assert read_jsonl_table([run.papers], TABLES["papers"].schema, unknown_fields="ignore") is None
    assert read_jsonl_table(mentions, TABLES["mentions"].schema) is None

    hashes, manifest = _snapshot_files(steps.write_snapshot(config, extracted, RUN_ID))
    assert hashes == reference
    assert manifest["content_sha256"] == reference_manifest["content_sha256"]


def test_a_bad_mentions_line_is_named_by_the_row_reader(tmp_path: Path) -> None:
    from extract.errors import ParseError

    config = _config(tmp_path, shard_size=5)
    _, results = _sharded(config)
    path = Path(results[1]["mentions_file"])
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(ParseError, match=rf"{path.name}:\d+"):
        steps.write_snapshot(config, steps.shards_extracted(results), RUN_ID)


def test_planning_again_replaces_the_earlier_shards(tmp_path: Path) -> None:
    config = _config(tmp_path, shard_size=2)
    parsed = _parsed(config)
    assert len(steps.plan_shards(config, parsed)) == 7
    again = steps.plan_shards(config, parsed, shard_size=5)
    assert [s["papers"] for s in again] == [5, 5, 3]
    run = RunDir.from_xcom(parsed["run"])
    assert sorted(p.name for p in run.shards.iterdir()) == ["00000", "00001", "00002"]
    assert not [p for p in run.path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_the_snapshot_refuses_an_incomplete_set_of_shards(tmp_path: Path) -> None:
    config = _config(tmp_path, shard_size=5)
    planned, results = _sharded(config)
    assert len(results) == 3
    with pytest.raises(ShardError, match=r"shards \[0, 2\] extracted, the plan has 3"):
        steps.write_snapshot(config, {"shards": [results[0], results[2]]}, RUN_ID)
    Path(results[1]["mentions_file"]).unlink()
    with pytest.raises(ShardError, match="without their mentions file"):
        steps.write_snapshot(config, {"shards": results}, RUN_ID)
    assert not load_config(config).paths.snapshots.exists()  # nothing published


def test_an_empty_run_is_one_empty_shard(tmp_path: Path) -> None:
    config = _config(tmp_path, shard_size=2)
    parsed = _parsed(config)
    run = RunDir.from_xcom(parsed["run"])
    run.papers.write_text("", encoding="utf-8")
    (shard,) = steps.plan_shards(config, parsed)
    result = steps.extract_shard(config, shard)
    assert (result["papers"], result["mentions"]) == (0, 0)
    summary = steps.write_snapshot(config, steps.shards_extracted([result]), RUN_ID)
    assert summary["rows"]["papers"] == summary["rows"]["entities"] == 0


@pytest.mark.parametrize("value", ["0", "-3", "2.5", '"many"'])
def test_a_bad_shard_size_is_a_config_error_naming_the_file(tmp_path: Path, value: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[extract]\nshard_size = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: \[extract\] shard_size must be"):
        load_config(path)
    assert load_config(_config(tmp_path / "default")).extract_shard_size == 5000


def test_real_corpus_papers_in_shards_give_the_bytes_of_one(tmp_path: Path) -> None:
    """1,000 real arXiv papers of ../shared/corpus in 4 shards against 1 (skipped without ../shared)."""
    from extract.jsonl import write_records_jsonl
    from paper_graph.bench.common import corpus_path, corpus_records

    corpus = corpus_path()
    if not corpus.is_file():
        pytest.skip(f"{corpus} (the shared benchmark corpus) is absent here")
    snapshots = []
    for name, shard_size in (("one", None), ("four", 250)):
        config = _config(tmp_path / name, shard_size)
        run = RunDir.of(load_config(config), RUN_DATE).create()  # what `parse` would have made
        run.responses.write_text("[]")
        parsed = {
            "run": run.as_xcom(),
            "papers": write_records_jsonl(corpus_records(corpus, 1000), run.papers),
        }
        if shard_size is None:
            extracted = steps.extract(config, parsed)
        else:
            extracted = steps.shards_extracted(
                steps.extract_shard(config, shard) for shard in steps.plan_shards(config, parsed)
            )
        assert len(extracted["shards"]) == (1 if shard_size is None else 4)
        snapshots.append(_snapshot_files(steps.write_snapshot(config, extracted, RUN_ID)))
    (one, one_manifest), (four, four_manifest) = snapshots
    assert one == four
    assert one_manifest["content_sha256"] == four_manifest["content_sha256"]
    assert four_manifest["tables"]["entities"]["rows"] > 100


def test_a_shard_file_that_does_not_match_its_plan_fails_and_keeps_the_mentions(tmp_path: Path) -> None:
    config = _config(tmp_path, shard_size=5)
    planned, results = _sharded(config)
    shard = Shard.from_xcom(planned[1])
    before = shard.mentions_file.read_bytes()
    lines = shard.papers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    shard.papers_file.write_text("".join(lines[:-1]), encoding="utf-8")  # a paper went missing
    with pytest.raises(ShardError, match=r"00001/papers\.jsonl: 4 papers, the plan says 5"):
        steps.extract_shard(config, planned[1])
    assert shard.mentions_file.read_bytes() == before


def test_workers_writing_their_own_parts_give_the_bytes_of_one_process(tmp_path: Path) -> None:
    """n_process=2: the workers extract parts of the shard and write them; the joined file is the
    mentions file one process writes, byte for byte (real corpus papers when ../shared is here)."""
    from extract.jsonl import write_records_jsonl
    from paper_graph import shards
    from paper_graph.bench.common import corpus_path, corpus_records

    config = _config(tmp_path, shard_size=10_000)
    corpus = corpus_path()
    if corpus.is_file():
        run = RunDir.of(load_config(config), RUN_DATE).create()
        write_records_jsonl(corpus_records(corpus, 300), run.papers)
        parsed = {"run": run.as_xcom()}
    else:
        parsed = _parsed(config)
    (planned,) = steps.plan_shards(config, parsed)
    shard = Shard.from_xcom(planned)
    single = shards.extract(shard, 16, 1)
    one_process = shard.mentions_file.read_bytes()
    parallel = shards.extract(shard, 16, 2)
    assert parallel == single
    assert shard.mentions_file.read_bytes() == one_process
    assert single["mentions"] > 0
    assert sorted(p.name for p in shard.path.iterdir()) == ["mentions.jsonl", "papers.jsonl"]  # no parts
    shard.mentions_file.unlink()
    with shards.worker_pool(2) as pool:  # started by the caller (as steps.extract does), used twice
        assert shards.extract(shard, 16, 2, pool) == single
        assert shards.extract(shard, 16, 2, pool) == single
    assert shard.mentions_file.read_bytes() == one_process


def test_a_bad_paper_line_in_a_workers_part_is_named_by_its_line(tmp_path: Path) -> None:
    from extract.errors import ParseError
    from paper_graph import shards

    config = _config(tmp_path, shard_size=100)
    (planned,) = steps.plan_shards(config, _parsed(config))
    shard = Shard.from_xcom(planned)
    lines = shard.papers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[9] = '{"paper_id": "x", "title": 3, "published_at": "June"}\n'
    shard.papers_file.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ParseError, match=r"00000/papers\.jsonl:10: not a PaperRecord line"):
        shards.extract(shard, 4, 2)
    assert not shard.mentions_file.exists()
    assert sorted(p.name for p in shard.path.iterdir()) == ["papers.jsonl"]


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 50])
def test_line_ranges_cut_a_file_into_whole_lines(tmp_path: Path, parts: int) -> None:
    from extract.jsonl import line_ranges

    path = tmp_path / "lines.jsonl"
    lines = [f'{{"n": {i}, "pad": "{"é" * (i * 7 % 13)}"}}\n'.encode() for i in range(20)]
    lines[4] = b"\n"  # a blank line counts as a line
    data = b"".join(lines) + b'{"last": "no newline"}'
    path.write_bytes(data)
    ranges = line_ranges(path, parts)
    assert 1 <= len(ranges) <= parts
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (start, end, first), (next_start, _, next_first) in zip(ranges, ranges[1:], strict=False):
        assert end == next_start > start
        assert data[end - 1 : end] == b"\n"
        assert next_first == first + data.count(b"\n", start, end)
    for start, _, first in ranges:
        assert data.count(b"\n", 0, start) == first - 1
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert line_ranges(tmp_path / "empty.jsonl", parts) == []


@pytest.mark.parametrize("n_process", [2, 3])
def test_part_ranges_cover_the_file_in_parts_that_shrink_towards_the_end(
    tmp_path: Path, n_process: int
) -> None:
    from paper_graph import shards

    path = tmp_path / "papers.jsonl"
    data = b"".join(f'{{"paper_id": "p{i:05d}"}}\n'.encode() for i in range(5000))  # equal lines
    path.write_bytes(data)
    ranges = shards.part_ranges(path, n_process)
    assert ranges[0][:1] == (0,) and ranges[-1][1] == len(data)
    for (start, end, first), (next_start, _, next_first) in zip(ranges, ranges[1:], strict=False):
        assert end == next_start > start and data[end - 1 : end] == b"\n"
        assert next_first == first + data.count(b"\n", start, end)
    sizes = [end - start for start, end, _ in ranges]
    piece = len(data) / (n_process * shards.PARTS_PER_PROCESS * shards.FINE_PARTS)
    assert all(later <= earlier + 2 * piece for earlier, later in zip(sizes, sizes[1:], strict=False))
    assert sizes[-1] <= 2 * piece < sizes[0] / 10  # the last parts are small, the first large
    assert len(ranges) <= n_process * shards.PARTS_PER_PROCESS
    assert ranges[0][2] == 1


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    values=st.tuples(
        _TEXT,
        _TEXT,
        st.sampled_from(["MODEL", "DATASET", "METHOD"]),
        _TEXT,
        st.integers(min_value=-(2**70), max_value=2**70),
        st.integers(min_value=0, max_value=10**6),
        _TEXT,
        st.one_of(_TEXT, st.none(), st.floats(allow_nan=True), st.booleans()),
        st.one_of(st.booleans(), st.integers(), st.none()),
    )
)
def test_a_workers_mention_lines_are_the_lines_row_to_json_writes(values: tuple) -> None:
    """Any text (quotes, backslashes, control and non-ASCII characters), any int, and values of other
    types (None, floats, a bool or an int where a str or a bool is declared) go through the fallback."""
    from extract.jsonl import row_to_json
    from extract.records import Mention
    from paper_graph.shards import _mention_line

    mention = Mention(*values)
    assert _mention_line(mention) == row_to_json(mention) + "\n"


def _pipeline_calls(_: int) -> tuple[int, int]:
    from extract.nlp.pipeline import load_pipeline

    info = load_pipeline.cache_info()
    return info.misses, info.hits


def test_the_workers_are_forked_with_the_pipeline_the_forkserver_built() -> None:
    """Each worker's initializer found the pipeline built (a cache hit, the one build inherited from
    the forkserver) instead of building its own."""
    from paper_graph import shards

    with shards.worker_pool(2) as pool:
        calls = pool.map(_pipeline_calls, range(4), chunksize=1)
    assert all(misses == 1 and hits >= 1 for misses, hits in calls), calls
