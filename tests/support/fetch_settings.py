"""Fetcher settings for tests against the local HTTP server."""

from __future__ import annotations

from extract.fetch import FetchSettings


def fast_fetch_settings() -> FetchSettings:
    """Short timeouts, tiny backoff and no rate limit, so retry tests stay fast."""
    return FetchSettings(
        connect_timeout=2.0,
        read_timeout=2.0,
        max_retries=2,
        backoff_factor=0.01,
        backoff_jitter=0.0,
        retry_after_max=5.0,
        requests_per_second=0,
        host_requests_per_second={},
        project_url="https://example.org/paper-graph",
    )
