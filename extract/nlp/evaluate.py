"""Score the extractor against the gold entities in ../shared/eval, as GUIDELINE.md's scoring paragraph says.

Paper level: a gold entity is found when the paper has a predicted entity of the same type (any type for
the untyped score) whose canonical name or a surface matches the gold canonical name or an alias under
`match_form` (case-insensitive, no hyphens / spaces / plural s); a predicted entity matching no gold entity
of its paper is a false positive. Counts are summed over papers (micro).

    python -m extract.nlp.evaluate --shared ../shared [--seed seed000] [--details]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from extract.nlp.normalize import match_form
from extract.records import ENTITY_TYPES


class EvaluationDataError(ValueError):
    """A gold or paper file is missing or malformed."""


@dataclass(frozen=True)
class Labelled:
    """An entity of one paper, gold or predicted: its type and every text form it may match by."""

    type: str
    name: str
    forms: frozenset[str]

    @classmethod
    def of(cls, entity_type: str, name: str, texts: Iterable[str]) -> Labelled:
        return cls(entity_type, name, frozenset(match_form(t) for t in (name, *texts)))


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    false_positives: int = 0

    @property
    def precision(self) -> float:
        return (self.predicted - self.false_positives) / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    typed: dict[str, Tally] = field(default_factory=lambda: {t: Tally() for t in (*ENTITY_TYPES, "ALL")})
    untyped: Tally = field(default_factory=Tally)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (paper, type, gold name)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # (paper, type, predicted name)


def _matches(a: Labelled, b: Labelled, typed: bool) -> bool:
    return (not typed or a.type == b.type) and not a.forms.isdisjoint(b.forms)


def score_paper(paper: str, gold: list[Labelled], predicted: list[Labelled], report: Report) -> None:
    for item in gold:
        found = any(_matches(item, p, typed=True) for p in predicted)
        for tally in (report.typed[item.type], report.typed["ALL"]):
            tally.gold += 1
            tally.found += found
        report.untyped.gold += 1
        report.untyped.found += any(_matches(item, p, typed=False) for p in predicted)
        if not found:
            report.misses.append((paper, item.type, item.name))
    for item in predicted:
        false = not any(_matches(item, g, typed=True) for g in gold)
        for tally in (report.typed[item.type], report.typed["ALL"]):
            tally.predicted += 1
            tally.false_positives += false
        report.untyped.predicted += 1
        report.untyped.false_positives += not any(_matches(item, g, typed=False) for g in gold)
        if false:
            report.false_positives.append((paper, item.type, item.name))


def _read_jsonl(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError as exc:
        raise EvaluationDataError(f"{path}: file not found") from exc
    except json.JSONDecodeError as exc:
        raise EvaluationDataError(f"{path}: invalid JSON line: {exc}") from exc


def load_gold(eval_dir: Path, seed: str) -> tuple[list[dict], dict[int, list[Labelled]]]:
    """The annotated papers (with title and abstract) and their gold entities, by index i."""
    papers = {row["i"]: row for row in _read_jsonl(eval_dir / f"{seed}_papers.jsonl")}
    gold: dict[int, list[Labelled]] = {}
    for row in _read_jsonl(eval_dir / f"{seed}_entities.jsonl"):
        gold[row["i"]] = [Labelled.of(e["type"], e["name"], e.get("aliases", [])) for e in row["entities"]]
    missing = sorted(set(gold) - set(papers))
    if missing:
        raise EvaluationDataError(f"{eval_dir}: gold for papers {missing} without text")
    return [papers[i] for i in sorted(gold)], gold


def predict(papers: list[dict]) -> dict[str, list[Labelled]]:
    """Predicted entities per paper id: type, canonical name and the surfaces used in that paper."""
    from extract.nlp.pipeline import extract_docs

    rows = [{"paper_id": str(p["i"]), "title": p["title"], "abstract": p.get("abstract", "")} for p in papers]
    predicted: dict[str, list[Labelled]] = {}
    for paper_id, doc in extract_docs(rows):
        by_key: dict[str, tuple[str, str, set[str]]] = {}
        for ent in doc.ents:
            by_key.setdefault(ent.kb_id_, (ent.label_, ent._.pg_canonical, set()))[2].add(ent.text)
        predicted[paper_id] = [Labelled.of(t, name, texts) for t, name, texts in by_key.values()]
    return predicted


def evaluate(eval_dir: Path, seed: str = "seed000") -> Report:
    papers, gold = load_gold(eval_dir, seed)
    predicted = predict(papers)
    report = Report()
    for paper in papers:
        score_paper(str(paper["i"]), gold[paper["i"]], predicted[str(paper["i"])], report)
    return report


def format_report(
    report: Report, details: bool = True, types: tuple[str, ...] = ENTITY_TYPES, untyped: bool = True
) -> str:
    lines = [f"{'type':<9}{'gold':>6}{'found':>7}{'pred':>6}{'FP':>5}{'P':>8}{'R':>8}{'F1':>8}"]

    def row(label: str, tally: Tally) -> str:
        return (
            f"{label:<9}{tally.gold:>6}{tally.found:>7}{tally.predicted:>6}{tally.false_positives:>5}"
            f"{tally.precision:>8.3f}{tally.recall:>8.3f}{tally.f1:>8.3f}"
        )

    lines += [row(t, report.typed[t]) for t in types]
    lines.append(row("typed", report.typed["ALL"]))
    if untyped:
        lines.append(row("untyped", report.untyped))
    if details:
        lines.append(f"\nmisses ({len(report.misses)}):")
        lines += [f"  [{p}] {t:<8} {n}" for p, t, n in report.misses]
        lines.append(f"\nfalse positives ({len(report.false_positives)}):")
        lines += [f"  [{p}] {t:<8} {n}" for p, t, n in report.false_positives]
    return "\n".join(lines)


@click.command()
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PAPER_GRAPH_SHARED", "../shared"),
    show_default="$PAPER_GRAPH_SHARED or ../shared",
)
@click.option("--seed", default="seed000", show_default=True, help="Gold file prefix in <shared>/eval.")
@click.option("--details/--no-details", default=True, help="List misses and false positives.")
def main(shared: Path, seed: str, details: bool) -> None:
    """Precision / recall / F1 per type, overall typed and untyped, against the gold annotations."""
    try:
        report = evaluate(shared / "eval", seed)
    except EvaluationDataError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_report(report, details=details))


if __name__ == "__main__":
    main()
