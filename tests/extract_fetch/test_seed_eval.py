"""Evaluation: `paper-graph parse` on the saved seed pages reproduces the gold titles and abstracts."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.shared


def run_parse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paper_graph.cli", "parse", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def test_seed000_reproduces_the_gold_exactly(shared):
    [seed] = sorted((shared / "seeds").glob("000_*.txt"))
    gold = [json.loads(line) for line in (shared / "eval" / "seed000_papers.jsonl").read_text().splitlines()]
    done = run_parse(str(seed))
    records = [json.loads(line) for line in done.stdout.splitlines()]

    assert len(gold) == 183
    assert [(r["title"], r["abstract"]) for r in records] == [(g["title"], g["abstract"]) for g in gold]
    assert set(records[0]) >= {
        "paper_id",
        "title",
        "abstract",
        "arxiv_id",
        "authors",
        "sources",
        "published_at",
    }
    assert f"{seed}: 183 records (text_dump)" in done.stderr
    assert "duplicates: 0, quarantined: 0" in done.stderr


def test_all_seeds_report_per_file_counts_and_duplicates(shared):
    seeds = sorted((shared / "seeds").glob("*.txt"))
    done = run_parse(*map(str, seeds))
    per_file = dict(re.findall(r"^(\S+): (\d+) records \(text_dump\)$", done.stderr, flags=re.M))
    assert {k.rsplit("/", 1)[-1][:3]: int(v) for k, v in per_file.items()} == {
        "000": 183,
        "001": 45,
        "002": 30,
    }
    summary = re.search(r"records: (\d+), papers: (\d+), duplicates: (\d+), quarantined: (\d+)", done.stderr)
    assert summary, done.stderr
    parsed, papers, duplicates, quarantined = map(int, summary.groups())
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert (parsed, quarantined) == (258, 0)
    assert papers == len(records) and duplicates == parsed - papers > 0
    assert len({r["paper_id"] for r in records}) == len(records)
    # a paper listed on several pages keeps every page as provenance and the metadata of the richest one
    facetalk = next(r for r in records if r["title"].startswith("FaceTalk: Audio-Driven Motion Diffusion"))
    assert len(facetalk["sources"]) == 3
    assert (facetalk["author_count"], facetalk["published_at"]) == (4, "2023-12-13")
