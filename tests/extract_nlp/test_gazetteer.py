import json
from pathlib import Path

import pytest

from extract.nlp.gazetteer import (
    GazetteerEntry,
    GazetteerError,
    alias_index,
    curated_entries,
    is_case_sensitive,
    read_entries,
    span_ruler_patterns,
    spelling_variants,
    stoplist,
)


def _write(
    folder: Path, models: list[dict], datasets: list | None = None, methods: list | None = None
) -> None:
    for name, rows in (("models", models), ("datasets", datasets or []), ("methods", methods or [])):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_variants_cover_hyphens_spaces_and_method_plurals() -> None:
    assert {"Llama 2", "Llama-2", "Llama2"} <= spelling_variants("Llama 2", plural=False)
    assert {"self-attention", "self attention", "self-attentions"} <= spelling_variants(
        "self-attention", plural=True
    )
    assert not any(v.endswith("s") for v in spelling_variants("GPT-4", plural=False))


def test_one_capitalised_word_is_case_sensitive_but_phrases_and_versions_are_not() -> None:
    assert is_case_sensitive("Whisper") and is_case_sensitive("ZeRO") and is_case_sensitive("CLIP")
    assert not is_case_sensitive("Stable Diffusion")
    assert not is_case_sensitive("GSM8K")
    assert not is_case_sensitive("diffusion model")


def test_patterns_carry_type_and_key() -> None:
    entry = GazetteerEntry("MODEL", "Whisper", ("whisper-large",), None)
    cased = span_ruler_patterns([entry], cased=True)
    lower = span_ruler_patterns([entry], cased=False)
    assert {p["pattern"] for p in cased} == {"Whisper"}
    assert "whisper-large" in {p["pattern"] for p in lower}
    assert {p["id"] for p in cased + lower} == {"model:whisper"}


def test_duplicate_and_malformed_lines_name_the_file(tmp_path: Path) -> None:
    _write(tmp_path, [{"name": "GPT-4"}, {"name": "GPT 4"}])
    with pytest.raises(GazetteerError, match=r"models\.jsonl:2: 'GPT 4' duplicates line 1"):
        read_entries(tmp_path)
    (tmp_path / "models.jsonl").write_text('{"name": "X"}\nnot json\n')
    with pytest.raises(GazetteerError, match=r"models\.jsonl:2: invalid JSON"):
        read_entries(tmp_path)
    (tmp_path / "models.jsonl").write_text('{"aliases": []}\n')
    with pytest.raises(GazetteerError, match="needs a 'name'"):
        read_entries(tmp_path)


def test_shipped_gazetteers_are_large_and_consistent() -> None:
    entries = curated_entries()
    by_type = {t: sum(1 for e in entries if e.type == t) for t in ("MODEL", "DATASET", "METHOD")}
    assert all(count >= 200 for count in by_type.values()), by_type
    assert alias_index()["llama2"].name == "LLaMA-2"
    assert "llm" in stoplist() and "psnr" in stoplist()
    # a curated entity is never also a generic phrase
    assert not {e.key.split(":", 1)[1] for e in entries} & stoplist()
