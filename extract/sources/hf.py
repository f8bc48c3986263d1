"""Hugging Face adapters: daily papers API, paper search API, single paper API and the HTML listing."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from extract.errors import FetchError
from extract.fetch import Request
from extract.sources.base import DEFAULT_HF_BASE, HTML, JSON, FetchContext, Outcome


def _one(ctx: FetchContext, request: Request) -> Outcome:
    try:
        return Outcome(archived=ctx.get(request))
    except FetchError as exc:
        return Outcome(error=exc)


class HfDaily:
    """`/api/daily_papers?date=YYYY-MM-DD` (date: config `date`, else the run date)."""

    kind = "hf_daily"

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]:
        day = str(ctx.config.get("date") or ctx.run_date.isoformat())
        url = f"{ctx.config.base_url(DEFAULT_HF_BASE)}/api/daily_papers"
        yield _one(ctx, Request(url, JSON, format="hf_json", params={"date": day}))


class HfSearch:
    """`/api/papers/search?q=QUERY` for the config's `query` (or each of `queries`)."""

    kind = "hf_search"

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]:
        queries = ctx.config.get("queries") or [ctx.config.get("query")]
        if isinstance(queries, str):
            queries = [queries]
        url = f"{ctx.config.base_url(DEFAULT_HF_BASE)}/api/papers/search"
        for query in queries:
            if not query:
                raise ValueError(f"source {ctx.config.name}: hf_search needs a `query` or `queries`")
            yield _one(ctx, Request(url, JSON, format="hf_json", params={"q": str(query)}))


class HfPaper:
    """`/api/papers/{arxiv_id}` for each of the config's `ids`; 404 means the paper is not on the Hub."""

    kind = "hf_paper"

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]:
        base = ctx.config.base_url(DEFAULT_HF_BASE)
        for arxiv_id in ctx.config.id_list():
            outcome = _one(ctx, Request(f"{base}/api/papers/{quote(arxiv_id)}", JSON, format="hf_json"))
            if outcome.error is not None and outcome.error.status == 404:
                outcome = Outcome(not_found=True)
            yield outcome


class HfHtml:
    """The listing page `/papers?date=YYYY-MM-DD` (robots.txt applies: it is a page, not an API)."""

    kind = "hf_html"

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]:
        day = str(ctx.config.get("date") or ctx.run_date.isoformat())
        url = f"{ctx.config.base_url(DEFAULT_HF_BASE)}/papers"
        yield _one(ctx, Request(url, HTML, format="hf_html", html_page=True, params={"date": day}))
