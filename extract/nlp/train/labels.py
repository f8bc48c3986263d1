"""Training targets of `pg_span_classifier`: which classes each candidate span may take.

A training Example's reference doc carries the source's labelled spans in `doc.spans["pg_gold"]`
(labels below) and, in `doc.user_data`, its source and weight. A candidate proposed by the rules gets:

- the label of a labelled span with the same characters, or of one containing it ("GMM" in "Deep GMM");
- nothing when it only overlaps labelled spans partly, or lies inside a labelled task / metric;
- otherwise, by source: SciREX (annotated exhaustively) -> the label the same surface has elsewhere in
  that paper, else DROP; TDMSci (tasks, datasets and metrics only) -> "not a dataset"; the weak
  sources (rules, keywords) -> nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy
from spacy.tokens import Doc
from spacy.training import Example

from extract.nlp.components.classifier import CLASSES, Candidates
from extract.nlp.normalize import match_form
from extract.nlp.spans import CURATED_GROUPS

GOLD_KEY = "pg_gold"
SOURCE_KEY = "pg_source"
WEIGHT_KEY = "pg_weight"
KNOWN_KEY = "pg_known"  # SciREX: match form -> label of every labelled surface of the whole paper

_ALL = set(CLASSES)
ALLOWED: dict[str, frozenset[str]] = {
    "METHOD": frozenset({"MODEL", "METHOD"}),  # SciREX "Method": a model or a method
    "DATASET": frozenset({"DATASET"}),
    "NONE": frozenset({"DROP"}),  # a labelled task or metric
    "NOT_DATASET": frozenset(_ALL - {"DATASET"}),
    "KEEP": frozenset({"MODEL", "DATASET", "METHOD"}),  # an ai_keyword of the paper: some entity
    "WEAK_MODEL": frozenset({"MODEL"}),
    "WEAK_DATASET": frozenset({"DATASET"}),
    "WEAK_METHOD": frozenset({"METHOD"}),
}
# datasets are a small share of the labelled candidates (SciREX is mostly methods): weighted up, so that
# the words around a method do not outvote a dataset's own evidence
CLASS_WEIGHTS = {"DATASET": 3.0, "WEAK_DATASET": 3.0}
_MASKS = {label: numpy.array([c in allowed for c in CLASSES]) for label, allowed in ALLOWED.items()}


def gold_spans(doc: Doc) -> list[tuple[int, int, str]]:
    return [(span.start_char, span.end_char, span.label_) for span in doc.spans.get(GOLD_KEY, [])]


def target_label(
    start: int,
    end: int,
    surface: str,
    proposed: str,
    gold: Sequence[tuple[int, int, str]],
    source: str,
    known: dict[str, str],
) -> str | None:
    """The ALLOWED key of one candidate (proposed as type `proposed`), or None when it is not labelled."""
    container: tuple[int, int, str] | None = None
    inside = False
    for gold_start, gold_end, label in gold:
        if gold_start == start and gold_end == end:
            if label.startswith("WEAK_") and label != f"WEAK_{proposed}":
                return None  # the rules retyped it by its context later on: no lesson for this step
            return None if label == "IGNORED" else label
        if gold_start <= start and end <= gold_end:
            inside = True
            # only a name at the edge of a labelled phrase ("GMM" in "Deep GMM", "LSTM" in "LSTM
            # baselines") takes its label: "ImageNet" inside "ResNet trained on ImageNet" does not
            if (gold_start == start or gold_end == end) and (
                container is None or gold_end - gold_start < container[1] - container[0]
            ):
                container = (gold_start, gold_end, label)
        elif gold_start < end and start < gold_end:
            return None  # crosses or contains a labelled span
    if container is not None:
        return None if container[2] in ("NONE", "IGNORED") else container[2]
    if inside:
        return None
    if source == "scirex":
        label = known.get(match_form(surface))
        if label in ("METHOD", "DATASET"):
            return label  # labelled so elsewhere in the paper
        if label == "IGNORED":
            return None
        # SciREX labels methods densely, so an unlabelled method candidate is junk; its Material
        # labels are sparse (many datasets are unlabelled), so a dataset candidate learns nothing
        return None if proposed == "DATASET" else "NONE"
    if source == "tdmsci":
        return "NOT_DATASET"
    return None


def candidate_targets(
    examples: Sequence[Example], candidates: Sequence[Candidates]
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(allowed-class mask (n, classes), weight per candidate: 0 when unlabelled) for a batch."""
    masks: list[numpy.ndarray] = []
    weights: list[float] = []
    for example, found in zip(examples, candidates, strict=True):
        reference = example.reference
        gold = gold_spans(reference)
        source = reference.user_data.get(SOURCE_KEY, "")
        weight = float(reference.user_data.get(WEIGHT_KEY, 1.0))
        known = reference.user_data.get(KNOWN_KEY, {})
        # a candidate on the tokens of a hand-curated name is kept whatever the step decides (the
        # curated span stays): no lesson (SciREX leaves some terms of art unlabelled that our
        # guideline wants, such as multi-head attention)
        curated = {
            (span.start, span.end)
            for group in CURATED_GROUPS
            for span in example.predicted.spans.get(group, [])
        }
        for start, end, surface, proposed, tokens in zip(
            found.start_chars,
            found.end_chars,
            found.surfaces,
            found.labels,
            zip(found.starts, found.ends, strict=True),
            strict=True,
        ):
            label = (
                None
                if tokens in curated
                else target_label(start, end, surface, CLASSES[proposed], gold, source, known)
            )
            masks.append(_MASKS[label] if label else _MASKS["KEEP"])
            weights.append(weight * CLASS_WEIGHTS.get(label, 1.0) if label else 0.0)
    if not masks:
        return numpy.zeros((0, len(CLASSES)), dtype=bool), numpy.zeros(0)
    return numpy.stack(masks), numpy.array(weights)


def entity_scores(examples: Iterable[Example]) -> dict[str, float]:
    """Exact-span P / R / F of the final entities against the labelled ones (MODEL counted as METHOD;
    TDMSci: DATASET only; a prediction on an ignored span is not counted). Picks the best checkpoint."""
    tp = predicted = gold_total = 0
    for example in examples:
        reference = example.reference
        source = reference.user_data.get(SOURCE_KEY, "")
        if source not in ("scirex", "tdmsci"):
            continue
        types = {"DATASET"} if source == "tdmsci" else {"DATASET", "METHOD"}
        spans = gold_spans(reference)
        gold = {(s, e, label) for s, e, label in spans if label in types}
        ignored = {(s, e) for s, e, label in spans if label == "IGNORED"}
        for ent in example.predicted.ents:
            label = "METHOD" if ent.label_ == "MODEL" else ent.label_
            key = (ent.start_char, ent.end_char)
            if label not in types or key in ignored:
                continue
            predicted += 1
            tp += (*key, label) in gold
        gold_total += len(gold)
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pg_ents_p": precision, "pg_ents_r": recall, "pg_ents_f": f1}
