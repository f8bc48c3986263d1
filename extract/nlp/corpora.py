"""The public annotated corpora of ../shared/train (SciREX, TDMSci), mapped to our guideline.

Read at training and evaluation time from `<shared>/train`; nothing of them is copied into the repo.

- SciREX (Jain et al. 2020): `Method` -> METHOD (SciREX does not separate models from methods, so our
  MODEL and METHOD are both scored as METHOD on it); `Material` -> DATASET when it names a dataset (a
  salient dataset of the paper's results, or a capitalised name not headed by a generic noun such as
  "data" or "images"), else "ignored" (neither a hit nor a false positive); `Task` and `Metric` are
  labelled as not-entities (our guideline does not annotate them).
- TDMSci (Hou et al. 2021): `DATASET` -> DATASET; `TASK` and `METRIC` are not-entities.

The held-out split of SciREX is a fixed hash of `doc_id` (`is_scirex_heldout`): about 20% of the 306
papers, never trained or tuned on. TDMSci's own test file is its held-out set.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SCIREX_FILE = "scirex_train.jsonl.gz"
TDMSCI_TRAIN = "tdmsci/train_1500_v2.conll"
TDMSCI_TEST = "tdmsci/test_500_v2.conll"
HELDOUT_PERCENT = 20
NOT_ENTITY = "NONE"  # a labelled task / metric: a candidate there is a false positive
IGNORED = "IGNORED"  # a labelled span our guideline neither wants nor rejects (a non-dataset Material)

# Material heads that make a phrase a kind of data, not a named dataset ("GPS data", "Atari games")
_GENERIC_MATERIAL_HEADS = frozenset(
    ["data", "images", "image", "videos", "video", "games", "game", "puzzles", "domain", "domains"]
    + ["text", "texts", "sentences", "documents", "volumes", "scenes", "examples", "samples", "pairs"]
    + ["corpora", "languages", "language", "speech", "audio", "graphs"]
)
_NAME_WORD = re.compile(r"[A-Z]|\d")


class CorpusError(ValueError):
    """A training corpus file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int  # character offsets into `LabelledText.text`
    end: int
    label: str  # MODEL-or-METHOD as "METHOD", DATASET, NOT_ENTITY or IGNORED
    cluster: str = ""  # SciREX coreference cluster name, when the mention is in one


@dataclass
class LabelledText:
    """A title + abstract (or a sentence / body section) with gold spans in our label set."""

    doc_id: str
    title: str
    abstract: str
    spans: list[GoldSpan] = field(default_factory=list)

    @property
    def text(self) -> str:
        from extract.records import paper_text

        return paper_text(self.title, self.abstract)

    def surface(self, span: GoldSpan) -> str:
        return self.text[span.start : span.end]


def is_scirex_heldout(doc_id: str) -> bool:
    """The fixed held-out split: the first byte of sha256(doc_id) decides (about 20% of papers)."""
    return hashlib.sha256(doc_id.encode("utf-8")).digest()[0] * 100 < HELDOUT_PERCENT * 256


def is_scirex_dev(doc_id: str) -> bool:
    """About 10% of the non-held-out papers (the second byte decides): `spacy train`'s dev set, which
    only picks the best checkpoint."""
    return not is_scirex_heldout(doc_id) and hashlib.sha256(doc_id.encode("utf-8")).digest()[1] < 26


# ---------------------------------------------------------------------------------------------- SciREX
_NO_SPACE_BEFORE = frozenset([",", ".", ";", ":", ")", "]", "?", "!", "'s", "%", "'"])
_NO_SPACE_AFTER = frozenset(["(", "["])


def detokenise(words: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text from SciREX's space-separated tokens ("CIFAR - 10" -> "CIFAR-10"), with each token's offsets."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    length = 0
    previous = ""
    for word in words:
        glued = (
            not parts
            or word in _NO_SPACE_BEFORE
            or previous in _NO_SPACE_AFTER
            or word == "-"
            or previous == "-"
        )
        if not glued:
            parts.append(" ")
            length += 1
        offsets.append((length, length + len(word)))
        parts.append(word)
        length += len(word)
        previous = word
    return "".join(parts), offsets


def _material_is_dataset(surface: str, salient: set[str]) -> bool:
    if _key(surface) in salient:
        return True
    words = surface.split()
    if not words or not _NAME_WORD.search(surface) or surface.replace(".", "").isdigit():
        return False
    return words[-1].lower() not in _GENERIC_MATERIAL_HEADS


def _key(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text.casefold())


def _scirex_label(label: str, surface: str, salient: set[str]) -> str:
    if label == "Method":
        return "METHOD"
    if label == "Material":
        return "DATASET" if _material_is_dataset(surface, salient) else IGNORED
    return NOT_ENTITY


def scirex_sections(doc: dict, first_only: bool = False) -> Iterator[LabelledText]:
    """A SciREX document as labelled texts: the title + abstract first (as `paper_text` joins them),
    then each body section (`first_only`: just the first).

    SciREX's first section starts "document : <title>"; when it holds only the title, the abstract is
    the next section.
    """
    words, sections = doc["words"], doc["sections"]
    sentences = doc["sentences"]
    salient = {
        _key(r["Material"].replace("_", " ")) for r in doc.get("n_ary_relations", []) if r.get("Material")
    }
    cluster_of: dict[tuple[int, int], str] = {}
    for name, mentions in doc.get("coref", {}).items():
        for start, end in mentions:
            cluster_of[(start, end)] = name
    first_end = sections[0][1]
    title_end = next((end for start, end in sentences if start == 0), first_end)
    if first_end - title_end < 20 and len(sections) > 1:  # title-only first section
        first_end = sections[1][1]
    sentence_end = {start: end for start, end in sentences}

    def after_header(position: int) -> int:  # "section : Abstract" is a heading, not text
        if words[position : position + 2] == ["section", ":"]:
            return sentence_end.get(position, position + 2)
        return position

    blocks = [(0, title_end, first_end)]
    if not first_only:
        blocks += [(start, start, end) for start, end in sections if start >= first_end]
    for block_start, title_stop, block_end in blocks:
        skip = 2 if words[block_start : block_start + 2] == ["document", ":"] else 0
        abstract_start = after_header(title_stop)
        title, title_offsets = detokenise(words[block_start + skip : title_stop])
        abstract, abstract_offsets = detokenise(words[abstract_start:block_end])
        # paper_text: title, blank line, abstract; a body section is the abstract of an untitled text
        shift = len(title) + 2 if abstract else 0
        offsets = [(0, 0)] * skip + title_offsets + [(0, 0)] * (abstract_start - title_stop)
        offsets += [(s + shift, e + shift) for s, e in abstract_offsets]
        labelled = LabelledText(f"{doc['doc_id']}#{block_start}", title, abstract)
        text = labelled.text
        for start, end, label in doc["ner"]:
            if start < block_start + skip or end > block_end or start >= end:
                continue
            if title_stop <= start < abstract_start:
                continue
            char_start, char_end = offsets[start - block_start][0], offsets[end - 1 - block_start][1]
            surface = text[char_start:char_end]
            mapped = _scirex_label(label, surface, salient)
            labelled.spans.append(GoldSpan(char_start, char_end, mapped, cluster_of.get((start, end), "")))
        yield labelled


def read_scirex(shared: Path) -> Iterator[dict]:
    path = shared / "train" / SCIREX_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(f"{path}:{number}: invalid JSON: {exc}") from exc
    except FileNotFoundError as exc:
        raise CorpusError(f"{path}: SciREX file not found") from exc


def scirex_part(doc_id: str) -> str:
    """ "heldout" (evaluation only), "dev" (checkpoint selection) or "train"."""
    return "heldout" if is_scirex_heldout(doc_id) else "dev" if is_scirex_dev(doc_id) else "train"


def scirex_split(shared: Path, heldout: bool, first_only: bool = False) -> Iterator[LabelledText]:
    """Labelled texts of the SciREX train part (`heldout=False`: "train" and "dev") or the held-out part."""
    for doc in read_scirex(shared):
        if is_scirex_heldout(doc["doc_id"]) == heldout:
            yield from scirex_sections(doc, first_only=first_only)


def scirex_texts(shared: Path, part: str, first_only: bool = False) -> Iterator[LabelledText]:
    """Labelled texts of one part ("train", "dev" or "heldout") of SciREX."""
    for doc in read_scirex(shared):
        if scirex_part(doc["doc_id"]) == part:
            yield from scirex_sections(doc, first_only=first_only)


# ---------------------------------------------------------------------------------------------- TDMSci
def parse_conll(lines: Iterator[str], origin: str) -> Iterator[LabelledText]:
    """TDMSci CoNLL (token, char offset, BIO tag; blank line between sentences) -> one text a sentence.

    The sentence is the abstract of an untitled text; tokens are placed at their offsets (which count
    from the file start) so the spacing is the original one.
    """
    sentence: list[tuple[str, int, str]] = []
    count = 0

    def flush() -> LabelledText | None:
        if not sentence:
            return None
        base = sentence[0][1]
        chars: list[str] = []
        for token, offset, _ in sentence:
            chars.append(" " * max(0, offset - base - len("".join(chars))) + token)
        abstract = "".join(chars)
        labelled = LabelledText(f"tdmsci-{count}", "", abstract)
        shift = 2
        current: tuple[int, int, str] | None = None  # (start, end, tag) of the open mention
        for token, offset, tag in [*sentence, ("", -1, "O")]:
            start = offset - base + shift
            if current is not None and not tag.startswith("I-"):
                labelled.spans.append(GoldSpan(current[0], current[1], _tdmsci_label(current[2])))
                current = None
            if tag.startswith("B-") or (tag.startswith("I-") and current is None):
                current = (start, start + len(token), tag[2:])
            elif tag.startswith("I-") and current is not None:
                current = (current[0], start + len(token), current[2])
        return labelled

    for number, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line.strip():
            labelled = flush()
            if labelled:
                yield labelled
                count += 1
            sentence = []
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[1].isdigit():
            raise CorpusError(f"{origin}:{number}: expected 'token<TAB>offset<TAB>tag', got {line!r}")
        sentence.append((fields[0], int(fields[1]), fields[2]))
    labelled = flush()
    if labelled:
        yield labelled


def _tdmsci_label(label: str) -> str:
    return "DATASET" if label == "DATASET" else NOT_ENTITY


def read_tdmsci(shared: Path, test: bool) -> Iterator[LabelledText]:
    path = shared / "train" / (TDMSCI_TEST if test else TDMSCI_TRAIN)
    try:
        with path.open(encoding="utf-8") as lines:
            yield from parse_conll(lines, str(path))
    except FileNotFoundError as exc:
        raise CorpusError(f"{path}: TDMSci file not found") from exc
