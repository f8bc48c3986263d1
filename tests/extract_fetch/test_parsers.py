"""Parsers on hand-written pages in the real formats, cleaning, dedupe and the JSONL round trip."""

from __future__ import annotations

from datetime import date

import pytest

from extract.clean import clean_text, normalise_title, strip_subscribe, title_paper_id
from extract.dedupe import dedupe
from extract.errors import ArxivApiError, ParseError
from extract.jsonl import read_records_jsonl, write_records_jsonl
from extract.parse import parse_paths
from extract.parsers import detect_format, parse_body


def parse(pages, name, **kwargs):
    return parse_body((pages / name).read_bytes(), name, **kwargs)


def test_hf_daily_items(pages):
    first, second = parse(pages, "hf_daily_2024-06-03.json")
    assert first.paper_id == first.arxiv_id == "2406.01234"
    assert (
        first.title == "EchoFace: Audio-Driven Talking Heads with Sparse Gaussian Avatars"
    )  # hard break joined
    assert first.abstract.endswith("than SadTalker on HDTF & VoxCeleb2.")  # entity decoded
    assert "5\\% lower" in first.abstract  # LaTeX escape kept by default
    assert first.authors == ["Mira Okafor", "Tomas Lindqvist", "Wen Zhao"] and first.author_count == 3
    assert (first.published_at, first.upvotes) == (date(2024, 6, 1), 42)
    assert first.github_repo == "https://github.com/example/echoface"
    assert first.project_page == "https://example.org/echoface"
    assert (second.github_repo, second.upvotes) == (None, 7)


def test_latex_unescape_is_opt_in(pages):
    [first, _] = parse(pages, "hf_daily_2024-06-03.json", unescape_latex=True)
    assert "5% lower" in first.abstract


def test_hf_search_and_single_paper(pages):
    assert [r.paper_id for r in parse(pages, "hf_search_talking_head.json")] == ["2406.01234", "2311.09999"]
    [paper] = parse(pages, "hf_paper_2405.20001.json")
    assert (paper.paper_id, paper.author_count, paper.upvotes) == ("2405.20001", 2, 9)


def test_hf_html_data_props_and_visible_fallback(pages):
    from_props = parse(pages, "hf_papers_2024-06-03.html")
    assert [r.paper_id for r in from_props] == ["2406.01234", "2405.20001"]
    assert from_props[0].abstract.startswith("We present EchoFace")
    fallback = parse(pages, "hf_papers_no_props.html")
    assert [(r.paper_id, r.title) for r in fallback] == [
        ("2406.01234", "EchoFace: Audio-Driven Talking Heads with Sparse Gaussian Avatars"),
        ("2405.20001", "Probing Induction Circuits in Small Transformers & Friends"),
    ]
    assert all(r.abstract == "" for r in fallback)


def test_arxiv_feed_new_and_old_form(pages):
    [paper] = parse(pages, "arxiv_id_2405.20001.xml")
    assert paper.paper_id == "2405.20001"  # version dropped
    assert paper.categories == ["cs.LG", "cs.CL"]  # primary first, repeats removed
    assert paper.authors == ["Ada Brennan", "Rui Costa", "Lena Vogt"]
    [old] = parse(pages, "arxiv_old_form.xml")
    assert old.paper_id == "hep-th/9901001" and old.title == "A Toy Model of Brane Dynamics"
    assert old.abstract.startswith("We study a toy model") and "\n" not in old.abstract
    assert old.published_at == date(1999, 1, 4)


def test_arxiv_error_feed_and_empty_feed(pages):
    with pytest.raises(ArxivApiError, match="incorrect id format for notanid"):
        parse(pages, "arxiv_error.xml")
    assert parse(pages, "arxiv_empty.xml") == []


def test_text_dump_compact_layout(pages):
    records = parse(pages, "dump_compact.txt")
    assert [r.title for r in records] == [
        "EchoFace: Audio-Driven Talking Heads with Sparse Gaussian Avatars",  # "Subscribe" removed
        "Probing Induction Circuits in Small Transformers",
        "subscriber churn prediction with gradient boosting",
    ]
    assert "5\\% of the heads and calls get\\_head(X)." in records[0].abstract
    assert records[2].abstract == "We predict churn & retention."
    assert all(r.paper_id.startswith("title:") and r.arxiv_id is None for r in records)


def test_text_dump_spaced_layout_with_meta(pages):
    echo, bench, probing = parse(pages, "dump_spaced.txt")
    assert (echo.author_count, echo.published_at, echo.upvotes) == (3, date(2024, 6, 1), 42)
    assert (bench.author_count, bench.published_at, bench.upvotes) == (0, None, None)
    assert probing.title == "Probing Induction Circuits in Small Transformers"  # line break joined
    assert (
        probing.abstract
        == "Induction heads are found in two-layer attention-only models; we trace how they form."
    )
    assert (probing.author_count, probing.published_at, probing.upvotes) == (
        1,
        None,
        7,
    )  # "May 30 7": no year


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"just some notes\nwithout a header\n", "no 'Subscribe' header"),
        (b"Subscribe\nOnly a title\n", "title without its abstract"),
        (b"Subscribe\n\nA title\n\n  \xe2\x80\xa2 3 authors\n", "has no abstract block"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_text_dumps_raise_parse_error(text, reason):
    with pytest.raises(ParseError, match=reason) as caught:
        parse_body(text, "bad.txt", fmt="text_dump")
    assert caught.value.path_or_url == "bad.txt"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'[{"paper": {"id": "2406.0', "invalid JSON"),
        (b'{"unexpected": true}', "not a Hugging Face paper list"),
        (b'[{"paper": {"id": "2406.01234", "summary": "no title"}}]', "item 0 has no title"),
        (b'[{"paper": {"title": "T", "authors": "Ann"}}]', "authors is a str"),
        (b'{"error": "Not Found"}', "Hugging Face API error: Not Found"),
    ],
)
def test_bad_json_raises_parse_error(body, reason):
    with pytest.raises(ParseError, match=reason):
        parse_body(body, "bad.json")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "invalid XML"),
        (b"<?xml version='1.0'?><rss/>", "expected an Atom <feed>"),
        (b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa">]><feed/>', "DTD"),
    ],
)
def test_bad_xml_raises_parse_error(body, reason):
    with pytest.raises(ParseError, match=reason):
        parse_body(body, "bad.xml", fmt="arxiv_atom")


def test_html_without_paper_data_raises_parse_error():
    with pytest.raises(ParseError, match="no DailyPapers data-props and no paper links"):
        parse_body(b"<html><body><h1>Login</h1></body></html>", "login.html")


def test_detect_format():
    assert detect_format(b'\xef\xbb\xbf  [{"paper": {}}]') == "hf_json"
    assert detect_format(b"<?xml version='1.0'?>\n<feed>") == "arxiv_atom"
    assert detect_format(b"<!doctype html><html>") == "hf_html"
    assert detect_format(b"Get trending papers\nSubscribeA title") == "text_dump"


def test_cleaning_keeps_meaning():
    assert clean_text("A  title\n  broken\tacross lines ") == "A title broken across lines"
    assert clean_text("R&D &amp; Q&amp;A &#39;quoted&#39;") == "R&D & Q&A 'quoted'"
    assert clean_text("5\\% and get\\_capital") == "5\\% and get\\_capital"
    assert clean_text("5\\% and get\\_capital and \\&", latex=True) == "5% and get_capital and &"
    assert strip_subscribe("SubscribeFaceTalk: x") == "FaceTalk: x"
    assert strip_subscribe("Subscriber models") is None
    assert normalise_title("  FaceTalk:  Audio-Driven\nMotion ") == "facetalk audio driven motion"
    assert title_paper_id("FaceTalk: Audio-Driven") == title_paper_id("facetalk  audio driven")


def test_dedupe_merges_across_sources_and_links_titles(pages):
    result = parse_paths(
        [
            pages / n
            for n in (
                "dump_spaced.txt",
                "hf_search_talking_head.json",
                "arxiv_id_2405.20001.xml",
                "hf_daily_2024-06-03.json",
            )
        ],
        order="paper_id",
    )
    by_id = {r.paper_id: r for r in result.records}
    assert list(by_id) == sorted(by_id)
    assert set(by_id) == {"2311.09999", "2405.20001", "2406.01234"}
    echo = by_id["2406.01234"]
    assert echo.upvotes == 44  # max over the sources
    assert echo.abstract.startswith("We present EchoFace, a method")  # the longer abstract
    assert echo.author_count == 3 and len(echo.sources) == 3
    probing = by_id["2405.20001"]
    assert probing.categories == ["cs.LG", "cs.CL"] and len(probing.authors) == 3
    assert probing.source == "dump"  # first seen
    assert result.duplicates == result.parsed - 3


def test_dedupe_is_deterministic_and_keeps_distinct_ids(pages):
    records = parse(pages, "hf_daily_2024-06-03.json") + parse(pages, "dump_compact.txt")
    forward, backward = dedupe(records), dedupe(list(reversed(records)))
    assert [r.paper_id for r in forward] == [r.paper_id for r in backward]
    assert [r.abstract for r in forward] == [r.abstract for r in backward]
    twin = parse_body(
        b'[{"paper": {"id": "2101.00001", "title": "Probing Induction Circuits in Small Transformers"}}]', "x"
    )
    ids = [r.paper_id for r in dedupe(records + twin)]
    assert "2101.00001" in ids and "2405.20001" in ids  # same title, two arXiv ids: two papers


def test_jsonl_round_trip(pages, tmp_path):
    records = dedupe(parse(pages, "hf_daily_2024-06-03.json") + parse(pages, "dump_spaced.txt"))
    target = tmp_path / "papers.jsonl"
    assert write_records_jsonl(iter(records), target) == len(records)
    assert list(read_records_jsonl(target)) == records
    target.write_text('{"paper_id": "x", "title": "t", "published_at": "not a date"}\n')
    with pytest.raises(ParseError, match="papers.jsonl:1"):
        list(read_records_jsonl(target))
