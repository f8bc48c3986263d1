"""Issue 15, items 5, 6, 10, 11 and 12: `paper-graph parse` / `extract` answer bad input with a clear
message and a non-zero exit, never a traceback (the real command, as a subprocess)."""

from __future__ import annotations

import json
import os

from tests.robustness.conftest import hf_item, run_cli, write_json


def _clear_failure(result, *expected: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_parse_dev_null_and_a_fifo(tmp_path):
    _clear_failure(run_cli("parse", "/dev/null"), "/dev/null", "not a regular file (a character device)")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    _clear_failure(run_cli("parse", str(fifo), timeout=30), str(fifo), "not a regular file (a FIFO)")


def test_parse_empty_folder_or_only_pdfs_exits_non_zero(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _clear_failure(run_cli("parse", str(empty)), f"{empty}: no saved pages", ".txt")
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    _clear_failure(run_cli("parse", str(pdfs)), f"{pdfs}: no saved pages")


def test_parse_refuses_a_file_over_max_bytes_and_keeps_the_rest(tmp_path, pages):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "good.json").write_bytes((pages / "hf_daily_2024-06-03.json").read_bytes())
    (folder / "huge.txt").write_bytes(b"Subscribe\n" + b"x" * 5000)
    result = run_cli("parse", str(folder), "--max-bytes", "4000")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stdout.splitlines()) == 2  # the good page's two papers
    assert f"{folder / 'huge.txt'}: QUARANTINED" in result.stderr
    assert "file of 5010 bytes exceeds the 4000-byte limit" in result.stderr


def test_parse_summary_shows_quarantined_pages_and_entries_with_where_they_are(tmp_path):
    page = write_json(
        tmp_path / "in" / "mixed.json", [hf_item("2406.00001", "Kept"), hf_item("2406.00002", None)]
    )
    (tmp_path / "in" / "junk.json").write_text("{not json", encoding="utf-8")
    result = run_cli("parse", str(tmp_path / "in"), "--quarantine", str(tmp_path / "q"))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "quarantined: 1 pages, 1 entries" in result.stderr
    assert f"{page}: 1 of 2 entries left out: item 1 has no title" in result.stderr
    assert "junk.json: page quarantined: invalid JSON" in result.stderr
    assert f"stored in {tmp_path / 'q' / 'quarantine'}" in result.stderr


def test_extract_names_the_line_of_invalid_utf8(tmp_path):
    good = json.dumps({"paper_id": "a", "title": "BERT", "abstract": ""}).encode()
    bad_file = tmp_path / "papers.jsonl"
    bad_file.write_bytes(good + b"\n" + b'{"paper_id": "b", "title": "x \xff"}\n')
    result = run_cli("extract", str(bad_file), "--format", "jsonl")
    _clear_failure(result, f"{bad_file}:2: not UTF-8")
    assert json.loads(result.stdout.splitlines()[0])["paper_id"] == "a"  # the good line before it is out
    _clear_failure(
        run_cli("extract", "-", stdin=b'{"paper_id": "b", "title": "\xc3"}\n'), "<stdin>:1: not UTF-8"
    )


def test_extract_names_the_line_of_a_non_string_paper_id(tmp_path):
    bad_file = tmp_path / "papers.jsonl"
    bad_file.write_text('{"paper_id": 123, "title": "A title"}\n', encoding="utf-8")
    _clear_failure(
        run_cli("extract", str(bad_file)), f"{bad_file}:1:", "'paper_id' must be a string, not int"
    )
    bad_file.write_text('{"paper_id": "p", "title": "A title", "abstract": 5}\n', encoding="utf-8")
    _clear_failure(
        run_cli("extract", str(bad_file)), f"{bad_file}:1:", "'abstract' must be a string, not int"
    )
