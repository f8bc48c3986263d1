"""The speed-ups of the pipeline change nothing it finds: each is compared with spaCy's stock behaviour."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import SENT_START
from spacy.lang.en import English
from spacy.lang.lex_attrs import LEX_ATTRS
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokenizer import Tokenizer

from extract.nlp.components.common import SENTENCE_STARTS_KEY, SPAN_BOUNDS_KEY, token_ends, token_starts
from extract.nlp.components.names import NAME_IN_TEXT, name_starts
from extract.nlp.components.title import title_boundary
from extract.nlp.pipeline import build_pipeline, doc_mentions, run_components
from extract.nlp.tokenizer import (
    ALPHANUMERIC_NAME,
    ASCII_LETTERS,
    READ_LEXICAL_ATTRIBUTES,
    WORD_CHARACTERS,
    needs_other_than,
    plain_words_stay_whole,
)
from extract.records import paper_text
from tests.extract_nlp.conftest import FIXTURES

# words, sentence marks, other punctuation and spacing, as abstracts mix them
PIECES = st.sampled_from(
    ["We", "study", "GPT-4o", "e.g.", "vs.", "3.5", "(", ")", ",", ";", ":", '"', "'", ".", "..", "?", "!",
     "?!", "。", "Fig.", "a", "U.S.", "\n\n", " ", "  ", "-", "%"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40), st.booleans())
def test_sentencizer_marks_the_same_starts_as_spacys(nlp: Language, pieces: list[str], titled: bool) -> None:
    text = " ".join(pieces)
    if titled:
        text = paper_text("A Title.", text)
    sentencizer = nlp.get_pipe("sentencizer")  # marking the title boundary too (config.cfg)
    assert sentencizer.title_boundary
    stock = Sentencizer(overwrite=False)(title_boundary(nlp.make_doc(text)))
    ours = sentencizer(nlp.make_doc(text))
    # as the component after `pg_title_boundary`, where the title's start is read from the doc
    sentencizer.title_boundary = False
    try:
        after_title = sentencizer(title_boundary(nlp.make_doc(text)))
    finally:
        sentencizer.title_boundary = True
    for doc in (ours, after_title):
        assert doc.to_array(SENT_START).tolist() == stock.to_array(SENT_START).tolist()
        if len(stock):  # the starts kept for the rule components are the sentences'
            assert doc.user_data[SENTENCE_STARTS_KEY] == [sentence.start for sentence in stock.sents]


def test_the_title_boundary_keeps_earlier_starts_and_refuses_parsed_docs(nlp: Language) -> None:
    text = paper_text("A Title", "First sentence. Second one")
    sentencizer = nlp.get_pipe("sentencizer")
    stock, ours = nlp.make_doc(text), nlp.make_doc(text)
    for doc in (stock, ours):
        doc[1].is_sent_start = False  # set before: kept
        doc[len(doc) - 1].is_sent_start = True
    Sentencizer(overwrite=False)(title_boundary(stock))
    sentencizer(ours)
    assert ours.to_array(SENT_START).tolist() == stock.to_array(SENT_START).tolist()
    assert ours.user_data[SENTENCE_STARTS_KEY] == [sentence.start for sentence in stock.sents]
    parsed = nlp.make_doc(text)
    parsed[0].dep_ = "ROOT"
    with pytest.raises(ValueError, match="E043"):
        title_boundary(parsed)
    with pytest.raises(ValueError, match="E043"):
        sentencizer(parsed)


def test_the_lexical_attributes_left_unset_change_no_mention(nlp: Language) -> None:
    assert set(nlp.vocab.lex_attr_getters) == READ_LEXICAL_ATTRIBUTES
    full = build_pipeline()
    full.vocab.lex_attr_getters = {**LEX_ATTRS, **English.Defaults.lex_attr_getters}
    assert set(full.vocab.lex_attr_getters) > set(nlp.vocab.lex_attr_getters)
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    # each of these needs one of the attributes kept: hyphen-glued names (is_alpha), a list opened by
    # a head noun (is_title), a LaTeX "%" after a full stop (is_punct), gazetteer matching (lower)
    texts = [paper_text(p["title"], p["abstract"]) for p in papers] + [
        "We propose an LLM-powered framework for widgets.",
        "It is tested on datasets such as Kestrel, HDTF (71.2) and QVX, and 3 more.",
        "We use widgets. % Through tests, the ZorbNet model wins.",
        "Transformers, i.e. attention-only models, beat CNNs (e.g. ResNet-50) on ImageNet-1k; 3 of 4 runs.",
    ]
    for text in texts:
        assert doc_mentions("p", nlp(text), text) == doc_mentions("p", full(text), text), text


TOKENIZER_PIECES = st.sampled_from(
    ["word", "Words", "state-of-the-art", "-", "--", "5km", "3.5", "10%", "$5", "US$", "model's", "Model’s",
     "(BERT)", "[1]", "abcdefgh5km", "xyzxyzxyz.....", "wordword’s", "GSM8K.", "CoT.", "U.S.", "e.g.",
     "i.e.,", "km", "a-", "-b", "x/y", "A+", "+3", "...", "end.", "Fig.2", "https://github.com/x-y/z",
     "www.example.org", "a.b", "\n\n", " ", "  ", "é", "naïve", "😀", "°C.", "1990s", "'", '"quoted"', ":)",
     "dont", "(cannot)", "Theyre.", "Im", "'s", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENIZER_PIECES, max_size=30), st.sampled_from(["", " ", "-", "."]))
def test_the_affix_shortcuts_give_the_tokens_of_the_plain_regexes(
    nlp: Language, pieces: list[str], glue: str
) -> None:
    text = glue.join(pieces)
    tokenizer = nlp.tokenizer.tokenizer
    plain = Tokenizer(
        nlp.vocab,
        rules=tokenizer.rules,
        prefix_search=tokenizer.prefix_search.__self__.regex.search,
        suffix_search=tokenizer.suffix_search.__self__.regex.search,  # the whole string scanned
        infix_finditer=tokenizer.infix_finditer.__self__.regex.finditer,
        token_match=ALPHANUMERIC_NAME.match,  # without the plain-word shortcut
        url_match=tokenizer.url_match.__self__.regex.match,
    )
    assert [(t.idx, t.text, t.whitespace_) for t in nlp.make_doc(text)] == [
        (t.idx, t.text, t.whitespace_) for t in plain(text)
    ]


def test_the_affix_regexes_are_skipped_only_where_they_cannot_match(nlp: Language) -> None:
    tokenizer = nlp.tokenizer.tokenizer
    assert plain_words_stay_whole(tokenizer) and tokenizer.token_match("Words")
    stock = English().tokenizer  # its affix hooks are plain regexes: their matches are not told apart
    assert not plain_words_stay_whole(stock)
    suffixes, infixes = tokenizer.suffix_search.__self__, tokenizer.infix_finditer.__self__
    assert suffixes.skips_hyphens and not infixes.skips_hyphens  # hyphens split words as infixes
    assert infixes.skips_letters and tokenizer.prefix_search.__self__.skips_letters
    assert needs_other_than(re.compile(r"(?<=[0-9])(?:km|m)$|\.\.+$|'s$"), ASCII_LETTERS)
    for pattern in (r"(?<=[0-9])km$|s$", r"x+", r"(?=[A-Z])", r"[^a]", r"(?i)\u212a", r"k?\.|\w"):
        assert not needs_other_than(re.compile(pattern), ASCII_LETTERS), pattern
    assert needs_other_than(re.compile(r"[a-z]-?[0-9]"), WORD_CHARACTERS)
    assert not needs_other_than(re.compile(r"[a-z]-[a-z]"), WORD_CHARACTERS)


@settings(max_examples=200, deadline=None)
@given(st.lists(TOKENIZER_PIECES, max_size=30))
def test_token_offsets_are_spacys(nlp: Language, pieces: list[str]) -> None:
    doc = nlp.make_doc(" ".join(pieces))
    assert list(token_starts(doc)) == [t.idx for t in doc]
    assert list(token_ends(doc)) == [t.idx + len(t) for t in doc]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aAiPfMRzZ09-_ .+,(\né", max_size=30))
def test_name_starts_are_the_name_pattern_matches(text: str) -> None:
    assert name_starts(text) == [match.start() for match in NAME_IN_TEXT.finditer(text)]


def test_name_starts_of_written_names() -> None:
    text = "NeRF.GAN and iPhone, x-NeRF, U.S.A. fMRI (Wav2Lip) sEEG-based MAPS.\n\nVGG16"
    assert name_starts(text) == [match.start() for match in NAME_IN_TEXT.finditer(text)]
    assert [text[start : start + 4] for start in name_starts(text)] == [
        "NeRF", "iPho", "fMRI", "Wav2", "sEEG", "MAPS", "VGG1"
    ]  # fmt: skip


def test_components_run_batch_by_batch_as_nlp_pipe_runs_them(nlp: Language) -> None:
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    texts = [paper_text(paper["title"], paper["abstract"]) for paper in papers]
    ours = run_components(nlp, [nlp.make_doc(text) for text in texts], batch_size=3)
    stock = list(nlp.pipe(texts, batch_size=3))
    assert [doc_mentions("p", doc) for doc in ours] == [doc_mentions("p", doc) for doc in stock]
    assert [doc.to_json() for doc in ours] == [doc.to_json() for doc in stock]


def test_the_span_bounds_cache_holds_the_groups_spans_up_to_the_resolver(nlp: Language) -> None:
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    texts = [paper_text(paper["title"], paper["abstract"]) for paper in papers]
    before_resolver = [proc for name, proc in nlp.pipeline if name != "pg_resolver"]
    resolver = nlp.get_pipe("pg_resolver")
    checked = 0
    for text in texts:
        cached, rebuilt = nlp.make_doc(text), nlp.make_doc(text)
        for proc in before_resolver:
            cached, rebuilt = proc(cached), proc(rebuilt)
        cache = cached.user_data.get(SPAN_BOUNDS_KEY, {})
        for group, group_spans in cached.spans.items():
            if group in cache:
                expected = [(s.start, s.end, s.label_, s.kb_id_ or s.id_) for s in group_spans]
                assert cache[group] == expected, group
                checked += len(expected)
        # the resolver reading the spans themselves (no cache) resolves the same entities
        rebuilt.user_data.pop(SPAN_BOUNDS_KEY, None)
        assert doc_mentions("p", resolver(cached)) == doc_mentions("p", resolver(rebuilt))
        assert SPAN_BOUNDS_KEY not in cached.user_data
    assert checked


def test_the_special_cases_loaded_once_at_the_end_give_the_tokenizer_of_one_reload_per_hook() -> None:
    """`ml_tokenizer` sets the special cases aside while it sets the hooks (each setter reloads them):
    the tokenizer is the one the hooks set one after another, each reloading them, give."""
    tokenizer = build_pipeline().tokenizer.tokenizer  # (inside TextKeepingTokenizer)
    reference = English().tokenizer
    for hook in ("suffix_search", "prefix_search", "infix_finditer", "url_match", "token_match"):
        setattr(reference, hook, getattr(tokenizer, hook))  # each one reloads the special cases
    reference.max_cache_size = tokenizer.max_cache_size
    assert tokenizer.rules == reference.rules and len(tokenizer.rules) > 1000
    text = "(Don't) we'll use e.g. U.S. data?! It's 3rd: i.e. GSM8K's \"can't\" ... o.O :) Mr.Smith 5pm"
    assert [(t.text, t.whitespace_) for t in tokenizer(text)] == [
        (t.text, t.whitespace_) for t in reference(text)
    ]
