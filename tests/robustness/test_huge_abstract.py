"""Issue 15, item 1: a paper with an abstract past spaCy's 1,000,000-character limit is kept."""

from __future__ import annotations

import json
import logging

from extract.nlp.pipeline import MAX_TEXT_CHARS, extract_papers
from tests.robustness.conftest import run_cli

HUGE = "We fine-tune BERT on SQuAD. " + "filler " * 200_000 + "We also use ResNet."  # ~1.4 M chars


def test_huge_abstract_is_cut_and_its_entities_come_from_the_kept_part(caplog):
    papers = [
        {"paper_id": "p-huge", "title": "A huge one", "abstract": HUGE},
        {"paper_id": "p-next", "title": "GPT-2 on ImageNet", "abstract": "We use BERT."},
    ]
    with caplog.at_level(logging.WARNING):
        results = dict(extract_papers(papers))
    assert set(results) == {"p-huge", "p-next"}
    huge = {m.text for m in results["p-huge"]}
    assert {"BERT", "SQuAD"} <= huge and "ResNet" not in huge  # ResNet is past the cut
    assert all(m.end <= MAX_TEXT_CHARS for m in results["p-huge"])
    assert {"GPT-2", "ImageNet", "BERT"} <= {m.text for m in results["p-next"]}
    assert "paper p-huge: text of" in caplog.text and "cut to its first" in caplog.text


def test_extract_command_goes_past_a_huge_abstract():
    lines = [
        {"paper_id": "p-huge", "title": "A huge one", "abstract": HUGE},
        {"paper_id": "p-next", "title": "GPT-2 on ImageNet", "abstract": "We use BERT."},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode()
    result = run_cli("extract", "-", "--format", "jsonl", stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["paper_id"] for line in result.stdout.splitlines()] == ["p-huge", "p-next"]
    assert "paper p-huge: text of" in result.stderr and "Traceback" not in result.stderr
