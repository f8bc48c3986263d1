"""Enrichment against a real local HTTP server: title resolution, S2 citations, Hub links, fail-soft."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path

import pytest

from extract.archive import iter_archived
from extract.clean import title_paper_id
from extract.enrich import enrich_papers
from extract.enrich.files import (
    CITATIONS_FILE,
    PAPERS_FILE,
    REPORT_FILE,
    read_citations,
    read_hub_repos,
    read_paper_hub_links,
    write_enrichment,
)
from extract.jsonl import read_records_jsonl
from tests.extract_enrich.conftest import RUN, paper, sample_papers, settings_for
from tests.support.http_server import FixtureServer, Reply

QUERY, BATCH, MATCH = "/api/query", "/graph/v1/paper/batch", "/graph/v1/paper/search/match"


def hub_path(arxiv_id: str) -> str:
    return f"/api/arxiv/{arxiv_id}/repos"


def arxiv_papers() -> list:
    """The sample papers as they are once resolved: the four ids of s2_batch.json."""
    return [p for p in sample_papers() if p.arxiv_id] + [
        paper("2406.11111", "Sparse Induction Heads in Small Language Models"),
        paper("2406.22222", "Talking Head Synthesis with Diffusion Priors"),
    ]


def serve_all(server: FixtureServer, fixtures: Path) -> None:
    server.route(QUERY, Reply.file(fixtures / "arxiv_title_search.xml"))
    server.route(BATCH, Reply.file(fixtures / "s2_batch.json"))
    for arxiv_id in ("2405.20001", "2406.11111"):
        server.route(hub_path(arxiv_id), Reply.file(fixtures / f"hub_arxiv_repos_{arxiv_id}.json"))
    # the other papers: the server's default 404 (the Hub does not know them)


def enrich(server: FixtureServer, tmp_path: Path, fast_fetch, papers=None, **overrides):
    return enrich_papers(
        papers if papers is not None else sample_papers(),
        RUN,
        tmp_path / "archive",
        settings_for(server.base_url, **overrides),
        fast_fetch,
    )


def test_exact_titles_resolve_and_merge_near_misses_and_short_titles_do_not(
    http_server, fixtures, fast_fetch, tmp_path
):
    serve_all(http_server, fixtures)
    result = enrich(http_server, tmp_path, fast_fetch)

    sparse, talking = (
        title_paper_id("Sparse Induction Heads in Small Language Models"),
        title_paper_id("Talking-Head Synthesis with Diffusion Priors"),
    )
    assert result.rekeyed == {sparse: "2406.11111", talking: "2406.22222"}
    by_id = {p.paper_id: p for p in result.papers}
    resolved = by_id["2406.11111"]
    assert resolved.arxiv_id == "2406.11111" and sparse not in by_id
    assert resolved.abstract.startswith("We locate sparse induction heads in small language models and show")
    assert resolved.authors == ["Mira Okafor", "Jonas Lindqvist"] and resolved.author_count == 2
    assert resolved.categories == ["cs.CL", "cs.LG"] and str(resolved.published_at) == "2024-06-01"
    assert resolved.source == "dump" and any("/api/query?" in s for s in resolved.sources)
    # punctuation differs, the normalised title is the same: accepted
    assert by_id["2406.22222"].title == "Talking-Head Synthesis with Diffusion Priors"
    # a near miss ("... in Language Models" missing) is never taken
    near = title_paper_id("Retrieval Heads Explain Long-Context Factuality")
    assert by_id[near].arxiv_id is None and "2406.33333" not in by_id
    # a one-word title is not looked up at all
    assert by_id[title_paper_id("Sora")].arxiv_id is None
    [query] = http_server.requests_to(QUERY)
    search = query.query["search_query"][0]
    assert search == (
        'ti:"retrieval heads explain long context factuality" OR '
        'ti:"sparse induction heads in small language models" OR '
        'ti:"talking head synthesis with diffusion priors"'
    )
    report = result.services["arxiv_title"]
    assert report.status == "ok" and report.counts == {
        "too_short": 1,
        "matched": 2,
        "ambiguous": 0,
        "unmatched": 1,
        "matched_via_s2": 0,
        "s2_title_lookups": 1,
    }
    # the title arXiv did not match was asked of S2's title match too (404 here: no title close)
    [match] = http_server.requests_to(MATCH)
    assert match.query["query"] == ["retrieval heads explain long context factuality"]
    assert [p.paper_id for p in result.papers] == sorted(by_id)


def test_two_arxiv_papers_with_the_title_are_ambiguous_and_not_resolved(
    http_server, fixtures, fast_fetch, tmp_path
):
    http_server.route(QUERY, Reply.file(fixtures / "arxiv_title_ambiguous.xml"))
    papers = [paper(None, "Attention Sinks in Streaming Decoders")]
    result = enrich(
        http_server, tmp_path, fast_fetch, papers, s2={"enabled": False}, hf_hub={"enabled": False}
    )
    assert result.rekeyed == {} and result.papers[0].arxiv_id is None
    assert result.services["arxiv_title"].counts["ambiguous"] == 1


def test_a_truncated_answer_is_asked_again_title_by_title(http_server, fixtures, fast_fetch, tmp_path):
    http_server.route(
        QUERY,
        Reply.file(fixtures / "arxiv_title_truncated.xml"),
        Reply.file(fixtures / "arxiv_title_single.xml"),
    )
    papers = [paper(None, "Decoder Heads for Speech Translation"), paper(None, "Some Other Long Title Here")]
    result = enrich(
        http_server, tmp_path, fast_fetch, papers, s2={"enabled": False}, hf_hub={"enabled": False}
    )
    first, *retries = http_server.requests_to(QUERY)
    assert " OR " in first.query["search_query"][0]
    assert [r.query["search_query"][0] for r in retries] == [
        'ti:"decoder heads for speech translation"',
        'ti:"some other long title here"',
    ]
    assert result.rekeyed == {title_paper_id("Decoder Heads for Speech Translation"): "2406.77777"}


def test_s2_citations_counts_null_slot_and_cited_works_without_a_paper_id(
    http_server, fixtures, fast_fetch, tmp_path, monkeypatch
):
    monkeypatch.setenv("S2_API_KEY", "test-key-not-a-secret")
    serve_all(http_server, fixtures)
    result = enrich(http_server, tmp_path, fast_fetch)

    [call] = http_server.requests_to(BATCH)
    assert call.method == "POST" and call.headers["x-api-key"] == "test-key-not-a-secret"
    assert json.loads(call.body) == {
        "ids": ["arXiv:2405.20001", "arXiv:2406.11111", "arXiv:2406.22222", "arXiv:2406.99999"]
    }
    assert call.query["fields"] == [
        "paperId,externalIds,title,year,citationCount,referenceCount,"
        "references.paperId,references.externalIds,references.title,references.year"
    ]
    pairs = [(c.citing_paper_id, c.cited_paper_id) for c in result.citations]
    assert pairs == [
        ("2405.20001", "1706.03762"),
        ("2405.20001", "2406.11111"),
        ("2405.20001", "s2:c3f0c0ffee0000000000000000000000000000c3"),
        ("2405.20001", title_paper_id("A Mathematical Framework for Transformer Circuits")),
        ("2406.11111", "1706.03762"),
        ("2406.11111", "2405.20001"),
    ]
    external = {c.cited_paper_id: c for c in result.citations}["s2:c3f0c0ffee0000000000000000000000000000c3"]
    assert external.cited_doi == "10.18653/v1/P19-1580" and external.cited_year == 2019
    assert external.cited_arxiv_id is None and external.source == "s2"
    untitled = {c.cited_paper_id: c for c in result.citations}[
        title_paper_id("A Mathematical Framework for Transformer Circuits")
    ]
    assert untitled.cited_s2_id is None and untitled.cited_title.startswith("A Mathematical")
    by_id = {p.paper_id: p for p in result.papers}
    assert (by_id["2405.20001"].s2_paper_id, by_id["2405.20001"].citation_count) == (
        "a1f0c0ffee0000000000000000000000000000a1",
        17,
    )
    assert by_id["2406.99999"].s2_paper_id is None  # the null slot
    report = result.services["s2"]
    assert (report.items, report.done, report.not_found, report.status) == (4, 4, 1, "ok")
    assert report.counts["references_without_identity"] == 1
    summary = result.summary()
    assert (summary["citations"], summary["citations_in_graph"]) == (6, 2)
    # the key reached the server, never the archive
    assert all("test-key-not-a-secret" not in p.read_text() for p in (tmp_path / "archive").rglob("*.json"))


def test_batches_are_at_most_batch_size_ids(http_server, fixtures, fast_fetch, tmp_path):
    body = json.loads((fixtures / "s2_batch.json").read_text())
    http_server.route(
        BATCH,
        Reply(body=json.dumps(body[:2]).encode(), headers={"Content-Type": "application/json"}),
        Reply(body=json.dumps(body[2:]).encode(), headers={"Content-Type": "application/json"}),
    )
    papers = arxiv_papers()
    result = enrich(
        http_server,
        tmp_path,
        fast_fetch,
        papers,
        arxiv={"enabled": False},
        hf_hub={"enabled": False},
        s2={"batch_size": 2},
    )
    assert [len(json.loads(r.body)["ids"]) for r in http_server.requests_to(BATCH)] == [2, 2]
    assert len(result.citations) == 6 and result.services["s2"].not_found == 1


def test_references_at_the_nested_cap_are_paged_with_offset_and_next(
    http_server, fixtures, fast_fetch, tmp_path
):
    http_server.route(BATCH, Reply.file(fixtures / "s2_batch_capped.json"))
    refs = "/graph/v1/paper/f6f0c0ffee0000000000000000000000000000f6/references"
    http_server.route(
        refs,
        Reply.file(fixtures / "s2_references_offset0.json"),
        Reply.file(fixtures / "s2_references_offset2.json"),
    )
    result = enrich(
        http_server,
        tmp_path,
        fast_fetch,
        [paper("2406.88888", "Many References")],
        arxiv={"enabled": False},
        hf_hub={"enabled": False},
        s2={"nested_reference_cap": 2, "reference_page_size": 2},
    )
    assert [r.query["offset"] for r in http_server.requests_to(refs)] == [["0"], ["2"]]
    assert [c.cited_title for c in result.citations][-1].startswith("Does Gender Matter")
    assert len(result.citations) == 3 and result.services["s2"].counts["paged_papers"] == 1


def test_hub_repos_and_links_and_a_404_means_no_repos(http_server, fixtures, fast_fetch, tmp_path):
    serve_all(http_server, fixtures)
    result = enrich(http_server, tmp_path, fast_fetch)
    assert [r.hub_key for r in result.hub_repos] == [
        "dataset:induction-lab/induction-probes",
        "model:induction-lab/sparse-heads-160m",
        "space:induction-lab/head-explorer",
    ]
    model = result.hub_repos[1]
    assert (model.kind, model.repo_id, model.likes, model.downloads, model.pipeline_tag) == (
        "model",
        "induction-lab/sparse-heads-160m",
        12,
        3410,
        "text-generation",
    )
    assert model.last_modified.isoformat() == "2024-06-20T12:31:07+00:00"
    assert result.hub_repos[2].downloads is None and result.hub_repos[2].pipeline_tag is None
    assert [(link.paper_id, link.hub_key) for link in result.links] == [
        ("2405.20001", "dataset:induction-lab/induction-probes"),
        ("2405.20001", "model:induction-lab/sparse-heads-160m"),
        ("2405.20001", "space:induction-lab/head-explorer"),
        ("2406.11111", "model:induction-lab/sparse-heads-160m"),
    ]
    report = result.services["hf_hub"]
    assert (report.items, report.done, report.not_found, report.failed, report.status) == (4, 4, 2, 0, "ok")


def test_hub_listing_endpoint_follows_link_next(http_server, fixtures, fast_fetch, tmp_path):
    page2 = http_server.url("/api/models-page2")
    http_server.route(
        "/api/models",
        Reply.file(fixtures / "hub_models_page1.json", headers={"Link": f'<{page2}>; rel="next"'}),
    )
    http_server.route("/api/models-page2", Reply.file(fixtures / "hub_models_page2.json"))
    http_server.route("/api/datasets", Reply.file(fixtures / "hub_empty_list.json"))
    http_server.route("/api/spaces", Reply.file(fixtures / "hub_empty_list.json"))
    result = enrich(
        http_server,
        tmp_path,
        fast_fetch,
        [paper("2405.20001", "Probing Induction Circuits in Small Transformers")],
        arxiv={"enabled": False},
        s2={"enabled": False},
        hf_hub={"endpoint": "list"},
    )
    [first] = http_server.requests_to("/api/models")
    assert first.query["filter"] == ["arxiv:2405.20001"]
    assert first.query["expand[]"] == ["likes", "downloads", "pipeline_tag", "lastModified"]
    assert len(http_server.requests_to("/api/models-page2")) == 1
    assert [r.hub_key for r in result.hub_repos] == [
        "model:induction-lab/sparse-heads-160m",
        "model:someone/sparse-heads-160m-gguf",
    ]


def test_a_rerun_of_the_date_fetches_nothing_and_gives_the_same_rows(
    http_server, fixtures, fast_fetch, tmp_path
):
    serve_all(http_server, fixtures)
    first = enrich(http_server, tmp_path, fast_fetch)
    sent = len(http_server.log)
    assert first.requests == sent == 1 + 1 + 1 + 4 and first.from_archive == 0  # search, match, batch, hub

    second = enrich(http_server, tmp_path, fast_fetch)
    assert len(http_server.log) == sent  # nothing asked again, the 404s of the Hub included
    assert (second.requests, second.from_archive) == (0, sent)
    assert second.papers == first.papers and second.citations == first.citations
    assert second.hub_repos == first.hub_repos and second.links == first.links
    assert second.rekeyed == first.rekeyed
    sources = {a.source for a in iter_archived(tmp_path / "archive", run_date=RUN)}
    assert sources == {"arxiv_title", "s2", "hf_hub"}


def test_s2_400_is_reported_and_the_rest_goes_on(http_server, fixtures, fast_fetch, tmp_path):
    serve_all(http_server, fixtures)
    http_server.route(BATCH, Reply.file(fixtures / "s2_error_400.json", status=400))
    result = enrich(http_server, tmp_path, fast_fetch)
    report = result.services["s2"]
    assert report.status == "partial" and report.failed == 1 and report.skipped == 4
    assert "HTTP 400" in report.errors[0] and "/graph/v1/paper/batch" in report.errors[0]
    assert result.citations == [] and len(result.links) == 4  # the Hub went on
    assert any(line.startswith("s2: partial") for line in result.unavailable)
    kept = [a for a in iter_archived(tmp_path / "archive", source="s2") if "batch" in a.url]
    assert [a.status for a in kept] == [400]  # the error body is kept for inspection
    # a kept error body is never reused: the next run of the date asks again
    http_server.route(BATCH, Reply.file(fixtures / "s2_batch.json"))
    again = enrich(http_server, tmp_path, fast_fetch)
    assert len(again.citations) == 6 and len(http_server.requests_to(BATCH)) == 2


def test_s2_429_with_retry_after_is_waited_for(http_server, fixtures, fast_fetch, tmp_path):
    http_server.route(
        BATCH,
        Reply.file(fixtures / "s2_error_429.json", status=429, headers={"Retry-After": "1"}),
        Reply.file(fixtures / "s2_batch.json"),
    )
    result = enrich(http_server, tmp_path, fast_fetch, arxiv_papers(), arxiv={"enabled": False})
    first, second = http_server.requests_to(BATCH)
    assert second.at - first.at >= 0.9 and second.body == first.body
    assert result.services["s2"].status == "ok" and len(result.citations) == 6


def test_a_timeout_makes_the_service_unavailable_and_a_later_run_fills_it_in(
    http_server, fixtures, fast_fetch, tmp_path
):
    serve_all(http_server, fixtures)
    http_server.route(BATCH, Reply.file(fixtures / "s2_batch.json", delay=1.0))
    slow = dataclasses.replace(fast_fetch, read_timeout=0.2, max_retries=1)
    result = enrich_papers(
        sample_papers(), RUN, tmp_path / "archive", settings_for(http_server.base_url), slow
    )
    report = result.services["s2"]
    assert report.status == "unavailable" and "timed out" in report.reason.lower()
    assert len(http_server.requests_to(BATCH)) == 2  # one retry, then given up
    assert result.citations == [] and len(result.links) == 4 and len(result.rekeyed) == 2

    http_server.route(BATCH, Reply.file(fixtures / "s2_batch.json"))
    again = enrich(http_server, tmp_path, fast_fetch)
    assert len(again.citations) == 6 and again.services["s2"].requests == 1
    assert again.services["arxiv_title"].requests == 0  # the answered lookups came from the archive


@pytest.mark.parametrize("truncated", [True, False])
def test_truncated_or_invalid_json_is_a_failure_naming_the_url(
    http_server, fixtures, fast_fetch, tmp_path, truncated
):
    body = (fixtures / "s2_batch.json").read_bytes()
    reply = (
        Reply(body=body, headers={"Content-Type": "application/json"}, truncate_to=200)
        if truncated
        else Reply(body=body[:200], headers={"Content-Type": "application/json"})
    )
    serve_all(http_server, fixtures)
    http_server.route(BATCH, reply)
    result = enrich(http_server, tmp_path, fast_fetch)
    report = result.services["s2"]
    assert report.failed >= 1 and result.citations == []
    assert "/graph/v1/paper/batch" in report.errors[0]
    assert ("interrupted" if truncated else "invalid JSON") in report.errors[0]
    assert len(result.links) == 4
    if not truncated:  # a complete body that does not parse is quarantined, not kept for reuse
        [copy] = (tmp_path / "archive" / "quarantine" / "source=s2").rglob("*batch*[0-9a-f].json")
        assert copy.read_bytes() == body[:200]
    # a later run of the date asks again and fills the citations in
    http_server.route(BATCH, Reply.file(fixtures / "s2_batch.json"))
    again = enrich(http_server, tmp_path, fast_fetch)
    assert len(again.citations) == 6 and again.services["s2"].requests == 1


def test_an_unreachable_service_is_skipped_after_one_failure(http_server, fixtures, fast_fetch, tmp_path):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    serve_all(http_server, fixtures)
    result = enrich(http_server, tmp_path, fast_fetch, arxiv_papers(), hf_hub={"base_url": dead})
    report = result.services["hf_hub"]
    assert report.status == "unavailable" and report.reason.startswith("unreachable")
    assert (report.requests, report.failed, report.skipped) == (1, 1, 4)
    assert len(result.citations) == 6  # S2 went on
    assert "hf_hub: unavailable" in result.unavailable[0]


def test_disabled_enrichment_changes_nothing(http_server, tmp_path, fast_fetch):
    papers = sample_papers()
    result = enrich(http_server, tmp_path, fast_fetch, papers, enabled=False)
    assert result.papers == papers and http_server.log == []
    assert {r.status for r in result.services.values()} == {"disabled"}


def test_work_files_round_trip(http_server, fixtures, fast_fetch, tmp_path):
    serve_all(http_server, fixtures)
    result = enrich(http_server, tmp_path, fast_fetch)
    counts = write_enrichment(result, tmp_path / "work")
    assert counts[CITATIONS_FILE] == 6 and counts[PAPERS_FILE] == len(result.papers)
    assert read_citations(tmp_path / "work") == result.citations
    assert read_hub_repos(tmp_path / "work") == result.hub_repos
    assert read_paper_hub_links(tmp_path / "work") == result.links
    assert list(read_records_jsonl(tmp_path / "work" / PAPERS_FILE)) == result.papers
    summary = json.loads((tmp_path / "work" / REPORT_FILE).read_text())
    assert summary["resolved_arxiv_ids"] == 2 and summary["services"]["s2"]["status"] == "ok"


def test_unknown_settings_are_rejected():
    from extract.enrich import EnrichSettings

    with pytest.raises(ValueError, match=r"unknown \[enrich.s2\] settings \['batchsize'\]"):
        EnrichSettings.from_dict({"s2": {"batchsize": 3}})
    with pytest.raises(ValueError, match="endpoint"):
        EnrichSettings.from_dict({"hf_hub": {"endpoint": "graphql"}})


def test_cost_is_computed_from_the_archive_sidecars(http_server, fixtures, fast_fetch, tmp_path):
    from extract.enrich.cost import enrichment_cost

    serve_all(http_server, fixtures)
    enrich(http_server, tmp_path, fast_fetch)
    cost = enrichment_cost(tmp_path / "archive", RUN, papers=6)
    by_service = {s.service: s for s in cost.services}
    # title resolution: one arXiv search and one S2 title match (archived with it), at their hosts' rates
    assert [by_service[s].requests for s in ("arxiv_title", "s2", "hf_hub")] == [2, 1, 4]
    assert by_service["hf_hub"].seconds_at_limit == pytest.approx(3 / (500 / 300))
    assert by_service["arxiv_title"].seconds_at_limit == pytest.approx(3.0)  # 2 requests, 1 wait of 3 s
    assert cost.requests == 7 and cost.per_1000(cost.requests) == pytest.approx(7000 / 6)
    assert cost.lines()[-1].split()[:2] == ["total", "7"]


def test_the_shipped_configuration_has_a_valid_enrich_table():
    import tomllib

    from extract.enrich import EnrichSettings

    repo = Path(__file__).resolve().parents[2]
    raw = tomllib.loads((repo / "config" / "pipeline.toml").read_text())
    settings = EnrichSettings.from_dict(raw["enrich"])
    assert settings.s2.batch_size <= 500 and settings.s2.requests_per_second <= 1.0
    assert settings.arxiv.requests_per_second <= 1 / 3 + 0.001


def test_an_s2_404_is_a_failure_not_a_silent_skip(http_server, fixtures, fast_fetch, tmp_path):
    http_server.route(
        BATCH, Reply(status=404, body=b'{"error":"Not found"}', headers={"Content-Type": "application/json"})
    )
    result = enrich(
        http_server, tmp_path, fast_fetch, arxiv_papers(), arxiv={"enabled": False}, hf_hub={"enabled": False}
    )
    report = result.services["s2"]
    assert report.failed == 1 and report.status == "partial" and "HTTP 404" in report.errors[0]


def test_cited_works_without_arxiv_id_are_recognised_by_s2_id_or_exact_title():
    from extract.enrich.s2 import InGraph, citations_of
    from extract.parsers.s2_json import S2Work

    ingested = [
        dataclasses.replace(
            paper("2405.20001", "Probing Induction Circuits in Small Transformers"), s2_paper_id="aaa"
        ),
        paper(None, "Retrieval Heads Explain Long-Context Factuality"),
        paper(None, "Twin Title Paper Number One"),
        paper(None, "Twin Title: Paper Number One"),  # two ingested papers with one normalised title
    ]
    refs = [
        S2Work("aaa", None, None, "Probing induction circuits (conference version)", 2024),  # by S2 id
        S2Work("bbb", None, "10.1/x", "Retrieval heads explain long-context factuality", 2024),  # by title
        S2Work("ccc", None, None, "Twin Title Paper Number One", 2023),  # ambiguous: stays external
        S2Work("ddd", None, None, "Sora", 2024),  # too short to be recognised by title
    ]
    rows, anonymous = citations_of("2406.11111", refs, InGraph.of(ingested))
    assert [r.cited_paper_id for r in rows] == [
        "2405.20001",
        title_paper_id("Retrieval Heads Explain Long-Context Factuality"),
        "s2:ccc",
        "s2:ddd",
    ]
    assert rows[1].cited_s2_id == "bbb" and rows[1].cited_doi == "10.1/x" and anonymous == 0


def test_a_title_arxiv_missed_is_resolved_by_s2_title_match_on_the_exact_rule(
    http_server, fixtures, fast_fetch, tmp_path
):
    serve_all(http_server, fixtures)
    http_server.route(
        QUERY,
        Reply.file(fixtures / "arxiv_title_search.xml"),
        Reply.file(fixtures / "arxiv_id_2406.12345.xml"),
    )
    http_server.route(MATCH, Reply.file(fixtures / "s2_match.json"))
    result = enrich(http_server, tmp_path, fast_fetch)
    near = title_paper_id("Retrieval Heads Explain Long-Context Factuality")
    assert result.rekeyed[near] == "2406.12345"
    resolved = {p.paper_id: p for p in result.papers}["2406.12345"]
    assert resolved.authors == ["Mira Okafor", "Jonas Lindqvist"] and resolved.categories[0] == "cs.CL"
    assert http_server.requests_to(QUERY)[1].query["id_list"] == ["2406.12345"]
    assert result.services["arxiv_title"].counts["matched_via_s2"] == 1


def test_an_s2_title_match_with_a_different_title_is_rejected(http_server, fixtures, fast_fetch, tmp_path):
    serve_all(http_server, fixtures)
    http_server.route(MATCH, Reply.file(fixtures / "s2_match_near_miss.json"))
    result = enrich(http_server, tmp_path, fast_fetch)
    assert title_paper_id("Retrieval Heads Explain Long-Context Factuality") not in result.rekeyed
    assert len(http_server.requests_to(QUERY)) == 1  # no arXiv id_list lookup for a rejected match


def test_offline_title_only_run_reports_arxiv_unavailable_and_the_rest_idle(
    http_server, fast_fetch, tmp_path
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    papers = [p for p in sample_papers() if p.arxiv_id is None]
    result = enrich(
        http_server,
        tmp_path,
        fast_fetch,
        papers,
        arxiv={"base_url": dead},
        s2={"base_url": dead},
        hf_hub={"base_url": dead},
    )
    statuses = {name: r.status for name, r in result.services.items()}
    assert statuses == {"arxiv_title": "unavailable", "s2": "idle", "hf_hub": "idle"}
    assert result.requests == 1 and result.papers == sorted(papers, key=lambda p: p.paper_id)
    assert result.unavailable == [result.services["arxiv_title"].summary_line()]


def test_title_resolution_alone_does_the_s2_title_match_and_later_tasks_replay_it(
    http_server, fixtures, fast_fetch, tmp_path, monkeypatch
):
    """The DAG runs title resolution as its own task (S2 off), then S2 and the Hub with it replayed."""
    monkeypatch.setenv("S2_API_KEY", "test-key-not-a-secret")
    serve_all(http_server, fixtures)
    http_server.route(
        QUERY,
        Reply.file(fixtures / "arxiv_title_search.xml"),
        Reply.file(fixtures / "arxiv_id_2406.12345.xml"),
    )
    http_server.route(MATCH, Reply.file(fixtures / "s2_match.json"))
    alone = enrich(http_server, tmp_path, fast_fetch, s2={"enabled": False}, hf_hub={"enabled": False})
    assert len(alone.rekeyed) == 3 and alone.services["arxiv_title"].requests == 3
    assert http_server.requests_to(MATCH)[0].headers["x-api-key"] == "test-key-not-a-secret"

    sent = len(http_server.log)
    s2_task = enrich(http_server, tmp_path, fast_fetch, hf_hub={"enabled": False})
    assert len(http_server.log) == sent + 1  # only the batch: resolution came from the archive
    assert s2_task.rekeyed == alone.rekeyed and s2_task.services["arxiv_title"].from_archive == 3
    assert "arXiv:2406.12345" in json.loads(http_server.requests_to(BATCH)[0].body)["ids"]
