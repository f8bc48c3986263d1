"""Word lists the rules read (patterns/words.jsonl) and the head-noun typing built on them.

Each line of words.jsonl is one list: `{"list": "model_heads", "doc": "...", "words": [...]}`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from extract.nlp.pattern_files import PatternFileError, read_jsonl

WORDS_FILE = Path(__file__).resolve().parent / "patterns" / "words.jsonl"
LIST_NAMES = (
    "model_heads",
    "dataset_heads",
    "method_heads",
    "skip_heads",
    "contribution_triggers",
    "naming_words",
    "scan_stops",
    "prepositions",
    "common_capitalised",
    "modifier_suffixes",
    "list_glue",
    "weights_cues",
    "size_words",
)


class LexiconError(PatternFileError):
    """patterns/words.jsonl is missing a list or malformed."""


@functools.cache
def word_lists(path: Path = WORDS_FILE) -> dict[str, tuple[str, ...]]:
    lists: dict[str, tuple[str, ...]] = {}
    for number, row in read_jsonl(path):
        if not isinstance(row.get("list"), str) or not isinstance(row.get("words"), list):
            raise LexiconError(f"{path}:{number}: needs a 'list' name and a 'words' list")
        lists[row["list"]] = tuple(row["words"])
    missing = [name for name in LIST_NAMES if name not in lists]
    if missing:
        raise LexiconError(f"{path}: lists missing: {', '.join(missing)}")
    return lists


def words(name: str) -> frozenset[str]:
    return frozenset(word_lists()[name])


MODEL_HEADS = words("model_heads")
DATASET_HEADS = words("dataset_heads")
METHOD_HEADS = words("method_heads")
SKIP_HEADS = words("skip_heads")


def head_type(tokens: list[str]) -> str | None:
    """Type named by the head (last) word of a phrase; 'SKIP' for tasks and metrics, None when unknown."""
    if not tokens:
        return None
    head = tokens[-1].lower()
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
