"""Rerunning a date gives the same data: byte-identical Parquet files, the manifest differs only in run_id.

The steps run for real without Airflow (paper_graph.steps), fetching from the local HTTP server and a
saved page, twice for the same date with two different run ids (as two Airflow runs would have).
"""

from __future__ import annotations

import json
from pathlib import Path

from graph.snapshot.manifest import MANIFEST_NAME, RUN_FIELDS
from paper_graph import steps
from tests.support.http_server import FixtureServer, Reply
from tests.support.pipeline_config import write_pipeline_config

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "e2e"
RUN_DATE = "2024-06-01"


def _config(tmp_path: Path, server: FixtureServer) -> str:
    sources = [
        {"name": "daily", "kind": "hf_daily", "base_url": server.base_url},
        {"name": "saved", "kind": "dump", "path": str(PAGES / "saved_listing.txt")},
    ]
    return str(write_pipeline_config(tmp_path, sources, {"max_retries": 0, "requests_per_second": 0}))


def _run(config: str, run_id: str) -> tuple[dict[str, bytes], dict, str]:
    sources = steps.plan_sources(config)
    for source in sources:
        steps.fetch(config, source, RUN_DATE)
    parsed = steps.parse(config, sources, RUN_DATE)
    summary = steps.write_snapshot(config, steps.extract(config, parsed), run_id)
    folder = Path(summary["path"])
    parquet = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}
    text = (folder / MANIFEST_NAME).read_text()
    return parquet, json.loads(text), text


def test_a_rerun_gives_identical_parquet_and_a_manifest_differing_only_in_run_id(
    tmp_path: Path, http_server: FixtureServer
) -> None:
    http_server.route("/api/daily_papers", Reply.file(PAGES / "daily_papers_2024-06-01.json"))
    config = _config(tmp_path, http_server)

    first_files, first, first_text = _run(config, "manual__2024-06-02T08:00:00+00:00")
    second_files, second, second_text = _run(config, "manual__2024-06-02T09:30:00+00:00")

    assert first_files and set(first_files) == set(second_files)
    for path, data in first_files.items():
        assert data == second_files[path], f"{path} differs between the two runs"
    assert first["run_id"] != second["run_id"]
    assert {"run_id"} == RUN_FIELDS
    same = {k: v for k, v in first.items() if k not in RUN_FIELDS}
    assert same == {k: v for k, v in second.items() if k not in RUN_FIELDS}
    assert first["content_sha256"] == second["content_sha256"]  # the hash that excludes the run
    changed = [
        (a, b) for a, b in zip(first_text.splitlines(), second_text.splitlines(), strict=True) if a != b
    ]
    assert [a.split(":")[0].strip() for a, _ in changed] == ['"run_id"']
