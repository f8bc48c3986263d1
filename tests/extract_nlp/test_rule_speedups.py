"""The rule components' faster scans find what the plain patterns find (random and written texts)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.nlp.components.names import LIST_OPENER, NAME_IN_TEXT, list_openers, name_starts
from extract.nlp.components.shapes import (
    _FAMILY_REACH,
    _PARAMETER_HINT,
    MODEL_FAMILY,
    PARAMETER_COUNT,
    first_digit,
)
from extract.nlp.normalize import _KEY_DROP, fold, normalise_name, singular

# pieces of the list openers, near misses and their neighbours
OPENER_PIECES = st.sampled_from(
    ["dataset", "datasets", "benchmark", "benchmarks", "corpora", "corpus", "corp", "models", "LLMs",
     "model", "xdatasets", "-", "_", " ", ",", ":", "(", "such as", "including", "like", "namely", "a", "é"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aAbBiPfMRzZ09-_ .+,(\né", max_size=40))
def test_name_starts_are_the_name_pattern_matches_in_longer_texts(text: str) -> None:
    assert name_starts(text) == [match.start() for match in NAME_IN_TEXT.finditer(text)]


def test_name_starts_of_names_inside_names() -> None:
    text = "FooBar.bazQux aBcD -fooBar x.yZ MAPS+iPhone (fMRI) eTalk, wav2Vec LLaMA-2 dB"
    assert name_starts(text) == [match.start() for match in NAME_IN_TEXT.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(st.lists(OPENER_PIECES, max_size=30), st.sampled_from(["", " "]))
def test_list_openers_are_the_pattern_matches(pieces: list[str], glue: str) -> None:
    text = glue.join(pieces)
    ours = [(match.start(), match.end()) for match in list_openers(text)]
    assert ours == [(match.start(), match.end()) for match in LIST_OPENER.finditer(text)]


# family names, versions (ASCII and other digits), sizes, variants and separators
SHAPE_PIECES = st.sampled_from(
    ["GPT", "Stable Diffusion", "Code Llama", "LLaVA-NeXT", "mT5", "wav2vec", "Qwen", "Llama", "-", " ", "v",
     "2", "2.5", "١", "٣", "7B", "-7B", "x", "Pro", "Instruct", "Mistral-7B-Instruct", "é", ".", "(", "a"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(SHAPE_PIECES, max_size=25), st.sampled_from(["", " "]))
def test_shape_scans_from_the_first_digit_find_every_match(pieces: list[str], glue: str) -> None:
    text = glue.join(pieces)
    digit = first_digit(text)
    assert digit == next((i for i, c in enumerate(text) if c.isdecimal()), -1)
    every = [(m.start(), m.end()) for m in MODEL_FAMILY.finditer(text)]
    start = max(0, digit - _FAMILY_REACH)
    assert [(m.start(), m.end()) for m in MODEL_FAMILY.finditer(text, start)] == every
    if digit < 0:
        assert not every and not PARAMETER_COUNT.search(text)
    else:
        hinted = _PARAMETER_HINT.search(text, max(0, digit - 1)) is not None
        assert hinted == (_PARAMETER_HINT.search(text) is not None)


_ACRONYM_PLURAL_REFERENCE = re.compile(r"^(.*[A-Z0-9][A-Za-z0-9]*[A-Z0-9])s$")


def singular_with_the_plain_pattern(surface: str) -> str:
    """`singular` as it was, the acronym-plural pattern tried on every surface."""
    surface = fold(surface)
    match = _ACRONYM_PLURAL_REFERENCE.match(surface)
    if match and any(ch.isupper() for ch in match.group(1)):
        return match.group(1)
    words = surface.split(" ")
    last = words[-1]
    if (
        last.islower()
        and len(last) > 3
        and last.endswith("s")
        and not last.endswith(("ss", "us", "is", "ys", "os"))
    ):
        words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
        return " ".join(words)
    return surface


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="aAsSB0 \n-é\u2028", max_size=10))
def test_singular_tries_the_acronym_plural_only_where_it_can_match(surface: str) -> None:
    assert singular(surface) == singular_with_the_plain_pattern(surface)


def test_singular_of_written_plurals() -> None:
    for surface in [
        "GANs",
        "LLMs",
        "GPT-4s",
        "MoEs",
        "A1s",
        "Bs",
        "aBs",
        "transformers",
        "datasets\n",
        "ViTs ",
    ]:
        assert singular(surface) == singular_with_the_plain_pattern(surface), surface


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="aAzZ09 -_'`\u2019\t\n\x1c\x0b.é", max_size=14))
def test_normalised_names_are_the_pattern_form(text: str) -> None:
    assert normalise_name(text) == _KEY_DROP.sub("", fold(text).casefold())
