"""`paper-graph parse` on hand-written pages: records on stdout, counts and quarantine on stderr."""

from __future__ import annotations

import json

from click.testing import CliRunner

from extract.errors import FetchError
from extract.sources import fetch_source
from paper_graph.cli import main


def test_parse_prints_records_and_reports_counts(pages, tmp_path):
    runner = CliRunner()
    files = [str(pages / n) for n in ("dump_spaced.txt", "hf_daily_2024-06-03.json", "arxiv_error.xml")]
    result = runner.invoke(main, ["parse", *files, "--quarantine", str(tmp_path / "q")])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"][:8] for r in records] == ["EchoFace", "LipSync ", "Probing "]  # first-seen order
    assert records[0]["paper_id"] == "2406.01234" and records[0]["published_at"] == "2024-06-01"
    assert f"{files[0]}: 3 records (text_dump)" in result.stderr
    assert (
        f"{files[2]}: QUARANTINED (arxiv_atom): arXiv API error: incorrect id format for notanid"
        in result.stderr
    )
    assert "records: 5, papers: 3, duplicates: 2, quarantined: 1" in result.stderr
    assert (tmp_path / "q" / "quarantine" / "arxiv_error.xml.reason.json").is_file()


def test_parse_table_and_all_failed_exit_code(pages):
    runner = CliRunner()
    table = runner.invoke(
        main,
        ["parse", str(pages / "hf_search_talking_head.json"), "--format", "table", "--order", "paper_id"],
    )
    assert table.exit_code == 0 and table.stdout.index("2311.09999") < table.stdout.index("2406.01234")
    failed = runner.invoke(main, ["parse", str(pages / "robots_allow.txt")])
    assert failed.exit_code == 1 and "quarantined: 1" in failed.stderr


def test_missing_dump_folder_is_a_fetch_error(tmp_path):
    try:
        fetch_source(
            {"name": "seeds", "kind": "dump", "path": str(tmp_path / "absent")}, "2024-06-03", tmp_path
        )
    except FetchError as error:
        assert error.reason == "no such file or folder of saved pages" and error.url.endswith("absent")
    else:
        raise AssertionError("expected FetchError")
