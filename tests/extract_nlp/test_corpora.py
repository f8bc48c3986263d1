"""The held-out split and the label mapping of the public corpora, on documents written here."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from extract.nlp.corpora import (
    CorpusError,
    is_scirex_heldout,
    parse_conll,
    read_tdmsci,
    scirex_part,
    scirex_sections,
    scirex_split,
)
from extract.nlp.evaluate import Labelled, Report
from extract.nlp.evaluate_public import gold_entities, score_text

IDS = [f"{n:040x}" for n in range(0, 4000 * 7919, 7919)]

# a SciREX document in the real format: title-only first section, "section : Abstract" heading
WORDS = [
    "document",
    ":",
    "Wobble",
    "-",
    "Net",
    ":",
    "Fast",
    "Parsing",
    "with",
    "Gated",
    "Units",
    "section",
    ":",
    "Abstract",
    "We",
    "present",
    "Wobble",
    "-",
    "Net",
    ",",
    "a",
    "parser",
    "trained",
    "on",
    "the",
    "Quux",
    "-",
    "10",
    "dataset",
    "and",
    "on",
    "GPS",
    "data",
    ".",
    "It",
    "beats",
    "LSTM",
    "baselines",
    "in",
    "parsing",
    "accuracy",
    ".",
]
SCIREX_DOC = {
    "doc_id": "hand-written-1",
    "words": WORDS,
    "sentences": [[0, 11], [11, 14], [14, 34], [34, 42]],
    "sections": [[0, 11], [11, 42]],
    "ner": [
        [2, 5, "Method"],  # Wobble - Net (title)
        [7, 8, "Task"],  # Parsing
        [16, 19, "Method"],  # Wobble - Net
        [25, 28, "Material"],  # Quux - 10 (a salient dataset)
        [31, 33, "Material"],  # GPS data (data, not a dataset)
        [36, 38, "Method"],  # LSTM baselines
        [39, 41, "Metric"],  # parsing accuracy
    ],
    "coref": {"Wobble-Net": [[2, 5], [16, 19]], "Quux-10": [[25, 28]]},
    "n_ary_relations": [
        {"Material": "Quux-10", "Method": "Wobble-Net", "Metric": "Accuracy", "Task": "Parsing"}
    ],
}


def test_the_split_is_deterministic_across_processes_and_about_a_fifth() -> None:
    heldout = [i for i in IDS if is_scirex_heldout(i)]
    assert 0.15 < len(heldout) / len(IDS) < 0.25
    code = "import sys; from extract.nlp.corpora import is_scirex_heldout as h; " + (
        "print(','.join(i for i in sys.stdin.read().split() if h(i)))"
    )
    for seed in ("0", "12345"):
        other = subprocess.run(
            [sys.executable, "-c", code],
            input="\n".join(IDS),
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout.strip()
        assert other.split(",") == heldout


def test_the_parts_are_disjoint_and_cover_every_paper() -> None:
    parts = {i: scirex_part(i) for i in IDS}
    assert set(parts.values()) == {"train", "dev", "heldout"}
    assert all((parts[i] == "heldout") == is_scirex_heldout(i) for i in IDS)
    assert sum(p == "dev" for p in parts.values()) < sum(p == "train" for p in parts.values())


def test_a_scirex_document_maps_to_our_labels_with_offsets() -> None:
    first = next(scirex_sections(SCIREX_DOC, first_only=True))
    assert first.title == "Wobble-Net: Fast Parsing with Gated Units"
    assert first.abstract.startswith("We present Wobble-Net, a parser trained on the Quux-10 dataset")
    labelled = [(span.label, first.surface(span), span.cluster) for span in first.spans]
    assert labelled == [
        ("METHOD", "Wobble-Net", "Wobble-Net"),
        ("NONE", "Parsing", ""),
        ("METHOD", "Wobble-Net", "Wobble-Net"),
        ("DATASET", "Quux-10", "Quux-10"),
        ("IGNORED", "GPS data", ""),
        ("METHOD", "LSTM baselines", ""),
        ("NONE", "parsing accuracy", ""),
    ]
    gold, ignored = gold_entities(first, ("DATASET", "METHOD"))
    assert sorted((g.type, g.name) for g in gold) == [
        ("DATASET", "Quux-10"),
        ("METHOD", "LSTM baselines"),
        ("METHOD", "Wobble-Net"),
    ]
    assert [i.name for i in ignored] == ["GPS data"]


def test_a_prediction_on_an_ignored_span_is_not_a_false_positive() -> None:
    gold = [Labelled.of("DATASET", "Quux-10", ())]
    ignored = [Labelled.of("IGNORED", "GPS data", ())]
    predicted = [Labelled.of("DATASET", "GPS data", ()), Labelled.of("METHOD", "Parsing", ())]
    report = Report()
    score_text("p", gold, predicted, ignored, report)
    assert (report.typed["ALL"].predicted, report.typed["ALL"].false_positives) == (1, 1)
    assert report.misses == [("p", "DATASET", "Quux-10")]


def test_the_held_out_split_reads_only_held_out_papers(tmp_path: Path) -> None:
    train = tmp_path / "train"
    train.mkdir()
    docs = [dict(SCIREX_DOC, doc_id=doc_id) for doc_id in IDS[:40]]
    with gzip.open(train / "scirex_train.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(doc) + "\n" for doc in docs)
    heldout = {t.doc_id.split("#")[0] for t in scirex_split(tmp_path, heldout=True, first_only=True)}
    rest = {t.doc_id.split("#")[0] for t in scirex_split(tmp_path, heldout=False, first_only=True)}
    assert heldout == {i for i in IDS[:40] if is_scirex_heldout(i)} and heldout
    assert not heldout & rest and heldout | rest == set(IDS[:40])


CONLL = """IMDB\t0\tB-DATASET
and\t5\tO
Penn\t9\tB-DATASET
Treebank\t14\tI-DATASET
help\t23\tO
sentiment\t28\tB-TASK
analysis\t38\tI-TASK
.\t46\tO

We\t48\tO
report\t51\tO
F1\t58\tB-METRIC
.\t60\tO
"""


def test_tdmsci_sentences_keep_their_spacing_and_labels() -> None:
    first, second = parse_conll(iter(CONLL.splitlines(keepends=True)), "x.conll")
    assert first.abstract == "IMDB and Penn Treebank help sentiment analysis."
    assert [(s.label, first.surface(s)) for s in first.spans] == [
        ("DATASET", "IMDB"),
        ("DATASET", "Penn Treebank"),
        ("NONE", "sentiment analysis"),
    ]
    assert second.abstract == "We report F1." and [s.label for s in second.spans] == ["NONE"]


def test_a_malformed_conll_line_is_named(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"x.conll:2: expected"):
        list(parse_conll(iter(["IMDB\t0\tB-DATASET\n", "broken line\n"]), "x.conll"))
    with pytest.raises(CorpusError, match="TDMSci file not found"):
        list(read_tdmsci(tmp_path, test=True))
