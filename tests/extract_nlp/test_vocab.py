"""`make vocab`: the build from a tiny vocabulary written here in the real formats, and the committed
files against a rebuild from ../shared when it is present."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from extract.nlp.gazetteer import VOCAB_DIR, read_vocab_entries
from extract.nlp.vocab.build import OUTPUT_FILES, VocabSourceError, build, main, render

DATASETS = [
    {
        "url": "https://paperswithcode.com/dataset/zebranet",
        "name": "ZebraNet",
        "full_name": "Zebra Network Benchmark",
        "variants": ["ZebraNet", "ZNB", "ZebraNet-to-Horse", "ZebraNet 64x64 (test)"],
        "tasks": [{"task": "Stripe Counting", "url": "x"}, {"task": "Image Classification", "url": "y"}],
    },
    {"url": "https://paperswithcode.com/dataset/quokka", "name": "Quokka", "full_name": "", "variants": []},
    {"url": "https://paperswithcode.com/dataset/the-benchmark", "name": "The benchmark", "variants": []},
    # a name the curated lists own: never taken from the vocabulary
    {"url": "https://paperswithcode.com/dataset/imagenet", "name": "ImageNet", "variants": ["imagenet-1k"]},
]
METHODS = [
    {
        "url": "https://paperswithcode.com/method/stripeformer",
        "name": "StripeFormer",
        "full_name": "Stripe Transformer",
        "collections": [{"collection": "Vision Transformers", "area": "Computer Vision"}],
    },
    {
        "url": "https://paperswithcode.com/method/stripe-pooling",
        "name": "Stripe Pooling",
        "full_name": "Stripe Pooling",
        "collections": [{"collection": "Pooling Operations", "area": "Computer Vision"}],
    },
]
OLDER_METHODS = [
    {"url": "https://paperswithcode.com/method/zap", "name": "ZAP", "full_name": "Zonal Attention Pooling"}
]
HF_MAPPINGS = """
from collections import OrderedDict

CONFIG_MAPPING_NAMES = OrderedDict(
    [
        ("zebra2", "Zebra2Config"),
        ("zebra2_vision_model", "Zebra2VisionConfig"),
        ("encoder-decoder", "EncoderDecoderConfig"),
    ]
)
"""
CORPUS = [{"title": "t", "abstract": "The stripes of the table " * 40}]
GOLD_ONLY = "Xylophonica"  # written to the fixture's eval folder: must never reach a derived file


def write_shared(root: Path) -> Path:
    vocab = root / "vocab"
    vocab.mkdir(parents=True)
    for name, rows in (
        ("pwc_datasets.json.gz", DATASETS),
        ("pwc_methods_2275.json.gz", METHODS),
        ("pwc_methods.json.gz", OLDER_METHODS),
    ):
        with gzip.open(vocab / name, "wt", encoding="utf-8") as handle:
            json.dump(rows, handle)
    (vocab / "transformers_auto_mappings.py").write_text(HF_MAPPINGS, encoding="utf-8")
    (root / "corpus").mkdir()
    lines = "".join(json.dumps(row) + "\n" for row in CORPUS).encode()
    (root / "corpus" / "papers.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines))
    (root / "eval").mkdir()
    gold = {"i": 0, "entities": [{"type": "DATASET", "name": GOLD_ONLY}]}
    (root / "eval" / "seed000_entities.jsonl").write_text(json.dumps(gold) + "\n", encoding="utf-8")
    return root


def test_build_keeps_provenance_and_filters_variants(tmp_path: Path) -> None:
    shared = write_shared(tmp_path / "shared")
    out = tmp_path / "vocab"
    result = CliRunner().invoke(main, ["--shared", str(shared), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    rows = {f: [json.loads(line) for line in (out / f).read_text().splitlines()] for f in OUTPUT_FILES}
    for filename in ("datasets.jsonl", "methods.jsonl", "models.jsonl", "tasks.jsonl"):
        assert rows[filename] and all(row["source"] for row in rows[filename])  # the provenance column
    datasets = {row["name"]: row for row in rows["datasets.jsonl"]}
    assert datasets["ZebraNet"]["source"] == "pwc-datasets:zebranet"
    # the full name and an abbreviation are aliases; leaderboard variants are not
    assert set(datasets["ZebraNet"]["aliases"]) == {"Zebra Network Benchmark", "ZNB"}
    assert datasets["Quokka"]["cue"] == ["Quokka"]  # an ambiguous one-word name needs a cue
    assert "ImageNet" not in datasets and "The benchmark" not in datasets
    methods = {row["name"]: row for row in rows["methods.jsonl"]}
    assert methods["StripeFormer"]["type"] == "MODEL"  # a proper name in a model collection
    assert methods["Stripe Pooling"]["type"] == "METHOD"
    assert methods["ZAP"]["aliases"] == ["Zonal Attention Pooling"]  # from the older export
    models = {row["name"]: row["source"] for row in rows["models.jsonl"]}
    assert models == {"Zebra2": "hf-transformers:zebra2"}  # sub-configs and generic types left out
    assert {row["name"] for row in rows["tasks.jsonl"]} == {"Stripe Counting", "Image Classification"}
    # "the" is capitalised in half its uses here: not a common lowercase word
    assert rows["common_words.jsonl"][0]["words"] == ["of", "stripes", "table"]
    everything = "".join((out / f).read_text() for f in OUTPUT_FILES)
    assert GOLD_ONLY not in everything  # nothing from ../shared/eval
    # the runtime reader accepts the derived files
    entries = read_vocab_entries(out)
    assert {e.source for e in entries} >= {"pwc-datasets:zebranet", "hf-transformers:zebra2"}


def test_build_is_reproducible_and_check_sees_drift(tmp_path: Path) -> None:
    shared = write_shared(tmp_path / "shared")
    assert build(shared) == build(shared)
    out = tmp_path / "vocab"
    runner = CliRunner()
    assert runner.invoke(main, ["--shared", str(shared), "--out", str(out)]).exit_code == 0
    assert runner.invoke(main, ["--shared", str(shared), "--out", str(out), "--check"]).exit_code == 0
    (out / "datasets.jsonl").write_text("", encoding="utf-8")
    drift = runner.invoke(main, ["--shared", str(shared), "--out", str(out), "--check"])
    assert drift.exit_code != 0 and "out of date" in drift.output


def test_a_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    shared = write_shared(tmp_path / "shared")
    (shared / "vocab" / "pwc_methods.json.gz").unlink()
    with pytest.raises(VocabSourceError, match="pwc_methods.json.gz: vocabulary file not found"):
        build(shared)
    result = CliRunner().invoke(main, ["--shared", str(shared), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and "vocabulary file not found" in result.output
    assert "Traceback" not in result.output


SHARED = Path(os.environ.get("PAPER_GRAPH_SHARED", "../shared"))


@pytest.mark.skipif(not (SHARED / "vocab").is_dir(), reason="../shared/vocab absent: no rebuild to compare")
def test_committed_vocabulary_matches_a_rebuild_from_shared() -> None:
    built = build(SHARED)
    for filename, rows in built.items():
        assert (VOCAB_DIR / filename).read_text(encoding="utf-8") == render(rows), filename
