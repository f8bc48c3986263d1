"""HTTP fetching for the sources: polite, bounded and archived.

One requests.Session with urllib3 Retry (exponential backoff with jitter on timeouts, dropped
connections, 429 and 5xx, honouring Retry-After; a host that does not resolve or refuses the
connection fails at once, and later requests to it in the same run fail without trying again),
connect/read timeouts, a per-host rate limit, robots.txt for HTML
pages, conditional GET against the archive, a body size cap and a content-type check. Every body is
streamed into the archive (see extract.archive) and only renamed into place when complete.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

from extract.archive import Archive, ArchivedResponse, body_name
from extract.errors import CONNECT, DNS, TIMEOUT, FetchError, RobotsDisallowed

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024


def _version() -> str:
    try:
        return metadata.version("paper-graph")
    except metadata.PackageNotFoundError:
        return "0"


def _project_url() -> str:
    """The repository URL from the package metadata ([project.urls]); empty when not declared."""
    try:
        urls = metadata.metadata("paper-graph").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return ""
    return urls[0].split(",", 1)[-1].strip() if urls else ""


@dataclass(frozen=True)
class FetchSettings:
    """The `[fetch]` table of the pipeline configuration; every field has a polite default."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 4
    backoff_factor: float = 1.0
    backoff_max: float = 60.0
    backoff_jitter: float = 0.5
    retry_after_max: float = 120.0  # never sleep longer than this for one Retry-After
    requests_per_second: float = 1.0  # per host
    host_requests_per_second: dict[str, float] = field(
        default_factory=lambda: {"export.arxiv.org": 1 / 3}  # arXiv asks for one request every 3 s
    )
    max_bytes: int = 50_000_000
    respect_robots: bool = True
    project_url: str = field(default_factory=_project_url)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> FetchSettings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values or {}) - known)
        if unknown:
            raise ValueError(f"unknown [fetch] settings {unknown}; known: {sorted(known)}")
        return cls(**(values or {}))

    @property
    def user_agent(self) -> str:
        contact = f" (+{self.project_url})" if self.project_url else ""
        return f"paper-graph/{_version()}{contact}"


class _CappedRetry(Retry):
    """urllib3 Retry that honours Retry-After but caps how long one wait may be."""

    retry_after_max: float = 120.0

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.retry_after_max)

    def new(self, **kw: Any) -> _CappedRetry:
        retry = super().new(**kw)
        retry.retry_after_max = self.retry_after_max
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        """No retry when the host does not resolve or refuses the connection (offline, wrong host)."""
        if isinstance(error, NewConnectionError):  # NameResolutionError included; not connect timeouts
            raise MaxRetryError(_pool, url or "", error) from error
        return super().increment(method, url, response, error, _pool, _stacktrace)


class HostRateLimiter:
    """At most `rate` requests per second to each host (thread-safe; sleeps the caller)."""

    def __init__(self, default_rate: float, host_rates: dict[str, float] | None = None) -> None:
        self._default = default_rate
        self._rates = host_rates or {}
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        rate = self._rates.get(host, self._default)
        if rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + 1.0 / rate
        if start > now:
            time.sleep(start - now)


@dataclass(frozen=True)
class Request:
    """One request a source wants archived: a GET, or a read-only POST (a batch lookup with a JSON body)."""

    url: str
    accept: tuple[str, ...]  # acceptable media types
    format: str | None = None  # parser of the body
    html_page: bool = False  # pages (not APIs) are checked against robots.txt
    params: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    method: str = "GET"  # GET or POST; a POST must be read-only (it is retried like a GET)
    json_body: Any = None  # sent as the JSON body of a POST; part of the archive key
    headers: dict[str, str] = field(default_factory=dict)  # extra request headers (never archived)

    def body_bytes(self) -> bytes | None:
        if self.json_body is None:
            return None
        return json.dumps(self.json_body, separators=(",", ":"), sort_keys=True).encode("utf-8")


class Fetcher:
    """GETs URLs into the archive under one source name and run date."""

    def __init__(self, archive: Archive, settings: FetchSettings | None = None) -> None:
        self.archive = archive
        self.settings = settings or FetchSettings()
        self.session = self._session()
        self._limiter = HostRateLimiter(
            self.settings.requests_per_second, self.settings.host_requests_per_second
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._unreachable: dict[str, FetchError] = {}  # host -> why it could not be reached this run
        self.requests_made = 0  # requests sent (each counted once, whatever urllib3 retried)
        self.from_archive = 0  # requests answered from the archive without touching the network

    def _session(self) -> requests.Session:
        s = self.settings
        retry = _CappedRetry(
            total=s.max_retries,
            connect=s.max_retries,
            read=s.max_retries,
            status=s.max_retries,
            other=0,
            # POST only for read-only batch lookups (S2 /paper/batch), safe to repeat.
            allowed_methods=frozenset({"GET", "HEAD", "POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=s.backoff_factor,
            backoff_max=s.backoff_max,
            backoff_jitter=s.backoff_jitter,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.retry_after_max = s.retry_after_max
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = s.user_agent
        return session

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        request: Request,
        *,
        source: str,
        kind: str,
        run_date: date | str,
        reuse_statuses: frozenset[int] = frozenset(),
    ) -> ArchivedResponse:
        """Fetch one request into the archive; raises FetchError (naming the URL) when it cannot.

        `reuse_statuses`: when this source and day already hold a response to the same request
        (URL and body) with one of these statuses, it is returned without any network request, so a
        rerun of a date fetches nothing again. A reused error status raises FetchError as fetched.
        """
        method = request.method.upper()
        body = request.body_bytes()
        prepared = requests.Request(method, request.url, params=request.params or None).prepare()
        url = prepared.url or request.url
        if reuse_statuses:
            kept = self.archive.find(source, run_date, url, body, reuse_statuses)
            if kept is not None:
                self.from_archive += 1
                if not kept.ok:
                    raise FetchError(url, f"HTTP {kept.status} (archived)", status=kept.status, archived=kept)
                return kept
        self._check_reachable(url)
        if request.html_page and self.settings.respect_robots:
            self._check_robots(url)
        conditional = self.archive.validators(url) if method == "GET" else None
        headers = {"Accept": ", ".join(request.accept)} if request.accept else {}
        headers.update(request.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        if conditional:
            headers.update(conditional[0])
        self._limiter.wait(urlsplit(url).netloc)
        fetched_at = datetime.now(UTC)
        self.requests_made += 1
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                data=body,
                stream=True,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as exc:
            raise self._request_failed(url, exc) from exc
        with response:
            folder = self.archive.partition(source, run_date)
            content_type = response.headers.get("Content-Type")
            meta = ArchivedResponse(
                path=folder / body_name(url, content_type, response.status_code, body),
                source=source,
                kind=kind,
                url=url,
                status=response.status_code,
                fetched_at=fetched_at,
                sha256="",
                size=0,
                content_type=content_type,
                headers={k: v for k, v in response.headers.items() if k.lower() != "set-cookie"},
                format=request.format,
                method=method,
                request_body=body.decode("utf-8") if body is not None else None,
            )
            if response.status_code == 304 and conditional:
                return self._reuse(conditional[1], meta)
            if not 200 <= response.status_code < 300:
                kept = self._stream_into_archive(response, meta)
                raise FetchError(
                    url,
                    f"HTTP {response.status_code} {response.reason or ''}".strip(),
                    status=response.status_code,
                    archived=kept,
                )
            _check_content_type(url, content_type, request.accept)
            archived = self._stream_into_archive(response, meta)
        self.archive.remember_validators(archived)
        return archived

    def _check_reachable(self, url: str) -> None:
        known = self._unreachable.get(urlsplit(url).netloc)
        if known is not None:
            raise FetchError(url, f"{known.reason} (not tried again this run)", cause=known.cause)

    def _request_failed(self, url: str, exc: requests.RequestException) -> FetchError:
        """A FetchError saying why (DNS, connect, timeout); an unreachable host is remembered."""
        cause = _cause(exc)
        host = urlsplit(url).netloc
        if cause == DNS:
            reason = f"the host name {urlsplit(url).hostname} does not resolve (DNS; offline?)"
        elif cause == CONNECT:
            reason = f"cannot connect to {host}: {_os_reason(exc) or 'connection failed'}"
        else:
            reason = f"request failed after {self.settings.max_retries} retries: {_why(exc)}"
        error = FetchError(url, reason, cause=cause)
        if error.unreachable:
            self._unreachable[host] = error
        return error

    def _stream_into_archive(self, response: requests.Response, meta: ArchivedResponse) -> ArchivedResponse:
        cap = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(meta.url, f"body of {declared} bytes exceeds the {cap}-byte limit")
        handle, temp = self.archive.open_temp(meta.path.parent)
        digest, size = hashlib.sha256(), 0
        try:
            with handle:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(
                            meta.url, f"body exceeds the {cap}-byte limit (aborted at {size} bytes)"
                        )
                    digest.update(chunk)
                    handle.write(chunk)
        except requests.RequestException as exc:
            temp.unlink(missing_ok=True)
            raise FetchError(meta.url, f"body interrupted after {size} bytes: {_why(exc)}") from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        meta.sha256, meta.size = digest.hexdigest(), size
        return self.archive.commit(temp, meta)

    def _reuse(self, previous: ArchivedResponse, meta: ArchivedResponse) -> ArchivedResponse:
        """304 Not Modified: the earlier body, archived again under this run's partition."""
        meta.path = meta.path.with_name(previous.path.name)
        meta.content_type = previous.content_type
        meta.format = meta.format or previous.format
        meta.reused_from = str(previous.path)
        if meta.path == previous.path:
            meta.sha256, meta.size = previous.sha256, previous.size
            return self.archive.commit(_copy_to_temp(self.archive, previous), meta)
        return self.archive.store_bytes(previous.path.read_bytes(), meta)

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._robots[origin] = self._load_robots(origin)
        if isinstance(rules, str):
            raise RobotsDisallowed(url, rules)
        if not rules.can_fetch(self.settings.user_agent, url):
            raise RobotsDisallowed(url, f"disallowed by {origin}/robots.txt")

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        """The host's rules, or the reason the host counts as disallowed (robots.txt unreachable)."""
        parser = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        self._limiter.wait(urlsplit(origin).netloc)
        try:
            response = self.session.get(
                parser.url, timeout=(self.settings.connect_timeout, self.settings.read_timeout)
            )
        except requests.RequestException as exc:
            error = self._request_failed(parser.url, exc)
            if error.unreachable:  # the host is down or offline, not a robots.txt verdict
                raise error from exc
            return f"robots.txt unreachable: {_why(exc)}"
        if response.status_code in (401, 403):
            parser.disallow_all = True
        elif response.status_code >= 500:
            return f"robots.txt answered HTTP {response.status_code}"
        elif response.status_code >= 400:
            parser.allow_all = True
        else:
            parser.parse(response.text.splitlines())
        return parser


def _copy_to_temp(archive: Archive, previous: ArchivedResponse) -> Any:
    handle, temp = archive.open_temp(previous.path.parent)
    with handle:
        handle.write(previous.path.read_bytes())
    return temp


def _check_content_type(url: str, content_type: str | None, accept: tuple[str, ...]) -> None:
    if not accept:
        return
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in accept:
        raise FetchError(
            url, f"unexpected content type {content_type or 'none'!r} (expected {', '.join(accept)})"
        )


def _cause(exc: BaseException) -> str | None:
    """DNS, CONNECT or TIMEOUT for a requests error (urllib3's reason inside MaxRetryError), else None."""
    seen: BaseException | None = exc
    while seen is not None:
        reason = getattr(seen, "reason", None)
        for candidate in (seen, reason, *(getattr(seen, "args", ()) or ())):
            if isinstance(candidate, NameResolutionError):
                return DNS
            if isinstance(candidate, NewConnectionError):
                return CONNECT
            if isinstance(candidate, MaxRetryError) and candidate.reason is not None:
                nested = _cause(candidate.reason)
                if nested:
                    return nested
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, requests.Timeout):
        return TIMEOUT
    return None


def _os_reason(exc: BaseException) -> str | None:
    """The innermost OS error text of an exception chain ('Connection refused'), if any."""
    found, seen = None, exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            found = seen.strerror
        candidates = [getattr(seen, "reason", None), *(getattr(seen, "args", ()) or ())]
        nested = next((c for c in candidates if isinstance(c, BaseException)), None)
        seen = seen.__cause__ or seen.__context__ or nested
    return found


def _why(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error chain, readable."""
    reason = getattr(getattr(exc, "args", [None])[0], "reason", None) if exc.args else None
    return f"{type(exc).__name__}: {reason or exc}"
