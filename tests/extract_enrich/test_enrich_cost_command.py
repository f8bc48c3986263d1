"""`paper-graph enrich-cost` on a run enriched against the local server; bad input gives a clear error."""

from __future__ import annotations

import json

from click.testing import CliRunner

from paper_graph.cli import main
from tests.extract_enrich.conftest import RUN
from tests.extract_enrich.test_enrich import enrich, serve_all


def test_enrich_cost_prints_the_table_from_the_sidecars(http_server, fixtures, fast_fetch, tmp_path):
    serve_all(http_server, fixtures)
    enrich(http_server, tmp_path, fast_fetch)
    archive = str(tmp_path / "archive")
    result = CliRunner().invoke(main, ["enrich-cost", "--archive", archive, "--papers", "6"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"enrichment cost, run date {RUN.isoformat()}, 6 papers"
    assert [line.split()[:2] for line in lines[2:]] == [
        ["arxiv_title", "2"],
        ["s2", "1"],
        ["hf_hub", "4"],
        ["total", "7"],
    ]


def test_enrich_cost_reads_the_papers_count_of_the_run(
    http_server, fixtures, fast_fetch, tmp_path, monkeypatch
):
    serve_all(http_server, fixtures)
    enrich(http_server, tmp_path, fast_fetch)
    work = tmp_path / "data" / "work" / f"dt={RUN.isoformat()}"
    work.mkdir(parents=True)
    (work / "enrich_report.json").write_text(json.dumps({"papers": 1000}))
    monkeypatch.setenv("PAPER_GRAPH_DATA", str(tmp_path / "data"))
    result = CliRunner().invoke(main, ["enrich-cost", "--archive", str(tmp_path / "archive")])
    assert result.exit_code == 0, result.output
    assert "1000 papers" in result.output.splitlines()[0]


def test_enrich_cost_bad_input_names_the_problem_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPER_GRAPH_DATA", str(tmp_path / "data"))
    runner = CliRunner()
    empty = runner.invoke(main, ["enrich-cost", "--archive", str(tmp_path / "nothing")])
    assert empty.exit_code == 1 and "no enrichment responses archived" in empty.output
    assert "Traceback" not in empty.output
