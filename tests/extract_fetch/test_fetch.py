"""Fetching against a real local HTTP server: retries, limits, robots.txt, conditional GET, archive."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date
from pathlib import Path

import pytest

from extract.archive import Archive, iter_archived, sidecar_path
from extract.errors import FetchError, RobotsDisallowed
from extract.fetch import FetchSettings
from extract.parse import parse_archived
from extract.sources import fetch_source
from tests.support.http_server import FixtureServer, Reply

RUN = date(2024, 6, 3)
DAILY = "/api/daily_papers"


def daily(server: FixtureServer) -> dict:
    return {"name": "hf_daily", "kind": "hf_daily", "base_url": server.base_url}


def test_success_archives_the_body_unchanged_with_a_sidecar(http_server, pages, fast_settings, tmp_path):
    http_server.route(DAILY, Reply.file(pages / "hf_daily_2024-06-03.json"))
    report = fetch_source(daily(http_server), RUN, tmp_path, fast_settings)

    assert (report.requested, report.archived, report.failed) == (1, 1, 0)
    [path] = report.paths
    assert path.parent == tmp_path / "raw" / "source=hf_daily" / "dt=2024-06-03"
    assert path.read_bytes() == (pages / "hf_daily_2024-06-03.json").read_bytes()
    sidecar = json.loads(sidecar_path(path).read_text())
    assert sidecar["status"] == 200 and sidecar["url"].endswith("/api/daily_papers?date=2024-06-03")
    assert (
        sidecar["sha256"]
        and sidecar["fetched_at"]
        and sidecar["headers"]["Content-Type"].startswith("application/json")
    )
    [request] = http_server.requests_to(DAILY)
    assert request.query == {"date": ["2024-06-03"]}
    assert request.headers["User-Agent"].startswith("paper-graph/")
    assert "(+https://example.org/paper-graph)" in request.headers["User-Agent"]

    [row] = [a.raw_responses_row() for a in iter_archived(tmp_path)]
    assert row["source"] == "hf_daily" and row["size"] == path.stat().st_size and row["path"] == str(path)
    result = parse_archived(report.paths)
    assert [r.paper_id for r in result.records] == ["2405.20001", "2406.01234"]
    assert {r.source for r in result.records} == {"hf_daily"}
    assert all(r.fetched_at is not None for r in result.records)


def test_429_with_retry_after_is_honoured(http_server, pages, fast_settings, tmp_path):
    http_server.route(
        DAILY, Reply(status=429, headers={"Retry-After": "1"}), Reply.file(pages / "hf_daily_2024-06-03.json")
    )
    report = fetch_source(daily(http_server), RUN, tmp_path, fast_settings)

    first, second = http_server.requests_to(DAILY)
    assert second.at - first.at >= 0.9  # waited for Retry-After, not the 0.01 s backoff
    assert report.archived == 1 and report.paths[0].read_bytes().startswith(b"[")


def test_500_then_success(http_server, pages, fast_settings, tmp_path):
    http_server.route(DAILY, Reply(status=500, body=b"oops"), Reply.file(pages / "hf_daily_2024-06-03.json"))
    report = fetch_source(daily(http_server), RUN, tmp_path, fast_settings)
    assert len(http_server.requests_to(DAILY)) == 2
    assert report.archived == 1 and report.failed == 0


def test_a_source_that_stays_down_fails_with_a_typed_error(http_server, fast_settings, tmp_path):
    http_server.route(DAILY, Reply(status=503, body=b"down"))
    with pytest.raises(FetchError) as caught:
        fetch_source(daily(http_server), RUN, tmp_path, fast_settings)
    assert caught.value.status == 503 and "/api/daily_papers?date=2024-06-03" in caught.value.url
    assert len(http_server.requests_to(DAILY)) == fast_settings.max_retries + 1
    # the error body is kept for inspection, under a name that cannot replace a good response
    kept = [a for a in iter_archived(tmp_path)]
    assert [a.status for a in kept] == [503] and ".status-503." in kept[0].path.name


def test_timeout_is_retried_then_reported(http_server, pages, fast_settings, tmp_path):
    http_server.route(DAILY, Reply.file(pages / "hf_daily_2024-06-03.json", delay=1.0))
    settings = dataclasses.replace(fast_settings, read_timeout=0.2, max_retries=1)
    with pytest.raises(FetchError, match="ReadTimeout|timed out"):
        fetch_source(daily(http_server), RUN, tmp_path, settings)
    assert len(http_server.requests_to(DAILY)) == 2
    assert list(iter_archived(tmp_path)) == []


def test_truncated_body_never_replaces_a_good_archived_response(http_server, pages, fast_settings, tmp_path):
    good = pages / "hf_daily_2024-06-03.json"
    http_server.route(DAILY, Reply.file(good))
    [path] = fetch_source(daily(http_server), RUN, tmp_path, fast_settings).paths

    http_server.route(
        DAILY, Reply(body=good.read_bytes(), headers={"Content-Type": "application/json"}, truncate_to=100)
    )
    with pytest.raises(FetchError, match="interrupted"):
        fetch_source(daily(http_server), RUN, tmp_path, fast_settings)
    assert path.read_bytes() == good.read_bytes()
    assert not list(path.parent.glob(".partial-*"))


def test_invalid_json_is_archived_then_quarantined_by_the_parse(http_server, fast_settings, tmp_path):
    http_server.route(
        DAILY, Reply(body=b'[{"paper": {"id": "2406.0', headers={"Content-Type": "application/json"})
    )
    report = fetch_source(daily(http_server), RUN, tmp_path, fast_settings)
    result = parse_archived(report.paths)
    assert result.records == []
    [quarantined] = result.quarantined
    assert "invalid JSON" in quarantined.reason
    copy = Path(quarantined.copy)
    assert copy.is_relative_to(tmp_path / "quarantine") and copy.read_bytes() == report.paths[0].read_bytes()
    assert "invalid JSON" in json.loads(copy.with_name(copy.name + ".reason.json").read_text())["reason"]


def test_wrong_content_type_is_rejected(http_server, fast_settings, tmp_path):
    http_server.route(DAILY, Reply(body=b"<html>login</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(FetchError, match="unexpected content type 'text/html'"):
        fetch_source(daily(http_server), RUN, tmp_path, fast_settings)
    assert list(iter_archived(tmp_path)) == []


@pytest.mark.parametrize("announce_length", [True, False])
def test_oversize_body_is_aborted(http_server, fast_settings, tmp_path, announce_length):
    body = b"[" + b" " * 5000 + b"]"
    settings = dataclasses.replace(fast_settings, max_bytes=1000)
    http_server.route(DAILY, Reply(body=body, headers={"Content-Type": "application/json"}))
    if not announce_length:  # a chunked-style answer: only the streamed count can stop it
        http_server.route(
            DAILY,
            Reply(body=body, headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"}),
        )
    with pytest.raises(FetchError, match="1000-byte limit"):
        fetch_source(daily(http_server), RUN, tmp_path, settings)
    assert list(iter_archived(tmp_path)) == []


def test_robots_txt_disallow_blocks_html_pages_only(http_server, pages, fast_settings, tmp_path):
    http_server.route("/robots.txt", Reply.file(pages / "robots_disallow.txt"))
    http_server.route("/papers", Reply.file(pages / "hf_papers_2024-06-03.html"))
    http_server.route(DAILY, Reply.file(pages / "hf_daily_2024-06-03.json"))
    html_source = {"name": "hf_html", "kind": "hf_html", "base_url": http_server.base_url}

    with pytest.raises(RobotsDisallowed, match="disallowed by .*/robots.txt"):
        fetch_source(html_source, RUN, tmp_path, fast_settings)
    assert http_server.requests_to("/papers") == []
    assert fetch_source(daily(http_server), RUN, tmp_path, fast_settings).archived == 1  # APIs are not pages


def test_robots_txt_allow_lets_the_html_page_through(http_server, pages, fast_settings, tmp_path):
    http_server.route("/robots.txt", Reply.file(pages / "robots_allow.txt"))
    http_server.route("/papers", Reply.file(pages / "hf_papers_2024-06-03.html"))
    report = fetch_source(
        {"name": "pages", "kind": "hf_html", "base_url": http_server.base_url}, RUN, tmp_path, fast_settings
    )
    assert [r.paper_id for r in parse_archived(report.paths).records] == ["2405.20001", "2406.01234"]


def test_304_not_modified_reuses_the_archived_body(http_server, pages, fast_settings, tmp_path):
    body = pages / "hf_daily_2024-06-03.json"
    http_server.route(
        DAILY, Reply.file(body, headers={"ETag": '"v1"', "Last-Modified": "Mon, 03 Jun 2024 08:00:00 GMT"})
    )
    source = {**daily(http_server), "date": "2024-06-03"}  # the same URL on two run days
    first = fetch_source(source, RUN, tmp_path, fast_settings)

    http_server.route(DAILY, Reply(status=304, headers={"ETag": '"v1"'}))
    second = fetch_source(source, date(2024, 6, 4), tmp_path, fast_settings)

    conditional = http_server.requests_to(DAILY)[1].headers
    assert conditional["If-None-Match"] == '"v1"'
    assert conditional["If-Modified-Since"] == "Mon, 03 Jun 2024 08:00:00 GMT"
    assert second.not_modified == 1
    [reused] = second.paths
    assert reused != first.paths[0] and "dt=2024-06-04" in str(reused)
    assert reused.read_bytes() == body.read_bytes()
    assert len(parse_archived(second.paths).records) == 2


def test_hf_paper_404_means_not_on_the_hub(http_server, pages, fast_settings, tmp_path):
    http_server.route("/api/papers/2405.20001", Reply.file(pages / "hf_paper_2405.20001.json"))
    source = {
        "name": "papers",
        "kind": "hf_paper",
        "base_url": http_server.base_url,
        "ids": ["2405.20001", "2401.00000"],
    }
    report = fetch_source(source, RUN, tmp_path, fast_settings)
    assert (report.archived, report.not_found, report.failed) == (1, 1, 0)
    [record] = parse_archived(report.paths).records
    assert (
        record.authors == ["Ada Brennan", "Rui Costa"]
        and record.github_repo == "https://github.com/example/induction"
    )


def test_hf_search_sends_each_configured_query(http_server, pages, fast_settings, tmp_path):
    http_server.route("/api/papers/search", Reply.file(pages / "hf_search_talking_head.json"))
    source = {
        "name": "topics",
        "kind": "hf_search",
        "base_url": http_server.base_url,
        "queries": ["talking head", "lip sync"],
    }
    report = fetch_source(source, RUN, tmp_path, fast_settings)
    assert [r.query["q"] for r in http_server.requests_to("/api/papers/search")] == [
        ["talking head"],
        ["lip sync"],
    ]
    assert report.archived == 2 and len({p.name for p in report.paths}) == 2


def test_arxiv_pages_through_a_query(http_server, pages, fast_settings, tmp_path):
    http_server.route(
        "/api/query",
        Reply.file(pages / "arxiv_query_start0.xml"),
        Reply.file(pages / "arxiv_query_start2.xml"),
    )
    source = {
        "name": "arxiv",
        "kind": "arxiv",
        "base_url": http_server.base_url,
        "query": "all:talking head",
        "page_size": 2,
    }
    report = fetch_source(source, RUN, tmp_path, fast_settings)
    assert [r.query["start"] for r in http_server.requests_to("/api/query")] == [["0"], ["2"]]
    assert [r.paper_id for r in parse_archived(report.paths).records] == [
        "2404.00101",
        "2404.00202",
        "2404.00303",
    ]


def test_arxiv_error_feed_becomes_a_typed_fetch_error(http_server, pages, fast_settings, tmp_path):
    http_server.route("/api/query", Reply.file(pages / "arxiv_error.xml", status=400))
    source = {"name": "arxiv", "kind": "arxiv", "base_url": http_server.base_url, "ids": ["notanid"]}
    with pytest.raises(FetchError, match="HTTP 400.*incorrect id format for notanid"):
        fetch_source(source, RUN, tmp_path, fast_settings)
    assert len(http_server.requests_to("/api/query")) == 1  # a 400 is not retried


def test_per_host_rate_limit_spaces_requests(http_server, pages, fast_settings, tmp_path):
    http_server.route("/api/papers/search", Reply.file(pages / "hf_search_talking_head.json"))
    settings = dataclasses.replace(fast_settings, requests_per_second=5.0)
    source = {"name": "t", "kind": "hf_search", "base_url": http_server.base_url, "queries": ["a", "b", "c"]}
    fetch_source(source, RUN, tmp_path, settings)
    times = [r.at for r in http_server.requests_to("/api/papers/search")]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.18


def test_dump_source_archives_saved_pages(pages, tmp_path):
    report = fetch_source({"name": "seeds", "kind": "dump", "path": str(pages)}, RUN, tmp_path)
    names = {p.name.split(".")[0] + p.suffix for p in report.paths}  # "<slug>.<path hash><suffix>"
    assert {"dump_compact.txt", "hf_daily_2024-06-03.json", "arxiv_error.xml"} <= names
    result = parse_archived(report.paths)
    # the error feed and the two robots.txt files are not paper listings
    assert sorted(Path(q.path).name.split(".")[0] for q in result.quarantined) == [
        "arxiv_error",
        "robots_allow",
        "robots_disallow",
    ]
    ids = [r.paper_id for r in result.records]
    # title-only records of the text dumps joined the arXiv records with the same title
    assert ids[:-1] == [
        "2311.09999",
        "2404.00101",
        "2404.00202",
        "2404.00303",
        "2405.20001",
        "2406.01234",
        "hep-th/9901001",
    ]
    assert ids[-1].startswith("title:")  # "subscriber churn ..." is known only by its title
    [error_feed] = (tmp_path / "quarantine" / "source=seeds" / "dt=2024-06-03").glob("arxiv_error.*.xml")
    assert error_feed.read_bytes() == (pages / "arxiv_error.xml").read_bytes()
    assert all(row.status == 200 for row in Archive(tmp_path).iter_archived(source="seeds"))


def test_unknown_fetch_settings_are_rejected():
    with pytest.raises(ValueError, match="unknown \\[fetch\\] settings \\['retries'\\]"):
        FetchSettings.from_dict({"retries": 3})
    assert FetchSettings.from_dict({"max_retries": 1, "backoff_factor": 0.5}).max_retries == 1


def test_rate_limit_is_never_applied_when_disabled(http_server, pages, fast_settings, tmp_path):
    http_server.route(DAILY, Reply.file(pages / "hf_daily_2024-06-03.json"))
    start = time.monotonic()
    for day in (date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 3)):
        fetch_source(daily(http_server), day, tmp_path, fast_settings)
    assert len(http_server.requests_to(DAILY)) == 3 and time.monotonic() - start < 5
