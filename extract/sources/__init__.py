"""Source adapters and `fetch_source`, the entry point a pipeline task calls for one configured source.

Configuration (one `[[sources]]` TOML table, as a dict): `name` (archive folder), `kind` (adapter) and
the adapter's keys: hf_daily `date`, `base_url`; hf_search `query` | `queries`, `base_url`; hf_paper `ids`,
`base_url`; hf_html `date`, `base_url`; arxiv `ids` | `query`, `page_size`, `max_results`, `sortBy`,
`sortOrder`, `base_url`; dump `path`.
"""

from __future__ import annotations

import os
import socket
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from extract.archive import Archive
from extract.errors import FetchError
from extract.fetch import Fetcher, FetchSettings
from extract.sources.arxiv import Arxiv, ids_missing_abstract
from extract.sources.base import (
    DEFAULT_ARXIV_BASE,
    DEFAULT_HF_BASE,
    FetchContext,
    FetchReport,
    Outcome,
    Source,
    SourceConfig,
)
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
    "unresolvable_host",
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


def unresolvable_host(source_config: SourceConfig | dict[str, Any]) -> str | None:
    """Why the source's host cannot be reached, when its name does not resolve (DNS); None otherwise.

    A cheap check before a run (no request is sent): saved-page sources (`dump`) never need one.
    """
    config = (
        source_config if isinstance(source_config, SourceConfig) else SourceConfig.from_dict(source_config)
    )
    if config.kind == "dump":
        return None
    host = urlsplit(
        config.base_url(DEFAULT_ARXIV_BASE if config.kind == "arxiv" else DEFAULT_HF_BASE)
    ).hostname
    if not host:
        return None
    try:
        socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        return f"the host name {host} does not resolve (DNS; offline?): {exc.strerror}"
    return None
