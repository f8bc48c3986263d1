"""Tokenizer rules for ML names, a larger token cache and the lexical attributes the pipeline reads,
applied to the blank English pipeline through config.cfg."""

from __future__ import annotations

import re
import re._parser as sre_parse
from collections.abc import Callable, Iterable, Iterator
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
# the same, or a plain word of ASCII letters: a word no affix or URL regex can match in (see
# `plain_words_stay_whole`) is one token anyway, and a token match says so in C, where the affix
# hooks would be four Python calls on each new word
WHOLE_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
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
        # each hook's setter below reloads the ~700 special cases: they are set aside meanwhile and
        # loaded once at the end, as spaCy's own `Tokenizer.from_bytes` does (the same tokenizer)
        rules = dict(nlp.tokenizer.rules)
        nlp.tokenizer.rules = {}
        suffixes = list(nlp.Defaults.suffixes or ()) + list(EXTRA_SUFFIXES)
        nlp.tokenizer.suffix_search = SuffixSearch(suffixes).search
        if nlp.tokenizer.prefix_search is not None:
            nlp.tokenizer.prefix_search = LetterSkipping(nlp.tokenizer.prefix_search.__self__).search
        if nlp.tokenizer.infix_finditer is not None:
            nlp.tokenizer.infix_finditer = LetterSkipping(nlp.tokenizer.infix_finditer.__self__).finditer
        if nlp.tokenizer.url_match is not None:
            nlp.tokenizer.url_match = LetterSkipping(nlp.tokenizer.url_match.__self__).match
        nlp.tokenizer.max_cache_size = TOKEN_CACHE_SIZE
        previous = nlp.tokenizer.token_match
        whole = WHOLE_TOKEN if plain_words_stay_whole(nlp.tokenizer) else ALPHANUMERIC_NAME
        nlp.tokenizer.token_match = (
            whole.match if previous is None else lambda text: whole.match(text) or previous(text)
        )
        nlp.tokenizer.rules = rules
        nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {k: v for k, v in getters.items() if k in READ_LEXICAL_ATTRIBUTES}
        return nlp

    return customize


ASCII_LETTERS = frozenset(map(ord, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
WORD_CHARACTERS = ASCII_LETTERS | {ord("-")}


def plain_words_stay_whole(tokenizer: Tokenizer) -> bool:
    """Whether a word of ASCII letters is one token whatever the token match says: no prefix, suffix,
    infix or URL match can lie in it (each hook is a `LetterSkipping` that knows it, or unset).

    spaCy splits a string by its affixes until none is found, then keeps the rest whole when the token
    match or the URL match takes it, or cuts it at its infixes: with no match of any of them, the word
    is kept whole, as a token match keeps it. Special cases are looked up before either."""
    hooks = (tokenizer.prefix_search, tokenizer.suffix_search, tokenizer.infix_finditer, tokenizer.url_match)
    return all(
        hook is None
        or (isinstance(owner := getattr(hook, "__self__", None), LetterSkipping) and owner.skips_letters)
        for hook in hooks
    )


class LetterSkipping:
    """A tokenizer affix regex that answers "no match" for a plain word without running it, when no
    match of it can lie in such a string (checked on its parse, see `needs_other_than`): a word of
    ASCII letters, or of letters and hyphens ("state-of-the-art") when hyphens cannot match either.

    spaCy tries the suffix regex (~80 alternatives, each tried at every position) on every new chunk
    and on what is left once its affixes are split off, the prefix regex likewise, and the URL and
    infix regexes on that rest: most of those strings are plain words. `pattern` keeps the tokenizer's
    serialisation working."""

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.pattern = regex.pattern
        self.skips_letters = needs_other_than(regex, ASCII_LETTERS)
        self.skips_hyphens = self.skips_letters and needs_other_than(regex, WORD_CHARACTERS)

    def _plain_word(self, text: str) -> bool:
        if not (self.skips_letters and text.isascii()):
            return False
        if text.isalpha():
            return True
        return self.skips_hyphens and "-" in text and text.replace("-", "").isalpha()

    def search(self, text: str) -> re.Match[str] | None:
        return None if self._plain_word(text) else self.regex.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._plain_word(text) else self.regex.finditer(text)

    def match(self, text: str) -> re.Match[str] | None:
        return None if self._plain_word(text) else self.regex.match(text)


class SuffixSearch(LetterSkipping):
    """`compile_suffix_regex(suffixes).search`, started near the end of the string.

    Every match of a suffix regex ends at the end of the string, so the leftmost one starts at most
    the widest suffix's width from it: the search starts there (look-behinds still see the text
    before). Suffixes of unbounded width (`\\.\\.+`) are looked for alone first; when one starts
    earlier, the search starts at it. Same match, ~2x less scanning on chunks with punctuation."""

    def __init__(self, suffixes: Iterable[str]) -> None:
        pieces = [piece for piece in suffixes if piece.strip()]  # as compile_suffix_regex keeps them
        super().__init__(compile_suffix_regex(pieces))
        widths = [sre_parse.parse(piece).getwidth()[1] for piece in pieces]
        bounded = [width for width in widths if width < sre_parse.MAXREPEAT]
        unbounded = [
            piece for piece, width in zip(pieces, widths, strict=True) if width >= sre_parse.MAXREPEAT
        ]
        self.width = max(bounded, default=0)
        self.unbounded = compile_suffix_regex(unbounded) if unbounded else None

    def search(self, text: str) -> re.Match[str] | None:
        if self._plain_word(text):
            return None
        start = len(text) - self.width
        if start <= 0 or "\n" in text:  # `$` also matches before a final newline
            return self.regex.search(text)
        if self.unbounded is not None:
            early = self.unbounded.search(text)
            if early is not None and early.start() < start:
                start = early.start()
        return self.regex.search(text, start)


def needs_other_than(regex: re.Pattern[str], allowed: frozenset[int]) -> bool:
    """Whether every match of `regex`, its lookarounds included, holds a character whose code is not
    in `allowed`; False whenever that cannot be told from the parse (case folding, negations...)."""
    if regex.flags & re.IGNORECASE:
        return False
    return _sequence_needs(sre_parse.parse(regex.pattern, regex.flags), allowed)


def _sequence_needs(items: Any, allowed: frozenset[int]) -> bool:
    return any(_item_needs(op, value, allowed) for op, value in items)


def _item_needs(op: Any, value: Any, allowed: frozenset[int]) -> bool:
    constants = sre_parse
    if op is constants.LITERAL:
        return value not in allowed
    if op is constants.IN:
        return all(_class_item_excludes(kind, item, allowed) for kind, item in value)
    if op is constants.SUBPATTERN:
        _group, add_flags, del_flags, inner = value
        return not (add_flags or del_flags) and _sequence_needs(inner, allowed)
    if op is constants.BRANCH:
        return all(_sequence_needs(branch, allowed) for branch in value[1])
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
        minimum, _maximum, inner = value
        return minimum > 0 and _sequence_needs(inner, allowed)
    if op is constants.ATOMIC_GROUP:
        return _sequence_needs(value, allowed)
    if op is constants.ASSERT:  # the asserted text lies in the same string
        return _sequence_needs(value[1], allowed)
    return False  # ANY, NOT_LITERAL, negative lookarounds, anchors, group references...


def _class_item_excludes(kind: Any, item: Any, allowed: frozenset[int]) -> bool:
    if kind is sre_parse.LITERAL:
        return item not in allowed
    if kind is sre_parse.RANGE:
        low, high = item
        return not any(low <= code <= high for code in allowed)
    return False  # NEGATE, CATEGORY: not told apart


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
