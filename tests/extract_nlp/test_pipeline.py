"""Public API, registry, CLI and scoring on the fixture papers in tests/fixtures/nlp."""

import json

import pytest
from click.testing import CliRunner

from extract.nlp.evaluate import Labelled, Report, score_paper
from extract.nlp.pipeline import PaperInputError, extract_papers
from extract.nlp.registry import EntityRegistry
from extract.records import PaperRecord, paper_text
from paper_graph.cli.extract import extract
from tests.extract_nlp.conftest import FIXTURES


def _papers() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]


def test_extract_papers_streams_in_order_with_exact_offsets() -> None:
    papers = _papers()
    records = [PaperRecord(paper_id=p["paper_id"], title=p["title"], abstract=p["abstract"]) for p in papers]
    results = list(extract_papers(iter(records), batch_size=2))
    assert [paper_id for paper_id, _ in results] == [p["paper_id"] for p in papers]
    for paper, (_, mentions) in zip(papers, results, strict=True):
        text = paper_text(paper["title"], paper["abstract"])
        assert all(text[m.start : m.end] == m.text and m.sentence in text for m in mentions)
    first = {m.text: m for m in results[0][1]}
    assert first["Quibble"].is_contribution and first["Quibble"].type == "METHOD"
    assert first["Sparse Token Routing"].entity_key == first["STR"].entity_key
    assert first["LLaMA-2-7B"].type == "MODEL" and first["Llama 2"].entity_key == "model:llama2"
    assert "LLMs" not in first and "PSNR" not in first
    assert results[2][1] == []  # a title without entities


def test_worker_processes_give_the_single_process_mentions_in_order() -> None:
    papers = _papers() * 3  # several batches of 2: the read-ahead and the ordering are exercised
    single = list(extract_papers(papers, batch_size=2))
    assert any(mentions for _, mentions in single)
    assert list(extract_papers(iter(papers), batch_size=2, n_process=2)) == single


def test_doc_mentions_agree_with_or_without_the_given_text(nlp) -> None:
    from extract.nlp.pipeline import doc_mentions

    text = paper_text(_papers()[0]["title"], _papers()[0]["abstract"])
    assert doc_mentions("p", nlp(text)) == doc_mentions("p", nlp(text), text)
    assert doc_mentions("p", nlp(text))


def test_dict_input_is_accepted_and_bad_input_is_named() -> None:
    [(paper_id, mentions)] = extract_papers([{"paper_id": "x", "title": "CLIP for all"}])
    assert paper_id == "x" and mentions[0].entity_key == "model:clip"
    with pytest.raises(PaperInputError, match="needs a paper_id and a title"):
        list(extract_papers([{"title": "no id"}]))


def test_registry_merges_aliases_across_papers_deterministically() -> None:
    mentions = [m for _, ms in extract_papers(_papers()) for m in ms]
    forward, backward = EntityRegistry(), EntityRegistry()
    forward.add(mentions)
    backward.add(reversed(mentions))
    assert list(forward.entities()) == list(backward.entities())
    nerf = forward.entity("method:nerf")
    assert nerf.name == "NeRF" and "neural radiance fields" in nerf.aliases
    routing = forward.entity("method:str")
    assert routing.name == "STR" and "Sparse Token Routing" in routing.aliases
    keys = [e.entity_key for e in forward.entities()]
    assert keys == sorted(keys) and len(keys) == len(forward)


def test_registry_columns_and_surface_counts_give_the_entities() -> None:
    """`entity_columns` (the snapshot's entity table) is `entities()` column by column, and
    `add_surface_counts` (distinct surfaces with their counts) builds the same registry as `add`:
    listed keys, single-surface keys whose singular is (not) the key, frequency ties."""
    mentions = [m for _, ms in extract_papers(_papers()) for m in ms]
    extra = [("method:bar", "METHOD", "bars", 1), ("method:bars", "METHOD", "bars", 1)]
    extra += [("model:tie", "MODEL", text, 2) for text in ("TIE", "Tie", "tie-x")]
    extra += [("model:tie", "DATASET", "tie-y", 1)]  # a later type: the first one stays
    one = EntityRegistry()
    one.add(mentions)
    counts: dict[tuple[str, str], int] = {}
    types: dict[str, str] = {}
    for m in mentions:
        counts[(m.entity_key, m.text)] = counts.get((m.entity_key, m.text), 0) + 1
        types.setdefault(m.entity_key, m.type)
    for key, entity_type, text, count in extra:
        one.add_surface(key, entity_type, text, count)
        counts[(key, text)] = counts.get((key, text), 0) + count
        types.setdefault(key, entity_type)
    bulk = EntityRegistry()
    pairs = sorted(counts, reverse=True)  # any order: the counts decide
    bulk.add_surface_counts(types, [k for k, _ in pairs], [t for _, t in pairs], [counts[p] for p in pairs])
    expected = list(one.entities())
    assert list(bulk.entities()) == expected
    columns = bulk.entity_columns()
    assert [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)] == [
        {"entity_key": e.entity_key, "type": e.type, "name": e.name, "aliases": e.aliases} for e in expected
    ]
    assert one.entity("method:bar").name == "bar" and one.entity("method:bars").name == "bars"
    assert one.entity("model:tie").type == "MODEL" and one.entity("model:tie").name == "TIE"


def test_cli_prints_jsonl_and_table() -> None:
    runner = CliRunner()
    result = runner.invoke(extract, [str(FIXTURES / "papers.jsonl"), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["paper_id"] for r in rows] == [p["paper_id"] for p in _papers()]
    zebra = {e["name"]: e for e in rows[1]["entities"]}
    assert zebra["ZebraBench"]["type"] == "DATASET" and zebra["ZebraBench"]["is_contribution"]
    assert zebra["ResNet-50"]["offsets"][0][1] - zebra["ResNet-50"]["offsets"][0][0] == len("ResNet-50")
    table = runner.invoke(extract, ["-"], input=(FIXTURES / "papers.jsonl").read_text())
    assert table.exit_code == 0 and "*DATASET  ZebraBench" in table.output and "(no entities)" in table.output


def test_cli_names_the_bad_line() -> None:
    result = CliRunner().invoke(extract, ["-"], input='{"paper_id": "a", "title": "ok"}\n{"title": 3}\n')
    assert result.exit_code != 0 and "<stdin>:2" in result.output


def test_scoring_follows_the_guideline() -> None:
    gold = [Labelled.of("METHOD", "NeRF", ["Neural Radiance Fields"]), Labelled.of("DATASET", "MMLU", [])]
    predicted = [
        Labelled.of("METHOD", "neural-radiance field", []),  # plural, hyphen and case ignored
        Labelled.of("MODEL", "MMLU", []),  # right text, wrong type: typed miss + FP, untyped hit
        Labelled.of("MODEL", "Bogus", []),
    ]
    report = Report()
    score_paper("p", gold, predicted, report)
    typed, untyped = report.typed["ALL"], report.untyped
    assert (typed.gold, typed.found, typed.predicted, typed.false_positives) == (2, 1, 3, 2)
    assert (untyped.found, untyped.false_positives) == (2, 1)
    assert report.misses == [("p", "DATASET", "MMLU")]
    assert {n for _, _, n in report.false_positives} == {"MMLU", "Bogus"}
    assert typed.f1 == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))


@pytest.mark.shared
def test_evaluation_runs_on_the_shared_gold(shared) -> None:
    from extract.nlp.evaluate import evaluate

    report = evaluate(shared / "eval")
    assert report.typed["ALL"].gold > 100
    # a regression guard, well under the measured figure: the full numbers come from `make eval`
    assert report.typed["ALL"].f1 > 0.7
