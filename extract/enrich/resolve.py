"""arXiv ids for papers known only by their title (text dumps, the HTML fallback).

Each title is looked up with the arXiv API (`search_query=ti:"..."`, several titles OR-ed into one
query) and accepted only when exactly one returned entry has the same normalised title
(extract.clean.normalise_title: NFKC, case-folded, punctuation and whitespace collapsed). Nothing is
guessed: a near miss is no match, two different arXiv papers with that title are "ambiguous", and a
title of fewer than `min_title_words` normalised words is not looked up at all. A query whose answer
was cut at `max_results` is asked again title by title for the titles it left unmatched.

Titles still unmatched can be asked of Semantic Scholar (`GET /graph/v1/paper/search/match`, one title
a request): the answer counts only when its title is the same normalised title and it carries an arXiv
id; the paper's fields then come from arXiv (`id_list`, 100 ids a request), whose title must match too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from extract.clean import normalise_title
from extract.enrich.service import REUSE_OK_AND_404, ServiceClient, ServiceUnavailable
from extract.enrich.settings import ArxivTitleSettings
from extract.errors import FetchError, ParseError
from extract.fetch import Request
from extract.parsers.arxiv_atom import Feed, parse_feed
from extract.parsers.common import ParseContext
from extract.parsers.s2_json import parse_match
from extract.records import PaperRecord

SOURCE = "arxiv_title"
ATOM = ("application/atom+xml", "application/xml", "text/xml")
JSON = ("application/json",)
ID_LIST_SIZE = 100


@dataclass
class Resolution:
    matches: dict[str, PaperRecord] = field(default_factory=dict)  # normalised title -> arXiv record
    ambiguous: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    too_short: list[str] = field(default_factory=list)


def title_query(normalised_titles: Iterable[str]) -> str:
    """`ti:"a b c" OR ti:"d e"`: phrase queries on the normalised words (no quotes or operators left)."""
    return " OR ".join(f'ti:"{title}"' for title in normalised_titles)


def match_titles(
    wanted: Iterable[str], records: Iterable[PaperRecord]
) -> tuple[dict[str, PaperRecord], list[str]]:
    """Exact normalised-title matches among `records`, and the wanted titles with several arXiv ids."""
    by_title: dict[str, dict[str, PaperRecord]] = {}
    for record in records:
        if record.arxiv_id:
            by_title.setdefault(normalise_title(record.title), {})[record.arxiv_id] = record
    matches, ambiguous = {}, []
    for title in wanted:
        found = by_title.get(title, {})
        if len(found) == 1:
            matches[title] = next(iter(found.values()))
        elif len(found) > 1:
            ambiguous.append(title)
    return matches, ambiguous


def resolve_titles(
    papers: Iterable[PaperRecord], client: ServiceClient, settings: ArxivTitleSettings
) -> Resolution:
    """Look up every paper without an arXiv id; the report of `client` counts titles as items."""
    result = Resolution()
    titles: set[str] = set()
    for paper in papers:
        if paper.arxiv_id:
            continue
        key = normalise_title(paper.title)
        if len(key.split()) < settings.min_title_words:
            result.too_short.append(key)
        else:
            titles.add(key)
    wanted = sorted(titles)
    client.report.items = len(wanted)
    client.report.counts["too_short"] = len(result.too_short)
    url = f"{settings.base_url.rstrip('/')}/api/query"
    size = max(1, settings.titles_per_query)
    for start in range(0, len(wanted), size):
        batch = wanted[start : start + size]
        try:
            feed = _search(client, url, batch, settings.max_results)
        except ServiceUnavailable:
            break
        except (FetchError, ParseError):
            continue  # counted by the client; these titles stay unresolved this run
        matched, ambiguous = match_titles(batch, feed.records)
        answered = list(batch)
        if _truncated(feed) and len(batch) > 1:
            for title in [t for t in batch if t not in matched and t not in ambiguous]:
                try:
                    one, amb = match_titles(
                        [title], _search(client, url, [title], settings.max_results).records
                    )
                except (FetchError, ParseError, ServiceUnavailable):
                    answered.remove(title)
                    continue
                matched.update(one)
                ambiguous += amb
        result.matches.update(matched)
        result.ambiguous += ambiguous
        result.unmatched += [t for t in answered if t not in matched and t not in ambiguous]
        client.report.done += len(answered)
        if client.down:
            break
    client.report.counts.update(
        matched=len(result.matches), ambiguous=len(result.ambiguous), unmatched=len(result.unmatched)
    )
    return result


def resolve_via_s2(
    titles: Iterable[str],
    s2: ServiceClient,
    arxiv: ServiceClient,
    s2_base_url: str,
    arxiv_base_url: str,
    headers: dict[str, str] | None = None,
) -> dict[str, PaperRecord]:
    """S2's closest title for each normalised title, accepted on the exact rule; arXiv gives the fields."""
    candidates: dict[str, str] = {}
    url = f"{s2_base_url.rstrip('/')}/graph/v1/paper/search/match"
    for title in titles:
        params = {"query": title, "fields": "paperId,externalIds,title,year"}
        request = Request(url, JSON, format="s2_match", params=params, headers=headers or {})
        try:
            works = s2.parse(s2.get(request, reuse=REUSE_OK_AND_404, not_found_ok=True), parse_match)
        except ServiceUnavailable:
            break
        except (FetchError, ParseError):
            continue  # 404: no title close enough; other failures are counted by the client
        exact = {w.arxiv_id for w in works if w.arxiv_id and normalise_title(w.title or "") == title}
        if len(exact) == 1:
            candidates[title] = exact.pop()
    ids = sorted(set(candidates.values()))
    found: dict[str, PaperRecord] = {}
    query = f"{arxiv_base_url.rstrip('/')}/api/query"
    for start in range(0, len(ids), ID_LIST_SIZE):
        chunk = ids[start : start + ID_LIST_SIZE]
        params = {"id_list": ",".join(chunk), "start": "0", "max_results": str(len(chunk))}
        try:
            archived = arxiv.get(Request(query, ATOM, format="arxiv_atom", params=params))
            context = ParseContext(archived.url, source=SOURCE, fetched_at=archived.fetched_at)
            feed = arxiv.parse(archived, lambda body, _url, c=context: parse_feed(body, c))
        except ServiceUnavailable:
            break
        except (FetchError, ParseError):
            continue
        found.update((r.arxiv_id, r) for r in feed.records if r.arxiv_id)
    return {
        title: found[arxiv_id]
        for title, arxiv_id in candidates.items()
        if arxiv_id in found and normalise_title(found[arxiv_id].title) == title
    }


def _search(client: ServiceClient, url: str, titles: list[str], max_results: int) -> Feed:
    params = {"search_query": title_query(titles), "start": "0", "max_results": str(max_results)}
    archived = client.get(Request(url, ATOM, format="arxiv_atom", params=params))
    context = ParseContext(archived.url, source=SOURCE, fetched_at=archived.fetched_at)
    return client.parse(archived, lambda body, _url: parse_feed(body, context))


def _truncated(feed: Feed) -> bool:
    return feed.total_results is not None and feed.total_results > len(feed.records)
