"""Shared by the rule components: candidate span groups, name shapes and head-noun typing."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.tokens import Doc, Span

from extract.nlp.normalize import entity_key, normalise_name, singular

# doc.spans groups written by the rule components and read by the resolver, in priority order
GAZETTEER_GROUPS = ("pg_gazetteer_cased", "pg_gazetteer_lower")
RULE_GROUPS = ("pg_acronym", "pg_contribution", "pg_shape", "pg_name")
# names a rule decided are not entities (a proposed metric): later rules leave them alone
REJECTED_GROUP = "pg_rejected"
COMPONENT_OF_GROUP = {
    "pg_gazetteer_cased": "gazetteer",
    "pg_gazetteer_lower": "gazetteer",
    "pg_acronym": "acronym",
    "pg_contribution": "contribution",
    "pg_shape": "shape",
    "pg_name": "name",
}

for _name, _default in (("pg_component", ""), ("pg_canonical", ""), ("pg_contribution", False)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)

# A token that looks like a proper name: internal capital (FaceTalk, NeRF), 2+ capitals (MAPS),
# or letters mixed with digits (Wav2Lip, Emu3).
NAME_TOKEN = re.compile(
    r"^(?=[A-Za-z])(?=.*[A-Z])(?:[A-Za-z]*[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]+\d)[A-Za-z0-9.+]*$"
)
CAMEL_TOKEN = re.compile(
    r"^(?:[A-Z][a-z0-9]+[A-Z]|[a-z]+[A-Z]|[A-Z]+[a-z]+\d|[A-Za-z]+\d+[A-Za-z]|[A-Z]{2,}[a-z]{3,})[A-Za-z0-9.+]*$"
)

MODEL_HEADS = frozenset(
    [
        "model",
        "models",
        "network",
        "networks",
        "net",
        "llm",
        "llms",
        "lm",
        "lms",
        "vlm",
        "vlms",
        "mllm",
        "checkpoint",
        "checkpoints",
        "transformer",
        "transformers",
        "autoencoder",
        "encoder",
        "decoder",
        "classifier",
        "detector",
        "generator",
    ]
)
DATASET_HEADS = frozenset(
    [
        "dataset",
        "datasets",
        "benchmark",
        "benchmarks",
        "corpus",
        "corpora",
        "suite",
        "testbed",
        "collection",
        "database",
        "leaderboard",
        "arena",
        "bench",
    ]
)
METHOD_HEADS = frozenset(
    [
        "method",
        "methods",
        "framework",
        "frameworks",
        "approach",
        "approaches",
        "system",
        "systems",
        "architecture",
        "module",
        "modules",
        "technique",
        "techniques",
        "algorithm",
        "algorithms",
        "pipeline",
        "paradigm",
        "strategy",
        "mechanism",
        "scheme",
        "toolkit",
        "agent",
        "loss",
        "objective",
        "layer",
        "layers",
        "block",
        "recipe",
        "procedure",
        "tokenizer",
        "attack",
        "defense",
        "optimizer",
        "learning",
        "attention",
        "field",
        "fields",
        "splatting",
        "distillation",
        "decoding",
        "sampling",
        "optimization",
        "alignment",
        "tuning",
        "embedding",
        "embeddings",
        "encoding",
        "regularization",
        "normalization",
        "augmentation",
        "pretraining",
        "prompting",
        "search",
        "descent",
        "policy",
        "operator",
        "unit",
        "units",
        "perceptron",
        "machine",
        "machines",
        "engine",
        "planner",
        "solver",
        "representation",
        "representations",
        "process",
        "memory",
        "mixer",
        "adapter",
        "adapters",
        "controller",
        "stabilizer",
        "renderer",
        "predictor",
        "extractor",
        "estimator",
        "aligner",
        "fuser",
        "prompt",
        "prompts",
    ]
)
# heads that make a phrase a task, metric or quantity, never an entity
SKIP_HEADS = frozenset(
    [
        "metric",
        "metrics",
        "measure",
        "score",
        "scores",
        "task",
        "tasks",
        "problem",
        "problems",
        "challenge",
        "ratio",
        "rate",
        "error",
        "accuracy",
        "distance",
        "index",
        "similarity",
        "generation",
        "synthesis",
        "recognition",
        "detection",
        "estimation",
        "classification",
        "segmentation",
        "translation",
        "answering",
        "understanding",
        "reasoning",
        "retrieval",
        "prediction",
        "analysis",
        "tracking",
        "captioning",
        "summarization",
        "animation",
        "editing",
        "reconstruction",
        "forecasting",
        "modeling",
        "modelling",
        "evaluation",
        "study",
        "survey",
        "cache",
        "phenomenon",
        "effect",
        "effects",
        "head",
        "heads",
        "identification",
        "localization",
        "verification",
        "completion",
        "following",
    ]
)


def head_type(words: list[str]) -> str | None:
    """Type named by the head (last) word of a phrase; 'SKIP' for tasks and metrics, None when unknown."""
    if not words:
        return None
    head = words[-1].lower()
    if head in SKIP_HEADS:
        return "SKIP"
    if head in DATASET_HEADS:
        return "DATASET"
    if head in MODEL_HEADS:
        return "MODEL"
    if head in METHOD_HEADS:
        return "METHOD"
    return None


def first_type_noun(tokens: list[str]) -> str | None:
    """Type of the first head noun in a token run ("a novel generative approach" -> METHOD).

    A noun followed by a hyphen or by another head noun is a modifier ("model-agnostic framework",
    "language model") and is passed over.
    """
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if following == "-" or head_type([following]) is not None:  # a modifier: "language model"
            continue
        found = head_type([token])
        if found is not None:
            return found
    return None


TEXT_CACHE_KEY = "pg_text"
TOKEN_STARTS_KEY = "pg_token_starts"


@functools.lru_cache(maxsize=65536)
def surface_key(text: str) -> str:
    """Normalised singular form of a surface (memoised: the same names recur across papers)."""
    return normalise_name(singular(text))


@functools.lru_cache(maxsize=65536)
def singular_form(text: str) -> str:
    """`singular`, memoised."""
    return singular(text)


@functools.lru_cache(maxsize=65536)
def candidate_key(entity_type: str, canonical: str) -> str:
    """Entity key of a candidate named `canonical` (memoised)."""
    return entity_key(entity_type, singular(canonical))


def occurrences(text: str, surface: str, plural: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of `surface` as a whole word in `text` (optionally with a plural 's')."""
    start = text.find(surface)
    while start >= 0:
        end = start + len(surface)
        if plural and text[end : end + 1] == "s":
            end += 1
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after == "_"):
            yield start, end
        start = text.find(surface, start + 1)


def text_of(doc: Doc) -> str:
    """`doc.text`, computed once per doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(TEXT_CACHE_KEY)
    if text is None:
        text = doc.user_data[TEXT_CACHE_KEY] = doc.text
    return text


def token_starts(doc: Doc) -> list[int]:
    """Character offset of every token, computed once per doc (cached like `text_of`)."""
    starts = doc.user_data.get(TOKEN_STARTS_KEY)
    if starts is None:
        starts = doc.user_data[TOKEN_STARTS_KEY] = doc.to_array(IDX).tolist()
    return starts


def sentence_starts(doc: Doc) -> list[int]:
    """First token of every sentence, as `[s.start for s in doc.sents]` without building the spans."""
    if not len(doc):
        return []
    flags = doc.to_array(SENT_START)
    return [0, *(numpy.flatnonzero(flags[1:] == 1) + 1).tolist()]


def token_at(doc: Doc, char: int) -> int:
    """Index of the token whose text or trailing space holds `char` (0 <= char < len(text))."""
    return bisect.bisect_right(token_starts(doc), char) - 1


def token_range(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token range [i, j) exactly covering characters [start, end), as `doc.char_span` (strict) would
    give it, without building a Span; None when an offset falls inside a token."""
    starts = token_starts(doc)
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_right(starts, end - 1) - 1
    if first < 0 or last < 0 or starts[first] != start or starts[last] + len(doc[last]) != end:
        return None
    return first, last + 1


def add_candidate(
    doc: Doc, group: str, start: int, end: int, entity_type: str, canonical: str
) -> Span | None:
    """Add a character-offset candidate to `doc.spans[group]`; offsets inside a token give nothing."""
    tokens = token_range(doc, start, end)
    if tokens is None or not text_of(doc)[start:end].strip():
        return None
    candidate = Span(
        doc, tokens[0], tokens[1], label=entity_type, kb_id=candidate_key(entity_type, canonical)
    )
    if group in doc.spans:
        doc.spans[group].append(candidate)
    else:
        doc.spans[group] = [candidate]
    return candidate
