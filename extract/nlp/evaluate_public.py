"""Score the extractor on the held-out parts of the public corpora (see `extract.nlp.corpora`).

- SciREX held-out split (title + abstract of each paper): DATASET and METHOD, our MODEL scored as
  METHOD (SciREX has one label for both), plus the untyped score;
- TDMSci test sentences: DATASET.

Scoring is the guideline's, per text: a gold entity (a SciREX coreference cluster, else a distinct
surface) is found when a predicted entity of the same type matches one of its surfaces; a predicted
entity matching no gold entity is a false positive, unless it matches a span the mapping ignores
(a non-dataset Material). A prediction on a labelled task or metric is a false positive.

    python -m extract.nlp.evaluate_public --shared ../shared [--corpus scirex|tdmsci] [--details]
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import click

from extract.nlp.corpora import IGNORED, CorpusError, LabelledText, read_tdmsci, scirex_split
from extract.nlp.evaluate import Labelled, Report, format_report, predict

SCIREX_TYPES = ("DATASET", "METHOD")
_DEFINITION = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
TDMSCI_TYPES = ("DATASET",)


def gold_entities(text: LabelledText, types: Iterable[str]) -> tuple[list[Labelled], list[Labelled]]:
    """(gold entities of the wanted types, ignored spans) of one text."""
    from extract.nlp.normalize import match_form

    wanted = set(types)
    grouped: dict[tuple[str, str], set[str]] = {}
    ignored: list[Labelled] = []
    for span in text.spans:
        surface = text.surface(span)
        if span.label == IGNORED:
            ignored.append(Labelled.of(IGNORED, surface, ()))
        elif span.label in wanted:
            forms = grouped.setdefault((span.label, span.cluster or match_form(surface)), set())
            forms.add(surface)
            # "Penn Treebank (PTB)" as one mention: each form is an alias, as our guideline has it
            defined = _DEFINITION.match(surface)
            if defined:
                forms.update(defined.groups())
    gold = [Labelled.of(label, sorted(surfaces)[0], surfaces) for (label, _), surfaces in grouped.items()]
    return gold, ignored


def score_text(
    paper: str, gold: list[Labelled], predicted: list[Labelled], ignored: list[Labelled], report: Report
) -> None:
    """As `evaluate.score_paper`, but a prediction matching only an ignored span is not counted."""
    for item in gold:
        found = any(p.type == item.type and not p.forms.isdisjoint(item.forms) for p in predicted)
        for tally in (report.typed[item.type], report.typed["ALL"]):
            tally.gold += 1
            tally.found += found
        report.untyped.gold += 1
        report.untyped.found += any(not p.forms.isdisjoint(item.forms) for p in predicted)
        if not found:
            report.misses.append((paper, item.type, item.name))
    for item in predicted:
        typed_hit = any(g.type == item.type and not g.forms.isdisjoint(item.forms) for g in gold)
        untyped_hit = any(not g.forms.isdisjoint(item.forms) for g in gold)
        if not untyped_hit and any(not i.forms.isdisjoint(item.forms) for i in ignored):
            continue
        for tally in (report.typed[item.type], report.typed["ALL"]):
            tally.predicted += 1
            tally.false_positives += not typed_hit
        report.untyped.predicted += 1
        report.untyped.false_positives += not untyped_hit
        if not typed_hit:
            report.false_positives.append((paper, item.type, item.name))


def evaluate_texts(texts: list[LabelledText], types: tuple[str, ...]) -> Report:
    rows = [{"i": i, "title": t.title, "abstract": t.abstract} for i, t in enumerate(texts)]
    predicted = predict(rows)
    report = Report()
    for i, text in enumerate(texts):
        gold, ignored = gold_entities(text, types)
        mapped = []
        for item in predicted[str(i)]:
            entity_type = "METHOD" if item.type == "MODEL" and "METHOD" in types else item.type
            if entity_type in types:
                mapped.append(Labelled(entity_type, item.name, item.forms))
        score_text(text.doc_id, gold, mapped, ignored, report)
    return report


def evaluate_scirex(shared: Path) -> Report:
    return evaluate_texts(list(scirex_split(shared, heldout=True, first_only=True)), SCIREX_TYPES)


def evaluate_tdmsci(shared: Path) -> Report:
    return evaluate_texts(list(read_tdmsci(shared, test=True)), TDMSCI_TYPES)


@click.command()
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PAPER_GRAPH_SHARED", "../shared"),
    show_default="$PAPER_GRAPH_SHARED or ../shared",
)
@click.option("--corpus", type=click.Choice(["scirex", "tdmsci", "all"]), default="all", show_default=True)
@click.option("--details/--no-details", default=False, help="List misses and false positives.")
def main(shared: Path, corpus: str, details: bool) -> None:
    """P / R / F1 on the SciREX held-out split (title + abstract) and the TDMSci test sentences."""
    try:
        if corpus in ("scirex", "all"):
            click.echo("SciREX held-out split (title + abstract; MODEL scored as METHOD)")
            report = evaluate_scirex(shared)
            click.echo(format_report(report, details=details, types=SCIREX_TYPES) + "\n")
        if corpus in ("tdmsci", "all"):
            click.echo("TDMSci test (DATASET)")
            report = evaluate_tdmsci(shared)
            click.echo(format_report(report, details=details, types=TDMSCI_TYPES, untyped=False) + "\n")
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
