"""The cost of enrichment, from the fetch log (the archive sidecars of one run date).

Every request the enrich step sent left one archived response (with its sidecar) under
`raw/source=<service>/dt=<date>/`; a request that got no answer at all (timeout, refused) left none
and is not counted. For each service:

    requests                      sidecars of the date, per service and host
    seconds at the rate limit     (requests - 1) / requests_per_second of the host (sequential)
    observed seconds              last fetched_at - first fetched_at
    per 1,000 papers              the same figures x 1000 / papers enriched

The services run one after another, so the total time at the limits is the sum over services.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from extract.archive import iter_archived
from extract.enrich.settings import EnrichSettings

SERVICES = ("arxiv_title", "s2", "hf_hub")


@dataclass(frozen=True)
class ServiceCost:
    service: str
    requests: int
    requests_per_second: float
    seconds_at_limit: float
    observed_seconds: float


@dataclass
class EnrichmentCost:
    run_date: str
    papers: int
    services: list[ServiceCost] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.services)

    @property
    def seconds_at_limit(self) -> float:
        return sum(s.seconds_at_limit for s in self.services)

    def per_1000(self, value: float) -> float:
        return value * 1000 / self.papers if self.papers else 0.0

    def lines(self) -> list[str]:
        head = f"{'service':<40} {'requests':>9} {'req/s':>7} {'s at limit':>11} {'observed s':>11}"
        head += f" {'req/1k papers':>14} {'s/1k papers':>12}"
        rows = [f"enrichment cost, run date {self.run_date}, {self.papers} papers", head]
        for s in self.services:
            rows.append(
                f"{s.service:<40} {s.requests:>9} {s.requests_per_second:>7.3f} {s.seconds_at_limit:>11.1f}"
                f" {s.observed_seconds:>11.1f} {self.per_1000(s.requests):>14.1f}"
                f" {self.per_1000(s.seconds_at_limit):>12.1f}"
            )
        rows.append(
            f"{'total':<40} {self.requests:>9} {'':>7} {self.seconds_at_limit:>11.1f} {'':>11}"
            f" {self.per_1000(self.requests):>14.1f} {self.per_1000(self.seconds_at_limit):>12.1f}"
        )
        return rows


def enrichment_cost(
    archive_root: str | os.PathLike[str],
    run_date: date | str,
    papers: int,
    settings: EnrichSettings | None = None,
) -> EnrichmentCost:
    """Requests and seconds of the enrich step of `run_date`, from the archive sidecars.

    Grouped by service and host (title resolution asks arXiv and, for the titles arXiv missed, S2),
    each host at its configured rate.
    """
    config = settings or EnrichSettings()
    host_rates = config.host_rates()
    service_rates = {
        "arxiv_title": config.arxiv.requests_per_second,
        "s2": config.s2.requests_per_second,
        "hf_hub": config.hf_hub.requests_per_second,
    }
    day = run_date.isoformat() if isinstance(run_date, date) else str(run_date)
    cost = EnrichmentCost(run_date=day, papers=papers)
    for service in SERVICES:
        by_host: dict[str, list[datetime | None]] = {}
        for archived in iter_archived(archive_root, source=service, run_date=day):
            by_host.setdefault(urlsplit(archived.url).netloc, []).append(archived.fetched_at)
        for host, times in sorted(by_host.items()) or [("", [])]:
            rate = host_rates.get(host, service_rates[service])
            stamps = sorted(t for t in times if t is not None)
            cost.services.append(
                ServiceCost(
                    service=f"{service} ({host})" if len(by_host) > 1 else service,
                    requests=len(times),
                    requests_per_second=rate,
                    seconds_at_limit=max(len(times) - 1, 0) / rate if rate > 0 else 0.0,
                    observed_seconds=(stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else 0.0,
                )
            )
    return cost
