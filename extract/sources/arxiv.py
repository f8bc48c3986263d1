"""arXiv API adapter (export.arxiv.org/api/query): fill in abstracts, authors, categories and dates.

Config: `ids` (arXiv ids, old or new style, versioned or not; asked `page_size` at a time) or `query`
(an arXiv `search_query`, paged with start/max_results until `max_results` or totalResults).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from extract.archive import ArchivedResponse
from extract.errors import ArxivApiError, FetchError, ParseError
from extract.fetch import Request
from extract.parsers.arxiv_atom import Feed, parse_feed
from extract.parsers.common import ParseContext
from extract.records import PaperRecord
from extract.sources.base import ATOM, DEFAULT_ARXIV_BASE, FetchContext, Outcome


class Arxiv:
    kind = "arxiv"

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]:
        url = f"{ctx.config.base_url(DEFAULT_ARXIV_BASE)}/api/query"
        page_size = int(ctx.config.get("page_size", 100))
        ids = ctx.config.id_list()
        if ids:
            for start in range(0, len(ids), page_size):
                chunk = ids[start : start + page_size]
                params = {"id_list": ",".join(chunk), "start": "0", "max_results": str(len(chunk))}
                yield self._page(ctx, Request(url, ATOM, format="arxiv_atom", params=params))[0]
            return
        query = ctx.config.get("query")
        if not query:
            raise ValueError(f"source {ctx.config.name}: arxiv needs `ids` or `query`")
        limit = int(ctx.config.get("max_results", 200))
        start = 0
        while start < limit:
            params = {
                "search_query": str(query),
                "start": str(start),
                "max_results": str(min(page_size, limit - start)),
            }
            for key in ("sortBy", "sortOrder"):
                if ctx.config.get(key):
                    params[key] = str(ctx.config.get(key))
            outcome, feed = self._page(ctx, Request(url, ATOM, format="arxiv_atom", params=params))
            yield outcome
            if feed is None or not feed.records:
                return
            start += len(feed.records)
            if feed.total_results is not None and start >= feed.total_results:
                return

    def _page(self, ctx: FetchContext, request: Request) -> tuple[Outcome, Feed | None]:
        try:
            archived = ctx.get(request)
        except FetchError as exc:
            return Outcome(error=_explained(exc)), None
        try:
            return Outcome(archived=archived), parse_feed(
                archived.path.read_bytes(), ParseContext(archived.url)
            )
        except ArxivApiError as exc:  # an error feed served with 200
            return Outcome(error=FetchError(archived.url, exc.reason, archived.status, archived)), None
        except ParseError:
            return Outcome(archived=archived), None  # archived as is; the parse step quarantines it


def _explained(error: FetchError) -> FetchError:
    """An HTTP error whose body is arXiv's error feed carries the API's message as the reason."""
    archived = error.archived
    if not isinstance(archived, ArchivedResponse):
        return error
    try:
        parse_feed(archived.path.read_bytes(), ParseContext(archived.url))
    except ArxivApiError as exc:
        return FetchError(error.url, f"{error.reason}: {exc.reason}", error.status, archived)
    except (ParseError, OSError):
        pass
    return error


def ids_missing_abstract(records: Iterable[PaperRecord]) -> list[str]:
    """arXiv ids of records that lack an abstract, authors or a date: the ids to ask arXiv for."""
    wanted = (r.arxiv_id for r in records if r.arxiv_id and not (r.abstract and r.authors and r.published_at))
    return sorted(set(wanted))
