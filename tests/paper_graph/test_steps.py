"""The pipeline steps end to end WITHOUT Airflow: fixture pages over a real local HTTP server and a
saved dump, into the real Parquet snapshot and the real Neo4j, each step fed what the one before made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.snapshot import Snapshot, open_snapshot, write_snapshot
from paper_graph import steps
from paper_graph.run import RunDir
from tests.support.http_server import FixtureServer, Reply

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
RUN_DATE = "2024-06-01"


@pytest.fixture
def config(tmp_path: Path, http_server: FixtureServer) -> str:
    http_server.route("/api/daily_papers", Reply.file(PAGES / "daily_papers_2024-06-01.json"))
    http_server.route("/api/papers/search", Reply.file(PAGES / "search_flow.json"))
    path = tmp_path / "pipeline.toml"
    path.write_text(
        f"""
[paths]
data_root = "{tmp_path / "data"}"

[fetch]
max_retries = 0
requests_per_second = 0

[load]
batch_size = 2

[[sources]]
name = "daily"
kind = "hf_daily"
base_url = "{http_server.base_url}"

[[sources]]
name = "search"
kind = "hf_search"
query = "flow"
base_url = "{http_server.base_url}"

[[sources]]
name = "saved"
kind = "dump"
path = "{PAGES / "saved_listing.txt"}"
"""
    )
    return str(path)


def _ingest(config: str) -> dict:
    sources = steps.plan_sources(config)
    for source in sources:
        steps.fetch(config, source, RUN_DATE)
    parsed = steps.parse(config, sources, RUN_DATE)
    extracted = steps.extract(config, parsed)
    return {
        "parsed": parsed,
        "extracted": extracted,
        "snapshot": steps.write_snapshot(config, extracted, "r1"),
    }


def test_steps_from_pages_to_snapshot_to_graph(config: str, neo4j_clean, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    made = _ingest(config)
    parsed, extracted, written = made["parsed"], made["extracted"], made["snapshot"]

    # each step names what it made; the next step works from that, not from the date
    run = RunDir.from_xcom(parsed["run"])
    assert extracted["run"] == parsed["run"] and run.run_date == RUN_DATE
    assert parsed["sources"] == ["daily", "saved", "search"] and parsed["failed_sources"] == []
    assert sum(1 for _ in run.papers.open()) == parsed["papers"]
    (shard,) = extracted["shards"]  # one process, one shard
    mentions = [json.loads(line) for line in Path(shard["mentions_file"]).read_text().splitlines()]
    assert len(mentions) == extracted["mentions"] == shard["mentions"] > 0
    assert {"paper_id", "entity_key", "start", "end", "is_contribution"} <= set(mentions[0])
    assert json.loads(run.responses.read_text())  # the archived bodies, for raw_responses

    snapshot = open_snapshot(Path(written["path"]).parent, RUN_DATE)
    rows = {name: entry.rows for name, entry in snapshot.manifest.tables.items()}
    assert rows == written["rows"]
    assert rows["papers"] == parsed["papers"] == 4  # 6 records from the three sources, deduplicated
    assert rows["mentions"] == extracted["mentions"]
    assert rows["entities"] == len({m["entity_key"] for m in mentions}) == shard["entities"]
    assert rows["raw_responses"] == 3
    assert {
        "citing_paper_id": "2406.01003",
        "cited_paper_id": "2406.01001",
        "entity_key": "method:flownerf",
    } in (snapshot.read_table("references").to_pylist())
    papers = {p["paper_id"]: p for p in snapshot.read_table("papers").to_pylist()}
    assert papers["2406.01001"]["github_repo"] == "https://github.com/example/flownerf"
    assert rows["authors"] == sum(len(p["authors"] or []) for p in papers.values())

    # the load run: verified once, the load steps hand the verified snapshot on and never hash again
    hashed: list[str] = []
    original = Snapshot.verify
    monkeypatch.setattr(Snapshot, "verify", lambda self: (hashed.append(self.date), original(self))[1])
    verified = steps.verify(config, [RUN_DATE])
    loaded = steps.load(neo4j_clean, config, verified)
    checked = steps.check(neo4j_clean, config, loaded)
    related = steps.load_relations(neo4j_clean, config, checked)
    assert hashed == [RUN_DATE]
    assert checked["ok"] and related["snapshot"] == verified

    from graph.db.runner import graph_counts

    counts = graph_counts(neo4j_clean)
    assert counts["nodes"]["Paper"] == 4
    assert counts["relationships"]["MENTIONS"] == rows["paper_entities"]
    assert counts["relationships"]["REFERENCES"] == rows["references"]
    assert counts["relationships"]["HAS_CODE"] == 1


def test_rerun_of_a_date_gives_identical_files(config: str) -> None:
    first = _ingest(config)["snapshot"]
    path = Path(first["path"])
    before = {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*.parquet"))}
    second = _ingest(config)["snapshot"]  # reuses the archive, rewrites the work folder and snapshot
    assert second["rows"] == first["rows"]
    assert {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*.parquet"))} == before


def test_load_refuses_a_snapshot_replaced_after_verify(config: str, neo4j_clean) -> None:  # type: ignore[no-untyped-def]
    written = _ingest(config)["snapshot"]
    verified = steps.verify(config, [RUN_DATE])
    write_snapshot(Path(written["path"]).parent, RUN_DATE, "another-run", {})  # replaced in between
    with pytest.raises(steps.PipelineError, match="changed since it was verified"):
        steps.load(neo4j_clean, config, verified)


def test_parse_fails_when_no_source_delivered(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(f'[paths]\ndata_root = "{tmp_path}"\n')
    with pytest.raises(steps.PipelineError, match="all 1 sources failed"):
        steps.parse(str(config), [{"name": "nothing", "kind": "dump"}], RUN_DATE)
