"""`paper-graph parse PATH...`: saved pages in, one record per paper out (JSON lines or a table)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from extract.jsonl import record_to_json
from extract.parse import ParseResult, parse_paths


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True
)
@click.option(
    "--order",
    type=click.Choice(["input", "paper_id"]),
    default="input",
    show_default=True,
    help="Papers in the order first seen, or sorted by paper_id (the pipeline's order).",
)
@click.option(
    "--quarantine", type=click.Path(file_okay=False, path_type=Path), help="Copy pages that fail here."
)
@click.option(
    "--unescape-latex", is_flag=True, help=r"Turn LaTeX escapes such as \% and \_ into the characters."
)
def parse(
    paths: tuple[Path, ...], output_format: str, order: str, quarantine: Path | None, unescape_latex: bool
) -> None:
    """Parse saved pages (files or folders; text dumps, HF JSON/HTML, arXiv Atom) into deduplicated papers.

    Records go to stdout; per-file counts, duplicates and quarantined files go to stderr.
    """
    result = parse_paths(
        paths,
        quarantine_root=quarantine,
        order="first_seen" if order == "input" else "paper_id",
        unescape_latex=unescape_latex,
    )
    if output_format == "jsonl":
        for record in result.records:
            click.echo(record_to_json(record))
    else:
        _print_table(result)
    _report(result)
    if result.files and len(result.quarantined) == len(result.files):
        sys.exit(1)


def _report(result: ParseResult) -> None:
    for count in result.files:
        if count.error is None:
            click.echo(f"{count.path}: {count.records} records ({count.format})", err=True)
        else:
            click.echo(f"{count.path}: QUARANTINED ({count.format}): {count.error}", err=True)
    summary = result.summary()
    click.echo(
        f"files: {summary['files']}, records: {summary['parsed']}, papers: {summary['papers']}, "
        f"duplicates: {summary['duplicates']}, quarantined: {summary['quarantined']}",
        err=True,
    )


def _print_table(result: ParseResult) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("paper_id", "title", "authors", "published", "upvotes", "abstract")
    for r in result.records:
        table.add_row(
            r.paper_id,
            r.title,
            str(r.author_count or ""),
            r.published_at.isoformat() if r.published_at else "",
            "" if r.upvotes is None else str(r.upvotes),
            f"{len(r.abstract)} chars",
        )
    Console(soft_wrap=False).print(table)
