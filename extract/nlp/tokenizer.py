"""Tokenizer rules for ML names, a larger token cache and the lexical attributes the pipeline reads,
applied to the blank English pipeline through config.cfg."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy import attrs
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex, registry

from extract.nlp.components.common import TEXT_CACHE_KEY

# "... the generated CoT." / "... on GSM8K.": a sentence-final period after a name ending in a capital
EXTRA_SUFFIXES = (r"(?<=[a-z0-9][A-Z])\.",)
# names mixing letters and digits stay whole whatever their case (GSM8K is not "GSM8" + unit "K")
ALPHANUMERIC_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*$")
# spaCy caches the tokens of each whitespace-separated chunk, but only the first 10,000 distinct
# chunks by default; abstracts have a long tail of words (180k distinct chunks in 20,000 abstracts,
# 740k in the 115k corpus), so nearly every chunk went through the affix regexes again. Over the whole
# corpus 250k entries are as fast as 1M (the later chunks are rare) and cost ~60 MB instead of ~150 MB.
TOKEN_CACHE_SIZE = 250_000
# The lexical attributes the pipeline reads (gazetteers match ORTH and LOWER; the rules read is_alpha,
# is_title, is_space, like_num; the sentencizer is_punct). spaCy computes all ~20 of them in Python for
# every new word, and abstracts bring new words all along: the others are left unset (False / "").
READ_LEXICAL_ATTRIBUTES = frozenset(
    (attrs.LOWER, attrs.IS_ALPHA, attrs.IS_TITLE, attrs.IS_SPACE, attrs.IS_PUNCT, attrs.LIKE_NUM)
)


@registry.callbacks("paper_graph.ml_tokenizer.v1")
def ml_tokenizer() -> Callable[[Language], Language]:
    def customize(nlp: Language) -> Language:
        suffixes = list(nlp.Defaults.suffixes or ()) + list(EXTRA_SUFFIXES)
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        nlp.tokenizer.max_cache_size = TOKEN_CACHE_SIZE
        previous = nlp.tokenizer.token_match
        nlp.tokenizer.token_match = (
            ALPHANUMERIC_NAME.match
            if previous is None
            else lambda text: ALPHANUMERIC_NAME.match(text) or previous(text)
        )
        nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {k: v for k, v in getters.items() if k in READ_LEXICAL_ATTRIBUTES}
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
