"""Hugging Face Hub source `hf_hub`: the models, datasets and Spaces that cite each paper.

Endpoint "arxiv_repos" (default, one request a paper): `GET /api/arxiv/<id>/repos` answering
`{models, datasets, spaces}`; a 404 means the Hub does not know the paper (no repos). Endpoint "list"
(three requests a paper): `GET /api/{models,datasets,spaces}?filter=arxiv:<id>` with `expand[]` for
likes, downloads, pipeline_tag and lastModified, following `Link: <...>; rel="next"` pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from requests.utils import parse_header_links

from extract.enrich.service import REUSE_OK_AND_404, ServiceClient, ServiceUnavailable
from extract.enrich.settings import HubSettings
from extract.errors import FetchError, ParseError
from extract.fetch import Request
from extract.parsers.hf_hub_json import parse_arxiv_repos, parse_repo_list
from extract.records import HubRepo, PaperHubLink

SOURCE = "hf_hub"
JSON = ("application/json",)
EXPAND = {
    "models": ("likes", "downloads", "pipeline_tag", "lastModified"),
    "datasets": ("likes", "downloads", "lastModified"),
    "spaces": ("likes", "lastModified"),
}
KIND = {"models": "model", "datasets": "dataset", "spaces": "space"}


@dataclass
class HubResult:
    repos: dict[str, HubRepo] = field(default_factory=dict)  # hub_key -> repo
    links: set[tuple[str, str]] = field(default_factory=set)  # (paper_id, hub_key)

    def link_rows(self) -> list[PaperHubLink]:
        return [PaperHubLink(paper_id=p, hub_key=h) for p, h in sorted(self.links)]

    def repo_rows(self) -> list[HubRepo]:
        return [self.repos[k] for k in sorted(self.repos)]


def fetch_hub(papers: dict[str, str], client: ServiceClient, settings: HubSettings) -> HubResult:
    """`papers`: arXiv id -> paper_id of the ingested paper."""
    result = HubResult()
    client.report.items = len(papers)
    for arxiv_id in sorted(papers):
        try:
            repos = _repos_of(arxiv_id, client, settings)
        except ServiceUnavailable:
            break
        except (FetchError, ParseError):
            continue
        client.report.done += 1
        if repos is None:
            client.report.not_found += 1
            continue
        for repo in repos:
            result.repos.setdefault(repo.hub_key, repo)
            result.links.add((papers[arxiv_id], repo.hub_key))
    client.report.counts.update(repos=len(result.repos), links=len(result.links))
    return result


def _repos_of(arxiv_id: str, client: ServiceClient, settings: HubSettings) -> list[HubRepo] | None:
    base = settings.base_url.rstrip("/")
    if settings.endpoint == "arxiv_repos":
        request = Request(f"{base}/api/arxiv/{quote(arxiv_id, safe='')}/repos", JSON, format="hf_hub_repos")
        try:
            archived = client.get(request, reuse=REUSE_OK_AND_404, not_found_ok=True)
        except FetchError as exc:
            if exc.status == 404:
                return None
            raise
        return client.parse(archived, parse_arxiv_repos)
    repos: list[HubRepo] = []
    for listing, kind in KIND.items():
        params = [("filter", f"arxiv:{arxiv_id}"), ("limit", str(settings.page_limit))]
        params += [("expand[]", name) for name in EXPAND[listing]]
        request: Request | None = Request(f"{base}/api/{listing}", JSON, format="hf_hub_list", params=params)
        for _ in range(settings.max_pages):
            if request is None:
                break
            archived = client.get(request)
            repos += client.parse(archived, lambda body, url, kind=kind: parse_repo_list(body, url, kind))
            request = _next_page(archived.headers)
    return repos


def _next_page(headers: dict[str, str]) -> Request | None:
    link = next((v for k, v in headers.items() if k.lower() == "link"), None)
    for item in parse_header_links(link) if link else []:
        if item.get("rel") == "next" and item.get("url"):
            return Request(item["url"], JSON, format="hf_hub_list")
    return None
