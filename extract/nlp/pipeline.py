"""Public API: build the pipeline once, stream papers through it, get `Mention`s back."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import extract.nlp.components  # noqa: F401 - registers the custom factories
import extract.nlp.gazetteer  # noqa: F401 - registers the pattern reader
import extract.nlp.tokenizer  # noqa: F401 - registers the tokenizer rules
from extract.records import Mention, PaperRecord, paper_text

CONFIG_PATH = Path(__file__).resolve().parent / "config.cfg"


class PaperInputError(ValueError):
    """A paper given to the extractor lacks a paper_id or a title."""


def build_pipeline(config_path: Path = CONFIG_PATH) -> Language:
    """A fresh pipeline from config.cfg, initialised with the gazetteer patterns (offline)."""
    config = spacy.util.load_config(config_path)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    nlp.initialize()
    return nlp


@functools.cache
def load_pipeline() -> Language:
    """The shared pipeline, built on first use."""
    return build_pipeline()


def _fields(paper: PaperRecord | dict[str, Any]) -> tuple[str, str, str]:
    if isinstance(paper, PaperRecord):
        paper_id, title, abstract = paper.paper_id, paper.title, paper.abstract
    else:
        paper_id, title, abstract = paper.get("paper_id"), paper.get("title"), paper.get("abstract") or ""
    if not paper_id or not isinstance(title, str):
        raise PaperInputError(f"paper {paper_id!r}: needs a paper_id and a title")
    return str(paper_id), title, str(abstract)


def doc_mentions(paper_id: str, doc: Doc) -> list[Mention]:
    """The resolved entities of a processed doc as `Mention` rows, in text order."""
    sentences = list(doc.sents) if doc.ents else []
    starts = [sentence.start for sentence in sentences]
    return [
        Mention(
            paper_id=paper_id,
            entity_key=ent.kb_id_,
            type=ent.label_,
            text=ent.text,
            start=ent.start_char,
            end=ent.end_char,
            sentence=sentences[bisect.bisect_right(starts, ent.start) - 1].text.strip(),
            component=ent._.pg_component,
            is_contribution=bool(ent._.pg_contribution),
        )
        for ent in doc.ents
    ]


def extract_docs(
    papers: Iterable[PaperRecord | dict[str, Any]], batch_size: int = 256, n_process: int = 1
) -> Iterator[tuple[str, Doc]]:
    """(paper_id, processed Doc) per paper, streaming through `nlp.pipe`."""
    nlp = load_pipeline()
    texts = ((paper_text(title, abstract), paper_id) for paper_id, title, abstract in map(_fields, papers))
    for doc, paper_id in nlp.pipe(texts, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield paper_id, doc


def extract_papers(
    papers: Iterable[PaperRecord | dict[str, Any]], batch_size: int = 256, n_process: int = 1
) -> Iterator[tuple[str, list[Mention]]]:
    """(paper_id, mentions) per paper, in input order; offsets index `paper_text(title, abstract)`."""
    for paper_id, doc in extract_docs(papers, batch_size=batch_size, n_process=n_process):
        yield paper_id, doc_mentions(paper_id, doc)
