"""Derive the vocabulary pattern files from the public sources in ../shared/vocab (see its README).

    python -m extract.nlp.vocab.build --shared ../shared [--out extract/nlp/patterns/vocab]

Reproducible: the output depends only on the input files (sorted, no timestamps). Every line keeps its
`source` (the Papers with Code page slug, or the transformers model type). Written:

- datasets.jsonl  DATASET entries: name, aliases (variants and full names that are spellings or
                  abbreviations of the name), `cue` (surfaces that need a context cue), source;
- methods.jsonl   METHOD / MODEL entries from the Papers with Code methods (their collection decides
                  the type of a proper-named model), full names as aliases;
- models.jsonl    MODEL entries from the Hugging Face model types;
- tasks.jsonl     task names of the datasets: never an entity;
- common_words.jsonl  frequent lowercase words of the corpus abstracts (../shared/corpus): a capitalised
                  common word is not a name on its own.

Only ../shared/vocab and ../shared/corpus are read: the gold files in ../shared/eval are never a source.
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from extract.nlp.gazetteer import VOCAB_DIR, curated_surfaces, read_stoplist
from extract.nlp.lexicon import head_type
from extract.nlp.normalize import fold, normalise_name, singular

SOURCE_FILES = {
    "datasets": "pwc_datasets.json.gz",
    "methods": "pwc_methods_2275.json.gz",
    "methods_old": "pwc_methods.json.gz",
    "hf": "transformers_auto_mappings.py",
}
OUTPUT_FILES = ("datasets.jsonl", "methods.jsonl", "models.jsonl", "tasks.jsonl", "common_words.jsonl")
CORPUS_FILE = Path("corpus") / "papers.jsonl.zst"
# common English words: written in lowercase nearly always and often in these many abstracts
COMMON_WORD_PAPERS, COMMON_WORD_MIN_COUNT, COMMON_WORD_LOWER_SHARE = 20_000, 30, 0.85
WORD = re.compile(r"(?<![\w-])[A-Za-z][a-z]+(?![\w-])")

# Papers with Code method collections whose proper-named members are models (BERT, ResNet, YOLOv3)
MODEL_COLLECTIONS = frozenset(
    [
        "Language Models",
        "Autoencoding Transformers",
        "Autoregressive Transformers",
        "Image Models",
        "Convolutional Neural Networks",
        "Vision Transformers",
        "Object Detection Models",
        "One-Stage Object Detection Models",
        "Vision and Language Pre-Trained Models",
        "Generative Audio Models",
        "Text-to-Speech Models",
        "Image Generation Models",
        "Instance Segmentation Models",
        "Light-weight neural networks",
        "Code Generation Transformers",
        "Video Models",
        "Speech Recognition Models",
        "Image Segmentation Models",
    ]
)
# transformers sub-configs of a model (qwen2_vl_text, clip_vision_model): the model is listed on its own
# collections of generic building blocks ("Linear Layer", "Dense Connections"): not named entities
SKIPPED_COLLECTIONS = frozenset(
    ["Feedforward Networks", "Skip Connections", "Output Functions", "Miscellaneous Components"]
)
# a transformers model type spelled only with these words is a generic architecture ("encoder decoder")
HF_GENERIC_WORDS = frozenset(
    [
        "encoder",
        "decoder",
        "vision",
        "speech",
        "text",
        "audio",
        "image",
        "video",
        "time",
        "series",
        "to",
        "model",
    ]
)
HF_PART_SUFFIX = re.compile(
    r"_(text|vision|audio|speech|video|image)(_model|_encoder|_decoder|_tokenizer)?$|_(model|encoder|decoder|qformer|backbone|tokenizer)$"
)
NAME_SHAPE = re.compile(r"[a-z][A-Z]|[A-Z]{2}|[A-Za-z]\d|\d[A-Za-z]")
MAX_WORDS = 5
FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "and", "or", "of", "for", "in", "on", "with", "to", "by", "data", "set"]
)
BAD_CHARS = re.compile(r"[,;()\[\]{}<>|/\\\"?!]|->|\s-\s|\.$|^\d+$")
TRAILING_HEAD = re.compile(r"\s+(?:dataset|data set|benchmark|corpus|database)$", re.IGNORECASE)


class VocabSourceError(ValueError):
    """A vocabulary source file is missing or malformed."""


@dataclass
class VocabEntry:
    type: str
    name: str
    source: str
    aliases: set[str] = field(default_factory=set)
    kind: str = ""  # the Papers with Code collection / area that typed it

    def surfaces(self) -> list[str]:
        return [self.name, *sorted(self.aliases - {self.name})]


def _load_json(path: Path) -> list[dict]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = json.load(handle)
    except FileNotFoundError as exc:
        raise VocabSourceError(f"{path}: vocabulary file not found") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise VocabSourceError(f"{path}: not a gzipped JSON file: {exc}") from exc
    if not isinstance(rows, list):
        raise VocabSourceError(f"{path}: expected a JSON array")
    return rows


def _slug(url: str | None, name: str) -> str:
    return (url or "").rstrip("/").rsplit("/", 1)[-1] or normalise_name(name)


def clean_surface(text: str | None) -> str | None:
    """A surface fit for a pattern: folded, at most MAX_WORDS words, no sentence punctuation, not only
    function words and head nouns ("the benchmark"), not one lowercase word ("iris")."""
    if not isinstance(text, str):
        return None
    text = fold(text).strip(" .:")
    if len(text) < 2 or BAD_CHARS.search(text) or len(text.split()) > MAX_WORDS:
        return None
    tokens = text.lower().replace("-", " ").split()
    if all(t in FUNCTION_WORDS or head_type([t]) is not None for t in tokens):
        return None
    if text.isalpha() and text.islower():
        return None
    return text


def _initials_of(short: str, long: str) -> bool:
    """`short` spells the initials of the words of `long` (LFW <- Labeled Faces in the Wild), or its
    letters appear in order in `long` starting with its first letter (MNLI <- MultiNLI)."""
    letters = [c.lower() for c in short if c.isalnum()]
    words = [w for w in re.split(r"[\s\-]+", long) if w]
    if not letters or not words or letters[0] != words[0][0].lower():
        return False
    initials = "".join(w[0].lower() for w in words if w[0].isalnum())
    capitals = "".join(w[0].lower() for w in words if w[0].isupper() or w[0].isdigit())
    joined = "".join(letters)
    if joined in (initials, capitals):
        return True
    rest = iter(long.lower())
    return len(words) == 1 and all(c in rest for c in letters)


def is_alias_of(variant: str, names: Iterable[str]) -> bool:
    """A variant is kept when it is a spelling of a name or an abbreviation of it; leaderboard variants
    ("MNIST-to-USPS", "ImageNet 512x512") and sub-datasets (GLUE's "MNLI-mm") are not aliases."""
    form = normalise_name(variant)
    return any(form == normalise_name(name) or _initials_of(variant, name) for name in names)


def needs_cue(surface: str) -> bool:
    """Short forms that are also words or other things (Cora, ACE, GQA, Pubmed, Swish, E2E): one token
    of at most 3 characters, or of letters only, capitalised or an acronym of at most 4 letters."""
    if " " in surface:
        return False
    if len(surface) <= 3:
        return True
    if not surface.replace("-", "").isalpha():
        return False
    letters = surface.replace("-", "")
    if letters.isupper():
        return len(letters) <= 4
    return letters.islower() or letters[1:].islower()


def common_phrase(surface: str, common: frozenset[str]) -> bool:
    """A phrase of common words only ("Street Scene", "Chest X-ray images"): a name only with a cue."""
    words = surface.lower().replace("-", " ").split()
    return len(words) > 1 and all(w in common or w in FUNCTION_WORDS or len(w) == 1 for w in words)


def read_tasks(rows: list[dict]) -> list[str]:
    tasks = {
        fold(t["task"])
        for row in rows
        for t in row.get("tasks") or []
        if isinstance(t, dict) and t.get("task")
    }
    return sorted(t for t in tasks if t)


def _named(rows: list[dict], path: Path) -> Iterator[tuple[dict, str]]:
    """(row, cleaned name) of every item whose name is fit for a pattern."""
    for number, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise VocabSourceError(f"{path}: item {number} has no 'name' string")
        name = clean_surface(row["name"])
        if name is not None:
            yield row, name


def read_datasets(rows: list[dict], path: Path) -> Iterator[VocabEntry]:
    for row, name in _named(rows, path):
        entry = VocabEntry("DATASET", name, f"pwc-datasets:{_slug(row.get('url'), name)}")
        full = clean_surface(row.get("full_name"))
        if full and full != name:
            entry.aliases.add(full)
        stripped = TRAILING_HEAD.sub("", name)
        if stripped != name and NAME_SHAPE.search(stripped):
            entry.aliases.add(stripped)
        for variant in row.get("variants") or []:
            variant = clean_surface(variant)
            if variant and variant != name and is_alias_of(variant, [name, *([full] if full else [])]):
                entry.aliases.add(variant)
        yield entry


def read_methods(rows: list[dict], path: Path, hf_names: frozenset[str]) -> Iterator[VocabEntry]:
    for row, name in _named(rows, path):
        collections = [c.get("collection", "") for c in row.get("collections") or [] if isinstance(c, dict)]
        if collections and all(c in SKIPPED_COLLECTIONS for c in collections):
            continue
        model_collection = next((c for c in collections if c in MODEL_COLLECTIONS), None)
        proper = bool(NAME_SHAPE.search(name)) and not name.islower()
        is_model = normalise_name(name) in hf_names or (model_collection is not None and proper)
        entry = VocabEntry(
            "MODEL" if is_model else "METHOD",
            name,
            f"pwc-methods:{_slug(row.get('url'), name)}",
            kind=(
                model_collection if is_model and model_collection else (collections[0] if collections else "")
            ),
        )
        full = clean_surface(row.get("full_name"))
        if full and normalise_name(full) != normalise_name(name):
            entry.aliases.add(full)
        yield entry


def read_hf_model_types(path: Path) -> Iterator[VocabEntry]:
    """Model families from transformers' CONFIG_MAPPING_NAMES, spelled as their config class."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError) as exc:
        raise VocabSourceError(f"{path}: cannot parse: {exc}") from exc
    mapping = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "CONFIG_MAPPING_NAMES" for t in node.targets
        ):
            mapping = ast.literal_eval(node.value.args[0])
    if mapping is None:
        raise VocabSourceError(f"{path}: no CONFIG_MAPPING_NAMES")
    for model_type, config_class in mapping:
        if HF_PART_SUFFIX.search(model_type) or not config_class.endswith("Config"):
            continue
        stem = config_class[: -len("Config")]
        # one word as the ecosystem writes it (Qwen2, Mamba, DecisionTransformer -> Decision Transformer)
        words = model_type.replace("-", "_").split("_")
        if len(words) == 1:
            name = stem if normalise_name(stem) == normalise_name(model_type) else model_type
        elif normalise_name(stem) == normalise_name(model_type) and not any(c.isdigit() for c in stem):
            name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
        else:
            continue
        name = clean_surface(name)
        if name and not all(w.lower() in HF_GENERIC_WORDS for w in name.split()):
            yield VocabEntry("MODEL", name, f"hf-transformers:{model_type}", kind="transformers model type")


def read_common_words(corpus: Path, papers: int = COMMON_WORD_PAPERS) -> list[str]:
    """Words of the first `papers` corpus abstracts that are nearly always lowercase and frequent: a
    capitalised one ("Diverse", "Teacher") is an English word, not a name, unless the context says so."""
    import io

    import zstandard

    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    try:
        with corpus.open("rb") as raw:
            reader = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8")
            for count, line in enumerate(reader):
                if count >= papers:
                    break
                for word in WORD.findall(json.loads(line).get("abstract") or ""):
                    (lower if word.islower() else capital)[word.lower()] += 1
    except (OSError, json.JSONDecodeError, zstandard.ZstdError) as exc:
        raise VocabSourceError(f"{corpus}: cannot read the corpus: {exc}") from exc
    return sorted(
        w
        for w, n in lower.items()
        if n >= COMMON_WORD_MIN_COUNT and n / (n + capital[w]) >= COMMON_WORD_LOWER_SHARE
    )


def _excluded_forms() -> tuple[frozenset[str], frozenset[str]]:
    """Surfaces the curated lists already own (overrides) and the generic stoplist."""
    return curated_surfaces(), read_stoplist(with_tasks=False)  # never the derived files themselves


def build(shared: Path) -> dict[str, list[dict]]:
    """The derived rows per output file."""
    vocab = shared / "vocab"
    dataset_rows = _load_json(vocab / SOURCE_FILES["datasets"])
    method_rows = _load_json(vocab / SOURCE_FILES["methods"])
    later = {row.get("name") for row in method_rows}
    method_rows += [r for r in _load_json(vocab / SOURCE_FILES["methods_old"]) if r.get("name") not in later]
    hf = list(read_hf_model_types(vocab / SOURCE_FILES["hf"]))
    hf_names = frozenset(normalise_name(e.name) for e in hf)

    curated, stops = _excluded_forms()
    # a task named like a curated entity is that entity (HellaSwag, knowledge distillation)
    tasks = [t for t in read_tasks(dataset_rows) if normalise_name(singular(t)) not in curated]
    task_forms = frozenset(normalise_name(singular(t)) for t in tasks)
    groups = {
        "datasets.jsonl": list(read_datasets(dataset_rows, vocab / SOURCE_FILES["datasets"])),
        "methods.jsonl": list(read_methods(method_rows, vocab / SOURCE_FILES["methods"], hf_names)),
        "models.jsonl": hf,
    }
    # a surface claimed by two vocabulary entries, or the curated lists, tasks or the stoplist, is dropped
    owners: dict[str, set[tuple[str, str]]] = {}
    for entries in groups.values():
        for entry in entries:
            for surface in entry.surfaces():
                owners.setdefault(normalise_name(singular(surface)), set()).add((entry.type, entry.source))
    # a one-word name that is a common English word ("Breakfast", "Convolution", "Align")
    common = frozenset(out_common := read_common_words(shared / CORPUS_FILE))
    blocked = curated | stops | task_forms | common
    out: dict[str, list[dict]] = {}
    for filename, entries in groups.items():
        rows: dict[str, dict] = {}
        for entry in entries:
            kept = []
            for surface in entry.surfaces():
                form = normalise_name(singular(surface))
                types = {t for t, _ in owners[form]}
                if not form or form in blocked or len(types) > 1:
                    continue
                kept.append(surface)
            if not kept:
                continue
            key = f"{entry.type}:{normalise_name(kept[0])}"
            if key in rows:  # the same name twice (two exports): merge the aliases
                rows[key]["aliases"] = sorted(
                    set(rows[key].get("aliases", [])) | set(kept[1:]) - {rows[key]["name"]}
                )
                continue
            row: dict = {"name": kept[0], "type": entry.type, "source": entry.source}
            if kept[1:]:
                row["aliases"] = kept[1:]
            cue = [s for s in kept if needs_cue(s) or (entry.type == "DATASET" and common_phrase(s, common))]
            if cue:
                row["cue"] = cue
            if entry.kind:
                row["kind"] = entry.kind
            rows[key] = row
        out[filename] = [rows[k] for k in sorted(rows)]
    out["tasks.jsonl"] = [{"name": t, "source": "pwc-datasets:tasks"} for t in tasks]
    source = (
        f"corpus:{CORPUS_FILE.name} first {COMMON_WORD_PAPERS} abstracts, lowercase share >= "
        f"{COMMON_WORD_LOWER_SHARE}, count >= {COMMON_WORD_MIN_COUNT}"
    )
    out["common_words.jsonl"] = [{"source": source, "words": out_common}]
    return out


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows)


def write(out: dict[str, list[dict]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for filename, rows in out.items():
        (folder / filename).write_text(render(rows), encoding="utf-8")


@click.command()
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PAPER_GRAPH_SHARED", "../shared"),
    show_default="$PAPER_GRAPH_SHARED or ../shared",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=VOCAB_DIR, show_default=True)
@click.option("--check", is_flag=True, help="Exit non-zero when the committed files differ from a rebuild.")
def main(shared: Path, out: Path, check: bool) -> None:
    """Write the vocabulary pattern files derived from <shared>/vocab."""
    try:
        built = build(shared)
    except VocabSourceError as exc:
        raise click.ClickException(str(exc)) from exc
    if check:
        stale = [
            f
            for f, rows in built.items()
            if not (out / f).is_file() or (out / f).read_text(encoding="utf-8") != render(rows)
        ]
        if stale:
            raise click.ClickException(f"{out}: out of date, run `make vocab`: {', '.join(stale)}")
        click.echo(f"{out}: up to date")
        return
    write(built, out)
    for filename, rows in built.items():
        click.echo(f"{out / filename}: {len(rows)} entries")


if __name__ == "__main__":
    main()
