"""Tokenizer rules for ML names, applied to the blank English tokenizer through config.cfg."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex, registry

from extract.nlp.components.common import TEXT_CACHE_KEY

# "... the generated CoT." / "... on GSM8K.": a sentence-final period after a name ending in a capital
EXTRA_SUFFIXES = (r"(?<=[a-z0-9][A-Z])\.",)
# names mixing letters and digits stay whole whatever their case (GSM8K is not "GSM8" + unit "K")
ALPHANUMERIC_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*$")


@registry.callbacks("paper_graph.ml_tokenizer.v1")
def ml_tokenizer() -> Callable[[Language], Language]:
    def customize(nlp: Language) -> Language:
        suffixes = list(nlp.Defaults.suffixes or ()) + list(EXTRA_SUFFIXES)
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        previous = nlp.tokenizer.token_match
        nlp.tokenizer.token_match = (
            ALPHANUMERIC_NAME.match
            if previous is None
            else lambda text: ALPHANUMERIC_NAME.match(text) or previous(text)
        )
        nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
        return nlp

    return customize


class TextKeepingTokenizer:
    """Delegates to spaCy's tokenizer and keeps the input text in `doc.user_data` (see `text_of`):
    `Doc.text` is otherwise rebuilt from the tokens on every access."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_CACHE_KEY] = text
        return doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)
