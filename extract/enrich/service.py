"""What every enrichment service shares: fail-soft request calls with a circuit breaker, and its report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

from extract.archive import ArchivedResponse, sidecar_path
from extract.errors import FetchError, ParseError
from extract.fetch import Fetcher, Request

# A definitive answer is archived and reused on a rerun of the date; failures (429, 5xx, timeouts) are
# not, so a later run of the same date asks again and fills in what was missing.
REUSE_OK = frozenset(range(200, 300))
REUSE_OK_AND_404 = REUSE_OK | {404}
MAX_ERRORS_KEPT = 10
T = TypeVar("T")


@dataclass
class ServiceReport:
    """What one service did in a run: requests, answers from the archive, what was skipped and why."""

    service: str
    status: str = "ok"  # ok | partial | unavailable | disabled | idle (nothing to look up)
    requests: int = 0  # requests sent over the network
    from_archive: int = 0  # requests answered by the archive of this run date (reruns)
    failed: int = 0  # requests that failed (after the fetcher's retries)
    not_found: int = 0  # items the service does not know (S2 null slot, Hub 404)
    items: int = 0  # papers (or titles) the service was asked about
    done: int = 0  # items it answered for
    skipped: int = 0  # items left out (service unavailable, failed request)
    seconds: float = 0.0
    reason: str | None = None  # why the service is unavailable or partial
    errors: list[str] = field(default_factory=list)  # the first failures, each naming its URL
    counts: dict[str, int] = field(default_factory=dict)  # service-specific figures

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary_line(self) -> str:
        line = f"{self.service}: {self.status}, {self.done}/{self.items} done, {self.requests} requests"
        if self.from_archive:
            line += f" (+{self.from_archive} from the archive)"
        if self.skipped:
            line += f", {self.skipped} skipped"
        if self.reason:
            reason = self.reason if len(self.reason) <= 300 else self.reason[:297] + "..."
            line += f" -- {reason}"
        return line


class ServiceUnavailable(Exception):
    """The circuit breaker opened: the service is skipped for the rest of the run."""


class ServiceClient:
    """Fetches for one service through the shared Fetcher; counts, keeps errors, and opens the circuit
    after `unreachable_after` answers-less failures or `failing_after` failed requests in a row."""

    def __init__(
        self,
        fetcher: Fetcher,
        report: ServiceReport,
        run_date: date,
        *,
        unreachable_after: int,
        failing_after: int,
    ) -> None:
        self.fetcher = fetcher
        self.report = report
        self.run_date = run_date
        self._unreachable_after = max(1, unreachable_after)
        self._failing_after = max(1, failing_after)
        self._no_answer_in_a_row = 0
        self._failed_in_a_row = 0
        self._started = time.monotonic()

    @property
    def down(self) -> bool:
        return self.report.status == "unavailable"

    def get(
        self, request: Request, *, reuse: frozenset[int] = REUSE_OK, not_found_ok: bool = False
    ) -> ArchivedResponse:
        """The archived response; FetchError for a failed request; ServiceUnavailable once open."""
        if self.down:
            raise ServiceUnavailable(self.report.reason)
        before_net, before_archive = self.fetcher.requests_made, self.fetcher.from_archive
        try:
            archived = self.fetcher.get(
                request,
                source=self.report.service,
                kind=self.report.service,
                run_date=self.run_date,
                reuse_statuses=reuse,
            )
        except FetchError as exc:
            self._count(before_net, before_archive)
            if exc.status == 404 and not_found_ok:  # "not known here": an answer, not a failure
                self._failed_in_a_row = self._no_answer_in_a_row = 0
                raise
            self.failed(str(exc))
            self._failed_in_a_row += 1
            self._no_answer_in_a_row = self._no_answer_in_a_row + 1 if exc.status is None else 0
            where = urlsplit(exc.url)
            said = f"{exc.reason} ({where.netloc}{where.path})"  # the full URL is in `errors`
            if self._no_answer_in_a_row >= self._unreachable_after:
                self._open(f"unreachable: {said}")
            elif self._failed_in_a_row >= self._failing_after:
                self._open(f"{self._failed_in_a_row} requests in a row failed, last: {said}")
            raise
        self._count(before_net, before_archive)
        self._failed_in_a_row = self._no_answer_in_a_row = 0
        return archived

    def parse(self, archived: ArchivedResponse, parser: Callable[[bytes, str], T]) -> T:
        """`parser(body, url)`; a body that does not parse is rejected (see `reject`) and re-raised."""
        try:
            return parser(archived.path.read_bytes(), archived.url)
        except ParseError as exc:
            self.reject(archived, exc)
            raise

    def reject(self, archived: ArchivedResponse, error: ParseError) -> None:
        """A 2xx body that does not parse: copied to the quarantine with its reason, then taken out of
        the date's partition so that a rerun asks again instead of reusing it; counted as a failure."""
        self.fetcher.archive.quarantine(archived.path, error.reason)
        archived.path.unlink(missing_ok=True)
        sidecar_path(archived.path).unlink(missing_ok=True)
        self.failed(str(error))

    def failed(self, message: str) -> None:
        """A failed request (or an answer that does not parse): counted, and its message kept."""
        self.report.failed += 1
        if len(self.report.errors) < MAX_ERRORS_KEPT:
            self.report.errors.append(message)
        if self.report.status == "ok":
            self.report.status = "partial"
            self.report.reason = self.report.reason or message

    def _count(self, before_net: int, before_archive: int) -> None:
        self.report.requests += self.fetcher.requests_made - before_net
        self.report.from_archive += self.fetcher.from_archive - before_archive

    def _open(self, reason: str) -> None:
        self.report.status = "unavailable"
        self.report.reason = reason

    def finish(self) -> ServiceReport:
        self.report.seconds = round(time.monotonic() - self._started, 3)
        if self.report.items == 0 and self.report.status == "ok" and not self.report.requests:
            self.report.status, self.report.reason = "idle", "nothing to look up"
        self.report.skipped = max(self.report.skipped, self.report.items - self.report.done)
        return self.report
