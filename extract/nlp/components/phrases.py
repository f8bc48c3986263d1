"""`pg_phrases`: a gazetteer as one spaCy `PhraseMatcher`, writing its matches to a `doc.spans` group.

It does the job of the stock `span_ruler` for phrase patterns (`{"label", "pattern", "id"}`), with two
differences that matter for the large vocabularies:
- patterns are tokenised with the tokenizer alone: `SpanRuler.add_patterns` runs every earlier
  pipeline component (span rulers included) over each of the ~35,000 pattern texts, ~5 s at load;
- spans carry the entity key as `kb_id` (and `id`), the candidate interface of `extract/nlp/spans.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span


class PhraseGazetteer:
    def __init__(self, nlp: Language, name: str, spans_key: str, phrase_matcher_attr: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.attr = phrase_matcher_attr
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(nlp.vocab, attr=phrase_matcher_attr)
        self.labels: dict[int, tuple[str, str]] = {}  # match id -> (label, entity key)

    def initialize(
        self,
        get_examples: Callable[[], Iterable] | None = None,
        *,
        nlp: Language | None = None,
        patterns: list[dict],
    ) -> None:
        if nlp is not None:
            self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(self.vocab, attr=self.attr)
        self.labels = {}
        self.add_patterns(patterns)

    def add_patterns(self, patterns: list[dict]) -> None:
        by_key: dict[str, list[str]] = {}
        for pattern in patterns:
            label, key = pattern["label"], pattern.get("id", "")
            by_key.setdefault(f"{label}\t{key}", []).append(pattern["pattern"])
        texts = [text for group in by_key.values() for text in group]
        docs = iter(self.tokenizer.pipe(texts))
        for match_key, group in by_key.items():
            self.matcher.add(match_key, [next(docs) for _ in group])
            label, key = match_key.split("\t", 1)
            self.labels[self.vocab.strings[match_key]] = (label, key)

    def __len__(self) -> int:
        return len(self.labels)

    def __call__(self, doc: Doc) -> Doc:
        labels = self.labels
        found = []
        for match_id, start, end in self.matcher(doc):
            label, key = labels[match_id]
            found.append(Span(doc, start, end, label=label, kb_id=key, span_id=key))
        doc.spans[self.spans_key] = found
        return doc


@Language.factory(
    "pg_phrases",
    assigns=["doc.spans"],
    default_config={"spans_key": "", "phrase_matcher_attr": "ORTH"},
)
def make_phrases(nlp: Language, name: str, spans_key: str, phrase_matcher_attr: str) -> PhraseGazetteer:
    return PhraseGazetteer(nlp, name, spans_key, phrase_matcher_attr)
