"""`pg_span_classifier`: a learned keep / drop / retype decision on every candidate span.

Runs after the candidate generators (gazetteers and rules, which write `doc.spans` groups) and before
the resolver. Each distinct candidate span gets hashed features of itself and its window (words around
it, its head word, its shape, length, capitalisation, which groups proposed it with which type, whether
it is in the title, how often the paper repeats it, head-noun cues next to it), scored by a hashed
linear model (thinc's `SparseLinear`) over four classes: DROP, MODEL, DATASET, METHOD.

- DROP wins when its probability is above `drop_threshold`: the span leaves every candidate group
  (the hand-curated lists' names are not judged: those lists are overrides);
- another type replaces the proposed one when its probability beats the proposed type's by
  `retype_margin`: the span is relabelled (its key follows the new type);
- otherwise the candidate is left as the rules proposed it.

The features of a whole batch are built with numpy and scored in one call, so the per-span cost is a
few microseconds. Untrained (all weights zero) the component changes nothing. The trained weights are
committed (`weights/span_classifier.npz`) and loaded by `initialize`; `make train` reproduces them.
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import string
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry
from thinc.api import Model, SparseLinear_v2

from extract.nlp.components.common import (
    SPAN_BOUNDS_KEY,
    SpanBounds,
    candidate_key,
    span_bounds,
    surface_key,
    text_of,
    token_ends,
    token_starts,
)
from extract.nlp.components.title import title_end
from extract.nlp.gazetteer import stoplist
from extract.nlp.lexicon import DATASET_HEADS, METHOD_HEADS, MODEL_HEADS, SKIP_HEADS
from extract.nlp.spans import CANDIDATE_GROUPS, CURATED_GROUPS

CLASSES = ("DROP", "MODEL", "DATASET", "METHOD")
DROP, METHOD = 0, 3
CLASS_INDEX = {name: index for index, name in enumerate(CLASSES)}
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WEIGHTS = "weights/span_classifier.npz"
FEATURE_BUCKETS = 2**17

# the word id (`Token.lower`) of the tokens the context features read, outside the doc a boundary
# the hand-curated lists are overrides: their names are not judged (and not read, which saves time);
# a candidate of another group on the same tokens may be dropped, the curated one stays
CLASSIFIED_GROUPS = tuple(group for group in CANDIDATE_GROUPS if group not in CURATED_GROUPS)
_LABEL_OF_TEXT = {name: index for index, name in enumerate(CLASSES) if index != DROP}
_HEAD_CUE: dict[int, int] = {}
for _cue, _words in enumerate((SKIP_HEADS, DATASET_HEADS, MODEL_HEADS, METHOD_HEADS), 1):
    for _word in _words:
        _HEAD_CUE.setdefault(hash_string(_word), _cue)
_BOUNDARY = numpy.array([hash_string("<s>"), hash_string("</s>")], dtype=numpy.uint64)
_OPEN, _CLOSE = int(_BOUNDARY[0]), int(_BOUNDARY[1])
_SENTENCE_END = numpy.array([hash_string(p) for p in (".", "\n\n", ":", ";")], dtype=numpy.uint64)
_DIGIT = re.compile(r"\d")
_MULTIPLIER = numpy.uint64(0x9E3779B97F4A7C15)


def _template(name: str) -> numpy.uint64:
    return numpy.uint64(hash_string(name))


def _mix(template: numpy.uint64, values: numpy.ndarray) -> numpy.ndarray:
    """One feature key per value: the template's seed mixed with the value (uint64, wrapping)."""
    with numpy.errstate(over="ignore"):
        return (values.astype(numpy.uint64) ^ template) * _MULTIPLIER


# context templates, applied to token ids around the span (and combined with the proposed type)
_CONTEXT = {
    name: _template(name) for name in ("p1", "p2", "n1", "n2", "first", "last", "p1L", "n1L", "lastL")
}
_CATEGORICAL = {
    name: _template(name)
    for name in (
        "groups",
        "groupsL",
        "L",
        "ntok",
        "titleL",
        "countL",
        "cueNextL",
        "cuePrevL",
        "shapeL",
        "startL",
    )
}


_CHAR_CLASSES = str.maketrans(
    {
        **{c: "X" for c in string.ascii_uppercase},
        **{c: "x" for c in string.ascii_lowercase},
        **{c: "d" for c in string.digits},
    }
)
_RUNS = {1: (re.compile(r"(.)\1+"), r"\1"), 2: (re.compile(r"(.)\1{2,}"), r"\1\1")}
# the runs of the three letter classes, cut by literal replacements (a template like r"\1" is expanded
# by Python code at every match); a doubled character of any other class takes the `_RUNS` pattern
_CLASS_RUNS = {cap: tuple((re.compile(f"{c}{{{cap + 1},}}"), c * cap) for c in "Xxd") for cap in (1, 2)}
_OTHER_RUN = re.compile(r"([^Xxd])\1")


def _shape(text: str, cap: int) -> str:
    """Character classes with runs cut to `cap` ("GPT-4o" -> "XX-dx" with cap 2)."""
    return _cut_runs(text.translate(_CHAR_CLASSES), cap)


@functools.lru_cache(maxsize=65536)
def _cut_runs(classes: str, cap: int) -> str:
    """(memoised: far fewer class strings than surfaces, and the substitution is slow)"""
    if _OTHER_RUN.search(classes):
        pattern, replacement = _RUNS[cap]
        return pattern.sub(replacement, classes)
    for pattern, replacement in _CLASS_RUNS[cap]:
        classes = pattern.sub(replacement, classes)
    return classes


@functools.lru_cache(maxsize=200_000)
def surface_features(surface: str) -> tuple[int, ...]:
    """Hashed features of a candidate's text alone (memoised: names recur across papers)."""
    lower = surface.lower()
    words = surface.split()
    classes = surface.translate(_CHAR_CLASSES)  # `_shape` of both caps, translated once
    flags = (
        "lower"
        if surface.islower()
        else "upper"
        if surface.isupper()
        else "title"
        if surface.istitle()
        else "mixed",
        "digit" if _DIGIT.search(surface) else "nodigit",
        "hyphen" if "-" in surface else "nohyphen",
    )
    features = [
        f"s={lower}",
        f"shape1={_cut_runs(classes, 1)}",
        f"shape2={_cut_runs(classes, 2)}",
        f"suffix3={lower[-3:]}",
        f"prefix3={lower[:3]}",
        f"chars={min(len(surface), 12)}",
        f"flags={'|'.join(flags)}",
        f"words={min(len(words), 4)}|{flags[0]}",
        f"stop={surface_key(surface) in stoplist()}",
    ]
    return tuple(map(hash_string, features))


@dataclass(slots=True)
class Candidates:
    """The distinct candidate spans of one doc (token and character offsets, proposed class, groups)."""

    starts: list[int]
    ends: list[int]
    labels: list[int]  # class index of the strongest group's type
    masks: list[int]  # bit i: proposed by CLASSIFIED_GROUPS[i]
    start_chars: list[int]
    end_chars: list[int]
    surfaces: list[str]

    def __len__(self) -> int:
        return len(self.surfaces)


def doc_candidates(doc: Doc) -> Candidates:
    """The doc's distinct candidates by token offsets, with their character offsets (surfaces:
    `batch_features`), read from the rule components' span bounds and token offsets (`span_bounds`:
    no `Span` is built while the cache is in step with the groups)."""
    index: dict[tuple[int, int], int] = {}
    found = Candidates([], [], [], [], [], [], [])
    masks = found.masks
    groups = doc.spans.data  # `doc.spans` is a UserDict: its dict, without the Python-level lookups
    first_chars: Sequence[int] | None = None
    last_chars: Sequence[int] = ()
    for bit, group in enumerate(CLASSIFIED_GROUPS):
        if not groups.get(group):
            continue
        if first_chars is None:
            first_chars, last_chars = token_starts(doc), token_ends(doc)
        for start, end, label, _ in span_bounds(doc, group):
            position = index.get((start, end))
            if position is None:
                index[(start, end)] = len(masks)
                found.starts.append(start)
                found.ends.append(end)
                found.start_chars.append(first_chars[start])
                found.end_chars.append(last_chars[end - 1])
                found.labels.append(_LABEL_OF_TEXT.get(label, METHOD))
                masks.append(1 << bit)
            else:
                masks[position] |= 1 << bit
    return found


def batch_features(
    docs: Iterable[Doc],
) -> tuple[list[Candidates], tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]]:
    """Candidates per doc and the batch's SparseLinear input (keys, values, lengths).

    The word ids around every candidate of the batch form one table (`_CONTEXT_POSITIONS`), so that
    every feature column is computed once for the whole batch."""
    all_candidates: list[Candidates] = []
    with_candidates: list[Doc] = []
    context: list[int] = []
    token_counts: list[int] = []
    labels: list[int] = []
    masks: list[int] = []
    for doc in docs:
        candidates = doc_candidates(doc)
        all_candidates.append(candidates)
        if not candidates.starts:
            continue
        size = len(doc)
        for start, end in zip(candidates.starts, candidates.ends, strict=True):
            token_counts.append(end - start)
            for i in (start - 1, start - 2, end, end + 1, start, end - 1):
                context.append(doc[i].lower if 0 <= i < size else _OPEN if i < 0 else _CLOSE)
        labels += candidates.labels
        masks += candidates.masks
        with_candidates.append(doc)
    if not token_counts:
        empty = numpy.zeros(0, dtype=numpy.uint64)
        return all_candidates, (empty, numpy.zeros(0, dtype=numpy.float32), numpy.zeros(0, dtype=numpy.int32))
    table = numpy.array(context, dtype=numpy.uint64).reshape(-1, _CONTEXT_POSITIONS)
    in_title: list[bool] = []
    repeats: list[int] = []
    surfaces: list[str] = []
    for candidates, doc in zip((c for c in all_candidates if c.starts), with_candidates, strict=True):
        text = text_of(doc)
        candidates.surfaces = [
            text[s:e] for s, e in zip(candidates.start_chars, candidates.end_chars, strict=True)
        ]
        boundary = title_end(doc)
        in_title += [s < boundary for s in candidates.start_chars]
        counts: dict[str, int] = {}  # (a `Counter` costs more for a doc's few candidates)
        for surface in candidates.surfaces:
            counts[surface] = counts.get(surface, 0) + 1
        repeats += [min(counts[s], 3) for s in candidates.surfaces]
        surfaces += candidates.surfaces
    keys = _feature_keys(
        table,
        numpy.array(token_counts, dtype=numpy.int64),
        numpy.array(labels, dtype=numpy.uint64),
        numpy.array(masks, dtype=numpy.uint64),
        numpy.array(in_title, dtype=numpy.uint64),
        numpy.array(repeats, dtype=numpy.uint64),
        numpy.array([surface_features(s) for s in surfaces], dtype=numpy.uint64),
    )
    n, width = keys.shape
    lengths = numpy.full(n, width, dtype=numpy.int32)
    values = numpy.ones(n * width, dtype=numpy.float32)
    return all_candidates, (numpy.ascontiguousarray(keys.ravel()), values, lengths)


_CONTEXT_POSITIONS = 6  # the words before (2), after (2), first and last of a candidate


def _feature_keys(
    words: numpy.ndarray,
    token_counts: numpy.ndarray,
    labels: numpy.ndarray,
    masks: numpy.ndarray,
    in_title: numpy.ndarray,
    repeats: numpy.ndarray,
    surface: numpy.ndarray,
) -> numpy.ndarray:
    """(n candidates, n features) uint64 feature keys (`words`: the `_CONTEXT_POSITIONS` columns)."""
    p1, p2, n1, n2, first, last = words.T
    eight = numpy.uint64(8)
    with numpy.errstate(over="ignore"):
        by_label = labels * numpy.uint64(0x100000001B3)
        cue_next = numpy.array([_HEAD_CUE.get(w, 0) for w in n1.tolist()], dtype=numpy.uint64)
        cue_prev = numpy.array([_HEAD_CUE.get(w, 0) for w in p1.tolist()], dtype=numpy.uint64)
        n_tokens = numpy.minimum(token_counts, 5).astype(numpy.uint64)
        sentence_start = ((p1 == _BOUNDARY[0]) | numpy.isin(p1, _SENTENCE_END)).astype(numpy.uint64)
        context, cat = _CONTEXT, _CATEGORICAL
        columns = [
            _mix(context["p1"], p1),
            _mix(context["p2"], p2),
            _mix(context["n1"], n1),
            _mix(context["n2"], n2),
            _mix(context["first"], first),
            _mix(context["last"], last),
            _mix(context["p1L"], p1 ^ by_label),
            _mix(context["n1L"], n1 ^ by_label),
            _mix(context["lastL"], last ^ by_label),
            _mix(cat["groups"], masks),
            _mix(cat["groupsL"], masks * eight + labels),
            _mix(cat["L"], labels),
            _mix(cat["ntok"], n_tokens * eight + labels),
            _mix(cat["titleL"], in_title * eight + labels),
            _mix(cat["countL"], repeats * eight + labels),
            _mix(cat["cueNextL"], cue_next * eight + labels),
            _mix(cat["cuePrevL"], cue_prev * eight + labels),
            _mix(cat["shapeL"], surface[:, 1] ^ by_label),
            _mix(cat["startL"], sentence_start * eight + labels),
        ]
    return numpy.concatenate((numpy.stack(columns, axis=1), surface), axis=1)


@registry.architectures("paper_graph.span_classifier_model.v1")
def span_classifier_model(buckets: int = FEATURE_BUCKETS) -> Model:
    """A hashed linear model over the candidate features: one score per class."""
    return SparseLinear_v2(nO=len(CLASSES), length=buckets)


def softmax(scores: numpy.ndarray) -> numpy.ndarray:
    shifted = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class SpanClassifier(TrainablePipe):
    def __init__(
        self,
        vocab: Any,
        model: Model,
        name: str,
        drop_threshold: float,
        retype_margin: float,
        weights: str | None,
        retype_to: Iterable[str] = ("MODEL", "DATASET", "METHOD"),
    ) -> None:
        self.retype_to = numpy.array([name in set(retype_to) for name in CLASSES[1:]], dtype=numpy.float32)
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"drop_threshold": drop_threshold, "retype_margin": retype_margin}
        self.weights = weights

    # ----------------------------------------------------------------------------------- inference
    def predict(self, docs: Iterable[Doc]) -> tuple[list[Candidates], numpy.ndarray]:
        docs = list(docs)
        candidates, inputs = batch_features(docs)
        if not len(inputs[2]):
            return candidates, numpy.zeros((0, len(CLASSES)), dtype=numpy.float32)
        scores = self.model.predict(inputs)
        return candidates, softmax(numpy.asarray(scores))

    def set_annotations(
        self, docs: Iterable[Doc], predictions: tuple[list[Candidates], numpy.ndarray]
    ) -> None:
        candidates_per_doc, probabilities = predictions
        if not len(probabilities):
            return
        proposed = numpy.array([label for c in candidates_per_doc for label in c.labels])
        rows = numpy.arange(len(proposed))
        best_type = (probabilities[:, 1:] * self.retype_to).argmax(axis=1) + 1
        drop = probabilities[:, DROP] > self.cfg["drop_threshold"]
        gain = probabilities[rows, best_type] - probabilities[rows, proposed]
        retype = ~drop & (best_type != proposed) & (gain > self.cfg["retype_margin"])
        retype &= self.retype_to[best_type - 1] > 0
        decided = numpy.flatnonzero(drop | retype).tolist()
        if not decided:
            return
        ends = numpy.cumsum([len(c.starts) for c in candidates_per_doc]).tolist()
        per_doc: dict[int, dict[tuple[int, int], int]] = {}
        for row in decided:
            index = bisect.bisect_right(ends, row)
            candidates = candidates_per_doc[index]
            local = row - (ends[index - 1] if index else 0)
            decision = DROP if drop[row] else int(best_type[row])
            per_doc.setdefault(index, {})[(candidates.starts[local], candidates.ends[local])] = decision
        for index, doc in enumerate(docs):
            if index in per_doc:
                _apply(doc, per_doc[index])

    # ------------------------------------------------------------------------------------ training
    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Callable | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        from extract.nlp.train.labels import candidate_targets

        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        candidates, inputs = batch_features(eg.predicted for eg in examples)
        masks, weights = candidate_targets(examples, candidates)
        if not len(inputs[2]) or not weights.any():
            return losses
        scores, backprop = self.model.begin_update(inputs)
        loss, gradient = partial_label_loss(numpy.asarray(scores), masks, weights)
        backprop(gradient.astype(numpy.float32))
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples: Iterable[Example], scores: Any) -> tuple[float, Any]:
        raise NotImplementedError("pg_span_classifier computes its loss in update()")

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]] | None = None, *, nlp: Language | None = None
    ) -> None:
        """Zero weights, then the committed ones when `weights` names a file (the extraction pipeline)."""
        self.model.initialize()
        if self.weights:
            self.load_weights(PACKAGE_DIR / self.weights)

    def load_weights(self, path: Path) -> None:
        try:
            with numpy.load(path) as stored:
                weights, bias = stored["W"], stored["b"]
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"{path}: span classifier weights not found (run `make train`)") from exc
        expected = self.model.get_param("W").shape
        if weights.shape != expected:
            raise ValueError(f"{path}: weights of shape {weights.shape}, the model expects {expected}")
        self.model.set_param("W", weights.astype(numpy.float32))
        self.model.set_param("b", bias.astype(numpy.float32))

    def save_weights(self, path: Path) -> None:
        """W (float16) and b as an .npz whose bytes depend only on the values (fixed zip timestamps),
        so that `make train` reproduces the committed file exactly."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {"W": self.model.get_param("W").astype(numpy.float16), "b": self.model.get_param("b")}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                numpy.lib.format.write_array(buffer, numpy.ascontiguousarray(array), allow_pickle=False)
                entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, buffer.getvalue())

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        from extract.nlp.train.labels import entity_scores

        return entity_scores(examples)


def partial_label_loss(
    scores: numpy.ndarray, allowed: numpy.ndarray, weights: numpy.ndarray
) -> tuple[float, numpy.ndarray]:
    """-log P(the class is one of the allowed ones), per candidate, weighted; and its gradient.

    `allowed` is a boolean (n, classes) mask: one class for a full label, several for a partial one
    (SciREX "Method" allows MODEL or METHOD; a TDMSci sentence says only "not a dataset")."""
    probs = softmax(scores)
    mass = (probs * allowed).sum(axis=1)
    loss = float(-(weights * numpy.log(numpy.maximum(mass, 1e-9))).sum())
    target = probs * allowed / numpy.maximum(mass, 1e-9)[:, None]
    gradient = (probs - target) * weights[:, None]
    return loss, gradient


def _apply(doc: Doc, decisions: dict[tuple[int, int], int]) -> None:
    """Drop or relabel the decided spans in every classified group, and their `span_bounds` with them."""
    text = text_of(doc)
    cache = doc.user_data.get(SPAN_BOUNDS_KEY)
    for group in CLASSIFIED_GROUPS:
        spans = doc.spans.get(group)
        if not spans:
            continue
        bounds = cache.get(group) if cache is not None else None
        in_step = bounds is not None and len(bounds) == len(spans)
        kept: list[Span] = []
        kept_bounds: list[SpanBounds] = []
        changed = False
        for index, span in enumerate(spans):
            decision = decisions.get((span.start, span.end))
            if decision is None:
                kept.append(span)
                if in_step:
                    kept_bounds.append(bounds[index])
                continue
            changed = True
            if decision == DROP:
                continue
            entity_type = CLASSES[decision]
            key = candidate_key(entity_type, text[span.start_char : span.end_char])
            kept.append(Span(doc, span.start, span.end, label=entity_type, kb_id=key))
            kept_bounds.append((span.start, span.end, entity_type, key))
        if changed:
            doc.spans[group] = kept
            if in_step:
                cache[group] = kept_bounds
            elif cache is not None:
                cache.pop(group, None)  # no longer the group's: rebuilt from the spans if read


@Language.factory(
    "pg_span_classifier",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={
        "model": {"@architectures": "paper_graph.span_classifier_model.v1", "buckets": FEATURE_BUCKETS},
        "drop_threshold": 0.5,
        "retype_margin": 0.2,
        "weights": DEFAULT_WEIGHTS,
        "retype_to": ["MODEL", "DATASET", "METHOD"],
    },
    default_score_weights={"pg_ents_f": 1.0, "pg_ents_p": 0.0, "pg_ents_r": 0.0},
)
def make_span_classifier(
    nlp: Language,
    name: str,
    model: Model,
    drop_threshold: float,
    retype_margin: float,
    weights: str | None,
    retype_to: list[str],
) -> SpanClassifier:
    return SpanClassifier(nlp.vocab, model, name, drop_threshold, retype_margin, weights or None, retype_to)
