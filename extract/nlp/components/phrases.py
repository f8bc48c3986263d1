"""`pg_phrases`: gazetteers as one spaCy `PhraseMatcher`, each pattern's matches going to its `doc.spans`
group.

It does the job of the stock `span_ruler` for phrase patterns (`{"label", "pattern", "id", "group"}`),
with differences that matter for the large vocabularies:
- one matcher pass serves several groups (curated and vocabulary lists, matched by the same attribute);
- patterns are tokenised with the tokenizer alone: `SpanRuler.add_patterns` runs every earlier
  pipeline component (span rulers included) over each of the ~35,000 pattern texts, ~5 s at load;
- spans carry the entity key as `kb_id` (and `id`), the candidate interface of `extract/nlp/spans.py`;
- each group's (start, end, label, key) go to the rule components' bounds cache (`common.span_bounds`), so
  they never build `Span` objects to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from extract.nlp.components.common import SPAN_BOUNDS_KEY, SpanBounds


class PhraseGazetteer:
    def __init__(self, nlp: Language, name: str, phrase_matcher_attr: str) -> None:
        self.name = name
        self.attr = phrase_matcher_attr
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(nlp.vocab, attr=phrase_matcher_attr)
        # match id -> (group, label, entity key, label string, key string), the first label and key as
        # string-store hashes: a Span given strings adds them to the store again for every match
        self.labels: dict[int, tuple[str, int, int, str, str]] = {}
        self.groups: tuple[str, ...] = ()

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
            group, label, key = pattern["group"], pattern["label"], pattern.get("id", "")
            by_key.setdefault(f"{group}\t{label}\t{key}", []).append(pattern["pattern"])
        texts = [text for group in by_key.values() for text in group]
        docs = iter(self.tokenizer.pipe(texts))
        strings = self.vocab.strings
        for match_key, key_texts in by_key.items():
            self.matcher.add(match_key, [next(docs) for _ in key_texts])
            group, label, key = match_key.split("\t", 2)
            self.labels[strings[match_key]] = (group, strings.add(label), strings.add(key), label, key)
        self.groups = tuple(sorted({labels[0] for labels in self.labels.values()}))

    def __len__(self) -> int:
        return len(self.labels)

    def __call__(self, doc: Doc) -> Doc:
        labels = self.labels
        found: dict[str, list[Span]] = {group: [] for group in self.groups}
        bounds: dict[str, list[SpanBounds]] = {}  # of the groups found
        for match_id, start, end in self.matcher(doc):
            group, label, key, label_text, key_text = labels[match_id]
            found[group].append(Span(doc, start, end, label=label, kb_id=key, span_id=key))
            bounds.setdefault(group, []).append((start, end, label_text, key_text))
        groups = doc.spans.data  # what `doc.spans[group] = spans` stores, without its Python-level checks
        for group, group_spans in found.items():
            groups[group] = SpanGroup(doc, name=group, spans=group_spans)
        if bounds:  # (`span_bounds` of an empty group needs no cache)
            cache = doc.user_data.get(SPAN_BOUNDS_KEY)
            if cache is None:
                doc.user_data[SPAN_BOUNDS_KEY] = bounds
            else:
                cache.update(bounds)
        return doc


@Language.factory(
    "pg_phrases",
    assigns=["doc.spans"],
    default_config={"phrase_matcher_attr": "ORTH"},
)
def make_phrases(nlp: Language, name: str, phrase_matcher_attr: str) -> PhraseGazetteer:
    return PhraseGazetteer(nlp, name, phrase_matcher_attr)
