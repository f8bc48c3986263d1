"""`spacy train` readers for `pg_span_classifier` (registered as `paper_graph.span_training.v1`).

Examples come from four sources, all read from `<shared>` at training time (nothing is copied):

- SciREX, the "train" or "dev" part of `extract.nlp.corpora.scirex_part` (never the held-out part):
  every section of each paper, labels mapped to ours;
- TDMSci train sentences (DATASET; tasks and metrics as not-entities);
- weak labels: the rules' own entities (from gazetteers, acronym definitions and name shapes only) on a
  fixed sample of `corpus/papers.jsonl.zst`;
- the `ai_keywords` of `corpus/hf_daily_papers_raw.jsonl.zst`: a candidate equal to a keyword of its
  paper is an entity of some type.

Papers whose title appears on a page of `<shared>/seeds` (the pages the evaluation sets were drawn
from) are left out of the weak sources. `<shared>/eval` is never read.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import zstandard
from spacy.language import Language
from spacy.training import Example
from spacy.util import registry

from extract.nlp.components.common import occurrences
from extract.nlp.corpora import (
    IGNORED,
    NOT_ENTITY,
    LabelledText,
    read_scirex,
    read_tdmsci,
    scirex_part,
    scirex_sections,
)
from extract.nlp.normalize import match_form
from extract.nlp.train.labels import GOLD_KEY, KNOWN_KEY, SOURCE_KEY, WEIGHT_KEY
from extract.records import paper_text

WEAK_COMPONENTS = frozenset({"gazetteer", "acronym", "shape"})


@dataclass
class TrainingText:
    text: str
    spans: list[tuple[int, int, str]]
    source: str
    weight: float
    known: dict[str, str] = field(default_factory=dict)

    def example(self, nlp: Language) -> Example:
        predicted = nlp.make_doc(self.text)
        reference = nlp.make_doc(self.text)
        spans = []
        for start, end, label in self.spans:
            span = reference.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        reference.spans[GOLD_KEY] = spans
        reference.user_data[SOURCE_KEY] = self.source
        reference.user_data[WEIGHT_KEY] = self.weight
        reference.user_data[KNOWN_KEY] = self.known
        return Example(predicted, reference)


def _from_labelled(labelled: LabelledText, source: str, weight: float, known: dict[str, str]) -> TrainingText:
    spans = [(s.start, s.end, s.label) for s in labelled.spans]
    return TrainingText(labelled.text, spans, source, weight, known)


def scirex_training(shared: Path, part: str, weight: float) -> list[TrainingText]:
    texts: list[TrainingText] = []
    for doc in read_scirex(shared):
        if scirex_part(doc["doc_id"]) != part:
            continue
        sections = list(scirex_sections(doc))
        known: dict[str, str] = {}  # an entity label wins over a task / metric / ignored one
        for section in sections:
            for span in section.spans:
                form = match_form(section.surface(span))
                if known.get(form) in (None, NOT_ENTITY, IGNORED):
                    known[form] = span.label
        texts += [
            _from_labelled(section, "scirex", weight, known) for section in sections if section.text.strip()
        ]
    return texts


def tdmsci_training(shared: Path, weight: float) -> list[TrainingText]:
    return [_from_labelled(sentence, "tdmsci", weight, {}) for sentence in read_tdmsci(shared, test=False)]


@functools.cache
def _seed_titles_text(shared: Path) -> str:
    folder = shared / "seeds"
    pages = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(folder.glob("*.txt"))]
    return " ".join(" ".join(pages).split()).casefold()


def on_seed_pages(shared: Path, title: str) -> bool:
    """Is this title listed on a page the evaluation sets were drawn from? (then it is not trained on)"""
    folded = " ".join(title.split()).casefold()
    return len(folded) > 10 and folded in _seed_titles_text(shared)


def _zst_lines(path: Path) -> Iterator[str]:
    with path.open("rb") as raw:
        yield from io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")


def corpus_sample(shared: Path, size: int, stride: int) -> list[tuple[str, str]]:
    """(title, abstract) of every `stride`-th corpus paper, `size` of them (seed-page papers skipped)."""
    papers: list[tuple[str, str]] = []
    for number, line in enumerate(_zst_lines(shared / "corpus" / "papers.jsonl.zst")):
        if len(papers) >= size:
            break
        if number % stride:
            continue
        row = json.loads(line)
        if row.get("title") and row.get("abstract") and not on_seed_pages(shared, row["title"]):
            papers.append((row["title"], row["abstract"]))
    return papers


def weak_training(shared: Path, size: int, stride: int, weight: float) -> list[TrainingText]:
    """The rules' entities (strong components only) on a corpus sample, from the rules-only pipeline."""
    from extract.nlp.pipeline import build_pipeline

    rules = build_pipeline(exclude=("pg_span_classifier",))
    texts = [paper_text(title, abstract) for title, abstract in corpus_sample(shared, size, stride)]
    out: list[TrainingText] = []
    for text, doc in zip(texts, rules.pipe(texts, batch_size=256), strict=True):
        spans = [
            (ent.start_char, ent.end_char, f"WEAK_{ent.label_}")
            for ent in doc.ents
            if ent._.pg_component in WEAK_COMPONENTS
        ]
        out.append(TrainingText(text, spans, "weak", weight))
    return out


def hf_keyword_papers(shared: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(title, summary, ai_keywords) of the recorded daily-papers items that carry keywords."""
    for line in _zst_lines(shared / "corpus" / "hf_daily_papers_raw.jsonl.zst"):
        row = json.loads(line)
        if not row.get("format", "").startswith("api_json"):
            continue  # the recorder's mangled formats
        data = json.loads(row["raw"])
        for item in data if isinstance(data, list) else []:
            paper = item.get("paper") or {}
            keywords = paper.get("ai_keywords")
            title, summary = paper.get("title"), paper.get("summary")
            if keywords and isinstance(title, str) and isinstance(summary, str):
                yield (
                    " ".join(title.split()),
                    " ".join(summary.split()),
                    [k for k in keywords if isinstance(k, str)],
                )


def keyword_training(shared: Path, size: int, weight: float) -> list[TrainingText]:
    out: list[TrainingText] = []
    seen: set[str] = set()
    for title, summary, keywords in hf_keyword_papers(shared):
        if len(out) >= size:
            break
        if title in seen or on_seed_pages(shared, title):
            continue
        seen.add(title)
        text = paper_text(title, summary)
        spans = [(s, e, "KEEP") for keyword in keywords for s, e in occurrences(text, keyword.strip())]
        if spans:
            out.append(TrainingText(text, spans, "keywords", weight))
    return out


@registry.readers("paper_graph.span_training.v1")
def span_training(
    shared: str,
    scirex_part: str = "train",
    scirex_weight: float = 1.0,
    tdmsci: bool = True,
    tdmsci_weight: float = 1.0,
    corpus_papers: int = 0,
    corpus_stride: int = 37,
    weak_weight: float = 0.3,
    keyword_papers: int = 0,
    keyword_weight: float = 0.3,
) -> Callable[[Language], Iterator[Example]]:
    """The training (or, with `scirex_part = "dev"` and nothing else, the dev) examples."""
    root = Path(shared)
    cache: list[TrainingText] = []

    def read(nlp: Language) -> Iterator[Example]:
        if not cache:
            cache.extend(scirex_training(root, scirex_part, scirex_weight))
            if tdmsci:
                cache.extend(tdmsci_training(root, tdmsci_weight))
            if corpus_papers:
                cache.extend(weak_training(root, corpus_papers, corpus_stride, weak_weight))
            if keyword_papers:
                cache.extend(keyword_training(root, keyword_papers, keyword_weight))
        for text in cache:
            yield text.example(nlp)

    return read
