"""`make bench`'s extraction benchmark, on a small corpus file written in the real format."""

from __future__ import annotations

import json
from pathlib import Path

import zstandard
from click.testing import CliRunner

from paper_graph.bench.extract import main
from tests.extract_nlp.conftest import FIXTURES


def _corpus(root: Path) -> Path:
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    rows = [{"arxiv_id": p["paper_id"], "title": p["title"], "abstract": p["abstract"]} for p in papers]
    lines = [json.dumps(row) for row in rows]
    (root / "corpus").mkdir()
    (root / "corpus" / "papers.jsonl.zst").write_bytes(zstandard.compress("\n".join(lines).encode() + b"\n"))
    return root


def test_repeated_runs_in_fresh_processes_report_the_median(tmp_path: Path) -> None:
    shared = _corpus(tmp_path)
    result = CliRunner().invoke(main, ["--shared", str(shared), "--limit", "2", "--repeat", "2"])
    assert result.exit_code == 0, result.output
    assert "papers                    2" in result.output
    runs = next(line for line in result.output.splitlines() if line.startswith("runs (abstracts/s)"))
    assert len(runs.split(";")[0].split(",")) == 2


def test_one_run_as_json_counts_papers_words_and_mentions(tmp_path: Path) -> None:
    shared = _corpus(tmp_path)
    result = CliRunner().invoke(main, ["--shared", str(shared), "--json"])
    figures = json.loads(result.output)
    assert figures["papers"] == len((FIXTURES / "papers.jsonl").read_text().splitlines())
    assert figures["words"] > 0 and figures["mentions"] > 0 and figures["abstracts_per_second"] > 0


def test_a_missing_corpus_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--shared", str(tmp_path)])
    assert result.exit_code != 0 and str(tmp_path / "corpus" / "papers.jsonl.zst") in result.output
