"""Typed errors of fetching and parsing: each names the URL or file and the reason."""

from __future__ import annotations


class ParseError(ValueError):
    """A page (file or response body) that does not parse."""

    def __init__(self, path_or_url: str, reason: str) -> None:
        super().__init__(f"{path_or_url}: {reason}")
        self.path_or_url = str(path_or_url)
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable: worker processes raise it
        return type(self), (self.path_or_url, self.reason)


class ArxivApiError(ParseError):
    """The arXiv API answered with its error feed (e.g. 'incorrect id format for abc')."""


# Why a request failed, for summaries: the host name does not resolve, the connection was refused (or
# the network is unreachable), a connect/read timeout, or the server answered with an HTTP error status.
DNS, CONNECT, TIMEOUT, HTTP = "dns", "connect", "timeout", "http"
UNREACHABLE = frozenset({DNS, CONNECT})  # retrying within the run does not help: fail fast


class FetchError(RuntimeError):
    """A URL that could not be fetched (after retries), or whose response was rejected."""

    def __init__(
        self,
        url: str,
        reason: str,
        status: int | None = None,
        archived: object = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.archived = archived  # the ArchivedResponse of an HTTP error body, when one was kept
        self.cause = cause or (HTTP if status is not None else None)  # DNS, CONNECT, TIMEOUT, HTTP or None

    @property
    def unreachable(self) -> bool:
        """The host does not resolve or refuses connections: neither HTTP nor task retries will help."""
        return self.cause in UNREACHABLE


class RobotsDisallowed(FetchError):
    """robots.txt of the host does not allow our user agent to fetch the URL."""
