"""Source adapters and `fetch_source`, the entry point a pipeline task calls for one configured source.

Configuration (one `[[sources]]` TOML table, as a dict): `name` (archive folder), `kind` (adapter) and
the adapter's keys: hf_daily `date`, `base_url`; hf_search `query` | `queries`, `base_url`; hf_paper `ids`,
`base_url`; hf_html `date`, `base_url`; arxiv `ids` | `query`, `page_size`, `max_results`, `sortBy`,
`sortOrder`, `base_url`; dump `path`.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from extract.archive import Archive
from extract.errors import FetchError
from extract.fetch import Fetcher, FetchSettings
from extract.sources.arxiv import Arxiv, ids_missing_abstract
from extract.sources.base import FetchContext, FetchReport, Outcome, Source, SourceConfig
from extract.sources.dump import Dump, saved_pages
from extract.sources.hf import HfDaily, HfHtml, HfPaper, HfSearch

SOURCES: dict[str, Source] = {
    s.kind: s for s in (HfDaily(), HfSearch(), HfPaper(), HfHtml(), Arxiv(), Dump())
}

__all__ = [
    "SOURCES",
    "FetchContext",
    "FetchReport",
    "Outcome",
    "Source",
    "SourceConfig",
    "fetch_source",
    "ids_missing_abstract",
    "saved_pages",
]


def fetch_source(
    source_config: SourceConfig | dict[str, Any],
    run_date: date | str,
    archive_root: str | os.PathLike[str],
    settings: FetchSettings | dict[str, Any] | None = None,
) -> FetchReport:
    """Archive every response of one source for `run_date`.

    Failures of single requests are counted in the report; when the source produced nothing but
    failures, the FetchError of the first one is raised so the calling task fails on its own.
    """
    config = (
        source_config if isinstance(source_config, SourceConfig) else SourceConfig.from_dict(source_config)
    )
    adapter = SOURCES.get(config.kind)
    if adapter is None:
        raise ValueError(f"source {config.name}: unknown kind {config.kind!r} (known: {', '.join(SOURCES)})")
    day = run_date if isinstance(run_date, date) else date.fromisoformat(str(run_date))
    if not isinstance(settings, FetchSettings):
        settings = FetchSettings.from_dict(settings)
    report = FetchReport(source=config.name, kind=config.kind, run_date=day.isoformat())
    first_error: FetchError | None = None
    with Fetcher(Archive(archive_root), settings) as fetcher:
        for outcome in adapter.fetch(FetchContext(config, day, fetcher)):
            report.add(outcome)
            first_error = first_error or outcome.error
    if first_error is not None and report.archived == 0 and report.not_found == 0:
        raise first_error
    return report
