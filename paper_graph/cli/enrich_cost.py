"""`paper-graph enrich-cost`: requests and seconds the enrichment of a run date cost, from its fetch log."""

from __future__ import annotations

import json
from pathlib import Path

import click

from extract.archive import iter_archived
from extract.enrich.cost import SERVICES, enrichment_cost
from extract.enrich.files import PAPERS_FILE, REPORT_FILE
from extract.enrich.settings import EnrichSettings
from extract.jsonl import count_lines
from paper_graph.config import ConfigError, load_config


@click.command("enrich-cost")
@click.option("--date", "run_date", help="Run date (YYYY-MM-DD); default: the latest one with enrichment.")
@click.option("--papers", type=int, help="Papers enriched; default: from the run's work folder.")
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), help="Raw archive root.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
def enrich_cost(
    run_date: str | None, papers: int | None, archive: Path | None, config_path: Path | None
) -> None:
    """Requests per service and host, seconds at the configured rate limits, and both per 1,000 papers,
    counted from the archive sidecars of the enrich sources (arxiv_title, s2, hf_hub) of one date."""
    try:
        config = load_config(config_path)
        settings = EnrichSettings.from_dict(config.enrich)
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    root = archive or config.paths.archive
    days = sorted({a.path.parent.name.removeprefix("dt=") for s in SERVICES for a in iter_archived(root, s)})
    if not days:
        raise click.ClickException(
            f"{root}: no enrichment responses archived (sources {', '.join(SERVICES)})"
        )
    day = run_date or days[-1]
    if day not in days:
        raise click.ClickException(
            f"{root}: no enrichment responses archived for {day}; dates: {', '.join(days)}"
        )
    count = papers if papers is not None else _papers_of(config.paths.work / f"dt={day}")
    if count is None:
        raise click.ClickException(f"no papers count for {day} in {config.paths.work}: pass --papers N")
    for line in enrichment_cost(root, day, count, settings).lines():
        click.echo(line)


def _papers_of(work: Path) -> int | None:
    report = work / REPORT_FILE
    if report.is_file():
        try:
            return int(json.loads(report.read_text(encoding="utf-8"))["papers"])
        except (ValueError, KeyError, TypeError):
            pass
    papers = work / PAPERS_FILE
    return count_lines(papers) if papers.is_file() else None
