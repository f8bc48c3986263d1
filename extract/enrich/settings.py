"""The `[enrich]` table of config/pipeline.toml: one sub-table per service, every field with a default.

[enrich]
unreachable_after = 1   # a service whose host gave no HTTP answer this many times in a row is skipped
failing_after = 3       # ... or that failed this many requests in a row (429/5xx after retries, 400)
[enrich.arxiv]          # title -> arXiv id resolution (export.arxiv.org/api/query)
[enrich.s2]             # Semantic Scholar /graph/v1/paper/batch
[enrich.hf_hub]         # Hugging Face Hub repos citing each paper
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

T = TypeVar("T")


def _from_dict(cls: type[T], values: dict[str, Any] | None, table: str) -> T:
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values or {}) - known)
    if unknown:
        raise ValueError(f"unknown [{table}] settings {unknown}; known: {sorted(known)}")
    return cls(**(values or {}))


@dataclass(frozen=True)
class ArxivTitleSettings:
    enabled: bool = True
    base_url: str = "https://export.arxiv.org"
    requests_per_second: float = 1 / 3  # arXiv asks for one request every 3 s
    titles_per_query: int = 10  # titles OR-ed into one search_query
    max_results: int = 100  # entries asked per query (a truncated answer is retried title by title)
    min_title_words: int = 3  # shorter normalised titles are never looked up (too generic to be safe)
    # Titles arXiv's search missed are asked of S2 /paper/search/match (same exact rule), at the rate and
    # with the key of [enrich.s2], whether or not the s2 service itself runs; false: never.
    s2_match_fallback: bool = True


@dataclass(frozen=True)
class S2Settings:
    enabled: bool = True
    base_url: str = "https://api.semanticscholar.org"
    requests_per_second: float = 1.0  # the rate of an API key; unauthenticated requests share a pool
    batch_size: int = 500  # ids per POST /graph/v1/paper/batch (S2's maximum)
    api_key_env: str = "S2_API_KEY"  # environment variable holding the optional key (header x-api-key)
    nested_reference_cap: int = 1000  # S2 caps nested lists; a paper at the cap is paged instead
    reference_page_size: int = 1000  # `limit` of /paper/{id}/references (S2's maximum)
    max_reference_pages: int = 10


@dataclass(frozen=True)
class HubSettings:
    enabled: bool = True
    base_url: str = "https://huggingface.co"
    requests_per_second: float = 500 / 300  # the Hub's documented 500 anonymous requests per 5 minutes
    endpoint: str = "arxiv_repos"  # "arxiv_repos": /api/arxiv/<id>/repos; "list": /api/{models,...}?filter=
    page_limit: int = 1000  # `limit` of a listing page ("list" endpoint)
    max_pages: int = 5  # Link rel="next" pages followed per listing

    def __post_init__(self) -> None:
        if self.endpoint not in ("arxiv_repos", "list"):
            raise ValueError(
                f"[enrich.hf_hub] endpoint must be 'arxiv_repos' or 'list', got {self.endpoint!r}"
            )


@dataclass(frozen=True)
class EnrichSettings:
    enabled: bool = True
    unreachable_after: int = 1
    failing_after: int = 3
    arxiv: ArxivTitleSettings = field(default_factory=ArxivTitleSettings)
    s2: S2Settings = field(default_factory=S2Settings)
    hf_hub: HubSettings = field(default_factory=HubSettings)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> EnrichSettings:
        data = dict(values or {})
        services = {
            "arxiv": _from_dict(ArxivTitleSettings, data.pop("arxiv", None), "enrich.arxiv"),
            "s2": _from_dict(S2Settings, data.pop("s2", None), "enrich.s2"),
            "hf_hub": _from_dict(HubSettings, data.pop("hf_hub", None), "enrich.hf_hub"),
        }
        return replace(_from_dict(cls, data, "enrich"), **services)

    def host_rates(self) -> dict[str, float]:
        """Per-host request rates for the shared Fetcher (a host shared by two services gets the lower)."""
        from urllib.parse import urlsplit

        rates: dict[str, float] = {}
        for service in (self.arxiv, self.s2, self.hf_hub):
            host = urlsplit(service.base_url).netloc
            rates[host] = min(rates.get(host, service.requests_per_second), service.requests_per_second)
        return rates
