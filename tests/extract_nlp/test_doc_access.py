"""extract/nlp/doc_access.py and the resolver's rows for `doc_mentions` give exactly what spaCy's own
accessors give."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Span

from extract.nlp import doc_access
from extract.nlp.components.common import token_range, token_starts
from extract.nlp.components.resolver import RESOLVED_KEY
from extract.nlp.pipeline import _resolver_runs_last, build_pipeline, doc_mentions, extract_papers
from extract.records import paper_text
from tests.extract_nlp.conftest import FIXTURES

PIECES = st.sampled_from(
    ["GPT-4o", "a", "LLaMA", "s", "(", ")", ".", ",", "-", " ", "  ", "\n", "\n\n", "\t", "é", "3.5", "Fig."]
)
TEXTS = st.lists(st.tuples(PIECES, st.sampled_from(["", " "])), min_size=1, max_size=25).map(
    lambda parts: "".join(piece + space for piece, space in parts)
)
ENT_COLUMNS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_token_range_is_commons(nlp: Language, text: str, data: st.DataObject) -> None:
    doc = nlp.make_doc(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert doc_access.token_range(doc, text, token_starts(doc), start, end) == token_range(doc, start, end)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_set_entities_writes_what_doc_ents_writes(nlp: Language, text: str, data: st.DataObject) -> None:
    stock, fast = nlp.make_doc(text), nlp.make_doc(text)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(stock)), max_size=8))))
    ranges = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if data.draw(st.booleans())]
    ents = [(a, b, data.draw(st.sampled_from(["MODEL", "METHOD"])), f"k:{a}") for a, b in ranges]
    if data.draw(st.booleans()):  # entities set before: the kb ids of tokens left outside stay
        for doc in (stock, fast):
            doc.ents = [Span(doc, 0, len(doc), label="DATASET", kb_id="old")]
    stock.ents = [Span(stock, a, b, label=label, kb_id=key) for a, b, label, key in ents]
    hashed = doc_access.set_entities(fast, ents)
    assert fast.to_array(ENT_COLUMNS).tolist() == stock.to_array(ENT_COLUMNS).tolist()
    assert hashed == [(e.start, e.end, e.label, e.kb_id) for e in fast.ents]


def test_sentence_texts_are_the_stripped_sentences(nlp: Language) -> None:
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    texts = [paper_text(p["title"], p["abstract"]) for p in papers] + ["One.  Two \n\n three .", "x"]
    for text in texts:
        doc = nlp(text)
        tokens = list(range(len(doc)))
        expected = [text[s.start_char : s.end_char].strip() for s in doc.sents for _ in range(s.start, s.end)]
        assert doc_access.sentence_texts(doc, text, token_starts(doc), tokens) == expected
    assert doc_access.sentence_texts(nlp.make_doc("no sentences set"), "", [0, 3, 14], [0]) is None


def test_the_resolvers_rows_give_the_mentions_spacys_accessors_give(nlp: Language) -> None:
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    for paper in papers:
        text = paper_text(paper["title"], paper["abstract"])
        doc = nlp(text)
        assert RESOLVED_KEY in doc.user_data
        fast = doc_mentions("p", doc)
        assert doc_mentions("p", doc, text, ents_unchanged=True) == fast  # extract_papers' reading
        for mention, ent in zip(fast, doc.ents, strict=True):  # the extension values are spaCy's
            assert (mention.component, mention.is_contribution) == (ent._.pg_component, ent._.pg_contribution)
            assert ent._.pg_canonical
        del doc.user_data[RESOLVED_KEY]
        assert fast == doc_mentions("p", doc, text)


def test_entities_changed_after_the_resolver_are_read_from_the_doc(nlp: Language) -> None:
    doc = nlp("We train LLaMA-2 and evaluate on ImageNet.")
    assert len(doc_mentions("p", doc)) == 2
    doc.ents = list(doc.ents)[:1]
    assert [m.text for m in doc_mentions("p", doc, doc.text)] == ["LLaMA-2"]


def test_extract_papers_takes_the_rows_unchecked_only_after_a_last_resolver(nlp: Language) -> None:
    assert _resolver_runs_last(nlp)
    rules = build_pipeline(exclude=("pg_resolver",))
    assert not _resolver_runs_last(rules)
    papers = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text().splitlines()]
    found = dict(extract_papers(papers))
    for paper in papers:
        text = paper_text(paper["title"], paper["abstract"])
        assert found[paper["paper_id"]] == doc_mentions(paper["paper_id"], nlp(text), text)
