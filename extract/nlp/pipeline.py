"""Public API: build the pipeline once, stream papers through it, get `Mention`s back."""

from __future__ import annotations

import atexit
import bisect
import contextlib
import functools
import gc
import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch, raise_error

import extract.nlp.components  # noqa: F401 - registers the custom factories
import extract.nlp.gazetteer as gazetteer  # registers the pattern readers
import extract.nlp.tokenizer  # noqa: F401 - registers the tokenizer rules
from extract.nlp.components.resolver import RESOLVED_KEY, resolved_entities
from extract.records import Mention, PaperRecord, paper_text

CONFIG_PATH = Path(__file__).resolve().parent / "config.cfg"
# Text longer than this is cut before it reaches spaCy. The longest title + abstract of the 115,098
# real papers in ../shared/corpus is 3,587 characters; spaCy refuses more than nlp.max_length
# (1,000,000, error E088) and its memory grows with the text, so one bad row could fail a whole run.
MAX_TEXT_CHARS = 100_000

log = logging.getLogger(__name__)


class PaperInputError(ValueError):
    """A paper given to the extractor lacks a paper_id or a title."""


def build_pipeline(config_path: Path = CONFIG_PATH, exclude: Iterable[str] = ()) -> Language:
    """A fresh pipeline from config.cfg, initialised with the gazetteer patterns and the committed
    classifier weights (offline); `exclude` leaves components out (the rules alone, for weak labels)."""
    config = spacy.util.load_config(config_path)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True, exclude=list(exclude))
    nlp.initialize()
    gazetteer.warm_lookups()  # built at load time, not inside the first papers' processing
    return nlp


@functools.cache
def load_pipeline() -> Language:
    """The shared pipeline, built on first use.

    Its objects (patterns, lookups, caches: ~120,000 tracked by the garbage collector) live as long as
    the process, so they are moved to the collector's permanent generation (`gc.freeze`): the many
    small objects each paper allocates trigger full collections, which would traverse them all again
    (measured: the whole extraction ~15% faster). They go back at exit, for the interpreter's last
    collections: bindings that count their objects at exit (DuckDB's nanobind) would report leaks."""
    nlp = build_pipeline()
    gc.freeze()
    atexit.register(gc.unfreeze)
    return nlp


def _fields(paper: PaperRecord | dict[str, Any]) -> tuple[str, str, str]:
    if isinstance(paper, PaperRecord):
        paper_id, title, abstract = paper.paper_id, paper.title, paper.abstract
    else:
        paper_id, title, abstract = paper.get("paper_id"), paper.get("title"), paper.get("abstract") or ""
    if not paper_id or not isinstance(title, str):
        raise PaperInputError(f"paper {paper_id!r}: needs a paper_id and a title")
    return str(paper_id), title, str(abstract)


def doc_mentions(
    paper_id: str, doc: Doc, text: str | None = None, *, ents_unchanged: bool = False
) -> list[Mention]:
    """The resolved entities of a processed doc as `Mention` rows, in text order.

    `text` is the doc's input text when the caller has it: `Doc.text` is rebuilt from the tokens.
    `ents_unchanged`: the caller knows that `doc.ents` are still as `pg_resolver` set them (it ran
    last, see `_resolver_runs_last`), so its rows are taken without comparing them with `doc.ents`
    (which builds a `Span` per entity).
    """
    if ents_unchanged:
        stored = doc.user_data.get(RESOLVED_KEY)  # (signature, rows), as `resolved_entities` reads it
        resolved = None if stored is None else stored[1]
    else:
        resolved = resolved_entities(doc)
    if resolved is not None:
        # the resolver's rows (checked against doc.ents); the extension values are read where
        # `ent._` would read them (`doc_access.span_extension`, its keys inline)
        values = doc.user_data
        return [
            Mention(
                paper_id,
                key,
                entity_type,
                surface,
                start,
                end,
                sentence,
                values.get(("._.", "pg_component", start, end), ""),
                bool(values.get(("._.", "pg_contribution", start, end), False)),
            )
            for start, end, entity_type, key, surface, sentence in resolved
        ]
    ents = doc.ents
    if not ents:
        return []
    if text is None:
        text = doc.text
    sentences = [(sentence.start, sentence.start_char, sentence.end_char) for sentence in doc.sents]
    starts = [start for start, _, _ in sentences]
    sentence_texts: dict[int, str] = {}
    mentions = []
    for ent in ents:
        index = bisect.bisect_right(starts, ent.start) - 1
        sentence = sentence_texts.get(index)
        if sentence is None:
            _, sentence_start, sentence_end = sentences[index]
            sentence = sentence_texts[index] = text[sentence_start:sentence_end].strip()
        start, end = ent.start_char, ent.end_char
        extensions = ent._
        mentions.append(
            Mention(
                paper_id=paper_id,
                entity_key=ent.kb_id_,
                type=ent.label_,
                text=text[start:end],
                start=start,
                end=end,
                sentence=sentence,
                component=extensions.pg_component,
                is_contribution=bool(extensions.pg_contribution),
            )
        )
    return mentions


def _processed(
    papers: Iterable[PaperRecord | dict[str, Any]], batch_size: int, n_process: int
) -> Iterator[tuple[str, str, Doc]]:
    """(paper_id, text, processed Doc) per paper, streaming through the pipeline."""
    fields = (
        (paper_id, capped_text(paper_id, paper_text(title, abstract)))
        for paper_id, title, abstract in map(_fields, papers)
    )
    nlp = load_pipeline()
    if n_process == 1 and nlp.default_error_handler is raise_error:
        for batch in minibatch(fields, batch_size):
            docs = run_components(nlp, [nlp.make_doc(text) for _, text in batch], batch_size)
            for (paper_id, text), doc in zip(batch, docs, strict=True):
                yield paper_id, text, doc
        return
    pairs = ((text, (paper_id, text)) for paper_id, text in fields)
    for doc, (paper_id, text) in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield paper_id, text, doc


def run_components(nlp: Language, docs: list[Doc], batch_size: int) -> list[Doc]:
    """`list(nlp.pipe(docs, batch_size=batch_size))` for one batch, with the default error handler
    (an error is raised as it is): each component runs over the whole batch before the next one,
    rather than each doc passing through a chain of generators (measured ~10% faster).

    The cyclic garbage collector is paused meanwhile (`collector_paused`)."""
    with collector_paused():
        for _, proc in nlp.pipeline:
            if hasattr(proc, "pipe"):
                docs = list(proc.pipe(docs, batch_size=batch_size))
            else:
                docs = [proc(doc) for doc in docs]
    return docs


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (it stays as it was when it was off).

    A batch allocates many small objects, most freed by reference counting as soon as they are
    unused; the collections they trigger (every 700 allocations) traverse the batch's live docs
    each time, ~8% of the extraction's time (measured). Any cyclic garbage waits for the next
    collection after the block, so the block is one batch, and never spans a `yield`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def capped_text(paper_id: str, text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The text entities are extracted from: at most `limit` characters, cut at a space when there is
    one in the last tenth (a prefix, so every offset still indexes `paper_text`). A warning names
    the paper that was cut."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit - limit // 10, limit)
    capped = text[: cut if cut > 0 else limit]
    log.warning(
        "paper %s: text of %d characters cut to its first %d for entity extraction (limit %d)",
        paper_id,
        len(text),
        len(capped),
        limit,
    )
    return capped


def extract_docs(
    papers: Iterable[PaperRecord | dict[str, Any]], batch_size: int = 256, n_process: int = 1
) -> Iterator[tuple[str, Doc]]:
    """(paper_id, processed Doc) per paper, streaming through `nlp.pipe`."""
    for paper_id, _, doc in _processed(papers, batch_size, n_process):
        yield paper_id, doc


def extract_papers(
    papers: Iterable[PaperRecord | dict[str, Any]], batch_size: int = 256, n_process: int = 1
) -> Iterator[tuple[str, list[Mention]]]:
    """(paper_id, mentions) per paper, in input order; offsets index `paper_text(title, abstract)`.

    With n_process > 1, worker processes each run whole batches and send back only the mentions:
    `nlp.pipe(n_process=...)` ships every Doc back through msgpack, whose decoder registry lookup
    scans the installed packages' entry points on each call. Workers are spawned, not forked: a
    fork of a process with threads (an Airflow task, a driver pool) can deadlock in the child.
    """
    if n_process <= 1:
        unchanged = _resolver_runs_last(load_pipeline())
        for paper_id, text, doc in _processed(papers, batch_size, 1):
            yield paper_id, doc_mentions(paper_id, doc, text, ents_unchanged=unchanged)
        return
    batches = _batches(map(_fields, papers), batch_size)
    with multiprocessing.get_context("spawn").Pool(n_process, initializer=load_pipeline) as pool:
        pending: deque[AsyncResult[list[tuple[str, list[Mention]]]]] = deque()
        for batch in batches:
            pending.append(pool.apply_async(_extract_batch, (batch,)))
            if len(pending) >= 2 * n_process:  # bounded read-ahead: the input stays streamed
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _resolver_runs_last(nlp: Language) -> bool:
    """Whether the docs `_processed` yields keep the entities `pg_resolver` set: it is the last
    component, and errors are raised (a custom error handler lets a doc go on past a failure)."""
    names = nlp.pipe_names
    return (
        bool(names)
        and nlp.get_pipe_meta(names[-1]).factory == "pg_resolver"
        and nlp.default_error_handler is raise_error
    )


def _batches(fields: Iterator[tuple[str, str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    batch: list[dict[str, str]] = []
    for paper_id, title, abstract in fields:
        batch.append({"paper_id": paper_id, "title": title, "abstract": abstract})
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _extract_batch(batch: list[dict[str, str]]) -> list[tuple[str, list[Mention]]]:
    """Worker side of `extract_papers(n_process > 1)`."""
    return list(extract_papers(batch, batch_size=len(batch)))
