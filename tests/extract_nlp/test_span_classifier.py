"""pg_span_classifier: its loss, its targets, the committed weights, its decisions on our own sentences."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy
import pytest
from spacy.language import Language

from extract.nlp.components.classifier import (
    CLASSES,
    PACKAGE_DIR,
    batch_features,
    partial_label_loss,
)
from extract.nlp.pipeline import build_pipeline
from extract.nlp.train.labels import candidate_targets, target_label
from extract.nlp.train.readers import span_training
from tests.extract_nlp.test_corpora import CONLL, SCIREX_DOC


@pytest.fixture(scope="module")
def rules() -> Language:
    return build_pipeline(exclude=("pg_span_classifier",))


def _entities(nlp: Language, text: str) -> dict[str, str]:
    return {ent.text: ent.label_ for ent in nlp(text).ents}


def test_the_partial_label_loss_gradient_matches_finite_differences() -> None:
    rng = numpy.random.default_rng(0)
    scores = rng.normal(size=(3, 4))
    allowed = numpy.array([[0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]], dtype=bool)  # Method, DROP, DATASET
    weights = numpy.array([1.0, 0.5, 0.0])
    loss, gradient = partial_label_loss(scores, allowed, weights)
    for i, j in [(0, 0), (0, 3), (1, 0), (2, 2)]:
        bumped = scores.copy()
        bumped[i, j] += 1e-5
        numeric = (partial_label_loss(bumped, allowed, weights)[0] - loss) / 1e-5
        assert gradient[i, j] == pytest.approx(numeric, abs=1e-4)
    assert not gradient[2].any()  # an unlabelled candidate (weight 0) teaches nothing


def test_targets_follow_the_labelled_spans() -> None:
    gold = [(0, 10, "METHOD"), (20, 30, "NONE"), (40, 48, "IGNORED"), (50, 60, "DATASET")]

    def target(start: int, end: int, surface: str, proposed: str = "METHOD", **kwargs: object) -> str | None:
        source = str(kwargs.get("source", "scirex"))
        return target_label(start, end, surface, proposed, gold, source, kwargs.get("known", {}))  # type: ignore[arg-type]

    assert target(0, 10, "Wobble-Net") == "METHOD"
    assert target(3, 10, "ble-Net") == "METHOD"  # at the edge of a labelled method
    assert target(3, 8, "ble-N") is None  # in its middle
    assert target(22, 25, "abc") is None  # inside a task: a name in a task name
    assert target(40, 48, "GPS data", "DATASET") is None
    assert target(5, 15, "crossing") is None
    assert target(70, 75, "Quux", "DATASET", known={"quux": "DATASET"}) == "DATASET"  # labelled elsewhere
    assert target(70, 75, "Junk") == "NONE"  # SciREX labels every method
    assert target(70, 75, "Junk", "DATASET") is None  # but not every dataset
    assert target(70, 75, "Junk", source="tdmsci") == "NOT_DATASET"
    assert target(70, 75, "Junk", source="weak") is None


def test_the_reader_gives_examples_whose_candidates_get_targets(tmp_path: Path, rules: Language) -> None:
    from extract.nlp.corpora import is_scirex_heldout, scirex_part

    (tmp_path / "train" / "tdmsci").mkdir(parents=True)
    ids = [f"{n:040x}" for n in range(200)]
    train_id = next(i for i in ids if scirex_part(i) == "train")
    heldout_id = next(i for i in ids if is_scirex_heldout(i))
    with gzip.open(tmp_path / "train" / "scirex_train.jsonl.gz", "wt", encoding="utf-8") as out:
        for doc_id in (train_id, heldout_id):
            out.write(json.dumps(dict(SCIREX_DOC, doc_id=doc_id)) + "\n")
    sentence = [
        ("We", "O"),
        ("test", "O"),
        ("on", "O"),
        ("the", "O"),
        ("ZebraQA", "B-DATASET"),
        ("dataset", "O"),
    ]
    offsets = [0, 3, 8, 11, 15, 23]
    zebra = "".join(
        f"{word}\t{offset}\t{tag}\n" for (word, tag), offset in zip(sentence, offsets, strict=True)
    )
    (tmp_path / "train" / "tdmsci" / "train_1500_v2.conll").write_text(f"{CONLL}\n{zebra}", encoding="utf-8")
    examples = list(span_training(str(tmp_path))(rules))
    sources = [eg.reference.user_data["pg_source"] for eg in examples]
    assert sources == ["scirex", "tdmsci", "tdmsci", "tdmsci"]  # the held-out paper is not read
    for _, proc in rules.pipeline[:-1]:  # the candidate generators, as `spacy train` runs them
        for eg in examples:
            eg.predicted = proc(eg.predicted)
    candidates, _ = batch_features(eg.predicted for eg in examples)
    masks, weights = candidate_targets(examples, candidates)
    row = 0
    targets = {}
    for found in candidates:
        for surface in found.surfaces:
            targets[surface] = (tuple(c for c, a in zip(CLASSES, masks[row], strict=True) if a), weights[row])
            row += 1
    assert targets["ZebraQA"] == (("DATASET",), 3.0)  # datasets weighted up
    assert targets["Wobble-Net"] == (("MODEL", "METHOD"), 1.0)  # SciREX "Method": a model or a method
    assert targets["GPS"][1] == 0.0  # inside "GPS data", an ignored Material: no lesson
    assert "IMDB" not in targets and "LSTM" not in targets  # the curated lists' names are not judged


def test_the_committed_weights_load_from_the_repo(nlp: Language) -> None:
    classifier = nlp.get_pipe("pg_span_classifier")
    assert (PACKAGE_DIR / classifier.weights).is_file()
    assert PACKAGE_DIR in (PACKAGE_DIR / classifier.weights).resolve().parents
    assert numpy.count_nonzero(classifier.model.get_param("W")) > 10_000
    names = [name for name, _ in nlp.pipeline]
    assert names.index("pg_names") < names.index("pg_span_classifier") == names.index("pg_resolver") - 1


def test_untrained_it_changes_nothing(rules: Language) -> None:
    untrained = build_pipeline()
    untrained.get_pipe("pg_span_classifier").model.set_param(
        "W", numpy.zeros_like(untrained.get_pipe("pg_span_classifier").model.get_param("W"))
    )
    untrained.get_pipe("pg_span_classifier").model.set_param("b", numpy.zeros(len(CLASSES), dtype="f"))
    text = "QuuxNet: Enhanced Parsing\n\nWe present QuuxNet, evaluated on the Wobble dataset and on MMLU."
    assert _entities(untrained, text) == _entities(rules, text)


def _probabilities(nlp: Language, text: str) -> dict[str, dict[str, float]]:
    """surface -> class probabilities of each candidate, from the committed weights."""
    classifier = nlp.get_pipe("pg_span_classifier")
    names = [name for name, _ in nlp.pipeline]
    doc = nlp.make_doc(text)
    for _, proc in nlp.pipeline[: names.index("pg_span_classifier")]:
        doc = proc(doc)
    (candidates,), probabilities = classifier.predict([doc])
    return {
        surface: dict(zip(CLASSES, row.tolist(), strict=True))
        for surface, row in zip(candidates.surfaces, probabilities, strict=True)
    }


def test_it_drops_a_citation_key_the_rules_took_for_a_name(nlp: Language, rules: Language) -> None:
    text = "Following Smith2019, we segment the scans of the QuuxLung cohort with a U-Net."
    assert _entities(rules, text).get("Smith2019") == "METHOD"
    assert "Smith2019" not in _entities(nlp, text)
    assert _entities(nlp, text)["U-Net"] == "METHOD"  # a curated name is never dropped


def test_it_keeps_a_clear_dataset_and_a_new_method(nlp: Language) -> None:
    text = "We fine-tune QuuxFormer on the ZebraQA dataset and evaluate it on the ZebraQA-Hard benchmark."
    probabilities = _probabilities(nlp, text)
    assert probabilities["ZebraQA"]["DATASET"] > 0.9 and probabilities["ZebraQA-Hard"]["DATASET"] > 0.9
    assert probabilities["QuuxFormer"]["DROP"] < 0.1
    assert _entities(nlp, text) == {"QuuxFormer": "METHOD", "ZebraQA": "DATASET", "ZebraQA-Hard": "DATASET"}


def test_retyping_follows_the_configured_margin() -> None:
    text = "We report results on PubMed abstracts."
    retyping = build_pipeline()
    classifier = retyping.get_pipe("pg_span_classifier")
    probabilities = _probabilities(retyping, text)["PubMed"]
    assert probabilities["DATASET"] - probabilities["METHOD"] > 0.3  # the words around it say dataset
    assert _entities(retyping, text) == {"PubMed": "METHOD"}  # retyping is off by default
    classifier.cfg["retype_margin"] = 0.3
    assert _entities(retyping, text) == {"PubMed": "DATASET"}


def test_saved_weights_depend_only_on_their_values(tmp_path: Path) -> None:
    pipeline = build_pipeline()
    classifier = pipeline.get_pipe("pg_span_classifier")
    committed = classifier.model.get_param("W").copy()
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    classifier.save_weights(first)
    classifier.save_weights(second)
    assert first.read_bytes() == second.read_bytes()
    classifier.model.set_param("W", numpy.zeros_like(committed))
    classifier.load_weights(first)
    assert numpy.array_equal(classifier.model.get_param("W"), committed)
    with pytest.raises(FileNotFoundError, match="run `make train`"):
        classifier.load_weights(tmp_path / "missing.npz")
