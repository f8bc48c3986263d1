"""`paper-graph parse PATH...`: saved pages in, one record per paper out (JSON lines or a table)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from extract.jsonl import record_to_json
from extract.parse import DEFAULT_MAX_BYTES, ParseResult, parse_paths
from extract.parsers import SUPPORTED_SUFFIXES
from extract.sources.dump import saved_pages

SHOWN_QUARANTINED = 10  # quarantine lines in the summary; the reason files hold them all


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
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    help="Refuse files larger than this, unread [default: the config's fetch.max_bytes].",
)
def parse(
    paths: tuple[Path, ...],
    output_format: str,
    order: str,
    quarantine: Path | None,
    unescape_latex: bool,
    max_bytes: int | None,
) -> None:
    """Parse saved pages (files or folders; text dumps, HF JSON/HTML, arXiv Atom) into deduplicated papers.

    Records go to stdout; per-file counts, duplicates and quarantined files go to stderr. Exits 1
    when nothing parseable was given or no file parsed.
    """
    empty = [path for path in paths if next(saved_pages(path), None) is None]
    if empty and len(empty) == len(paths):
        names = ", ".join(map(str, empty))
        raise click.ClickException(f"{names}: no saved pages (files ending {', '.join(SUPPORTED_SUFFIXES)})")
    for path in empty:
        click.echo(f"{path}: no saved pages, skipped", err=True)
    result = parse_paths(
        paths,
        quarantine_root=quarantine,
        order="first_seen" if order == "input" else "paper_id",
        unescape_latex=unescape_latex,
        max_bytes=max_bytes or _configured_max_bytes(),
    )
    if output_format == "jsonl":
        for record in result.records:
            click.echo(record_to_json(record))
    else:
        _print_table(result)
    _report(result, quarantine)
    if result.files and len(result.quarantined) == len(result.files):
        sys.exit(1)


def _configured_max_bytes() -> int:
    from paper_graph.config import ConfigError, load_config

    try:
        return int(load_config().fetch.get("max_bytes", DEFAULT_MAX_BYTES))
    except ConfigError:
        return DEFAULT_MAX_BYTES


def _report(result: ParseResult, quarantine: Path | None) -> None:
    for count in result.files:
        if count.error is not None:
            click.echo(f"{count.path}: QUARANTINED ({count.format}): {count.error}", err=True)
        else:
            left_out = f", {len(count.left_out)} entries left out" if count.left_out else ""
            click.echo(f"{count.path}: {count.records} records ({count.format}){left_out}", err=True)
    summary = result.summary()
    click.echo(
        f"files: {summary['files']}, records: {summary['parsed']}, papers: {summary['papers']}, "
        f"duplicates: {summary['duplicates']}, quarantined: {summary['quarantined']} pages, "
        f"{summary['quarantined_entries']} entries, warnings: {summary['warnings']}",
        err=True,
    )
    lines = result.quarantine_lines()
    if lines:
        click.echo("Quarantined:", err=True)
        for line in lines[:SHOWN_QUARANTINED]:
            click.echo(f"  {line}", err=True)
        if len(lines) > SHOWN_QUARANTINED:
            click.echo(f"  ... and {len(lines) - SHOWN_QUARANTINED} more", err=True)
        stored = f"stored in {quarantine / 'quarantine'}" if quarantine else "not stored (--quarantine DIR)"
        click.echo(f"  copies and reasons {stored}", err=True)


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
