"""Property: whatever the input, a parser returns records or raises its typed ParseError, nothing else."""

from __future__ import annotations

import html
import json
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.errors import ParseError
from extract.parsers import PARSERS, parse_body
from extract.records import PaperRecord

FORMATS = sorted(PARSERS)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
paper_keys = st.sampled_from(["id", "title", "summary", "authors", "publishedAt", "upvotes", "githubRepo"])
scalars = st.none() | st.integers() | st.text(max_size=30)
authors = st.lists(st.one_of(st.fixed_dictionaries({"name": scalars}), scalars), max_size=3)
# Mostly well-formed papers with odd values, plus fully random objects.
plausible_paper = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=40)},
    optional={
        "id": st.sampled_from(["2405.15738", "2405.15738v3", "hep-th/9901001", "nope"]) | scalars,
        "summary": scalars,
        "authors": authors | scalars,
        "publishedAt": st.sampled_from(["2024-05-24T17:34:15.000Z", "2024-13-45", ""]) | scalars,
        "upvotes": scalars | st.floats(allow_nan=False, allow_infinity=False) | st.booleans(),
        "githubRepo": scalars,
    },
)
paper_like = plausible_paper | st.dictionaries(paper_keys, json_values, max_size=8)
hf_like = (
    st.lists(
        st.one_of(st.fixed_dictionaries({"paper": paper_like}, optional={"title": json_values}), json_values),
        max_size=4,
    )
    | paper_like
    | st.fixed_dictionaries(
        {"dailyPapers": st.lists(st.fixed_dictionaries({"paper": paper_like}), max_size=3)}
    )
)

dump_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "",
                "Subscribe",
                "new",
                "Daily Papers",
                "  • 3 authors",
                "·",
                "Sep 22 2",
                "Dec 13, 2023",
                "Feb 30, 2024 5",
            ]
        ),
        st.text(max_size=40).map(lambda t: t.replace("\n", " ")),
        st.text(min_size=1, max_size=30).map(lambda t: "Subscribe" + t.replace("\n", " ")),
    ),
    max_size=14,
)

atom_entry = st.builds(
    lambda id_, title, summary, author, day: (
        f"<entry><id>{escape(id_)}</id><title>{escape(title)}</title><summary>{escape(summary)}</summary>"
        f"<published>{escape(day)}</published><author><name>{escape(author)}</name></author>"
        f'<category term="{escape(title, {chr(34): "&quot;"})}"/></entry>'
    ),
    st.one_of(
        st.sampled_from(["http://arxiv.org/abs/2405.15738v2", "https://arxiv.org/api/errors#x", "urn:x"]),
        st.text(max_size=20),
    ),
    st.text(max_size=20),
    st.text(max_size=40),
    st.text(max_size=10),
    st.text(max_size=20),
)


def check(body: bytes, fmt: str | None) -> None:
    try:
        records = parse_body(body, "prop", fmt=fmt)
    except ParseError as error:
        assert error.path_or_url == "prop" and error.reason
        return
    assert all(isinstance(r, PaperRecord) and r.title and r.paper_id for r in records)


@SETTINGS
@given(body=st.binary(max_size=400), fmt=st.sampled_from([None, *FORMATS]))
def test_any_bytes(body, fmt):
    check(body, fmt)


@SETTINGS
@given(data=st.one_of(hf_like, json_values))
def test_json_shapes(data):
    check(json.dumps(data).encode(), "hf_json")


@SETTINGS
@given(props=st.one_of(hf_like, json_values), raw=st.text(max_size=30), fallback=st.text(max_size=30))
def test_html_pages(props, raw, fallback):
    page = (
        f'<html><body><div data-target="DailyPapers" data-props="{html.escape(json.dumps(props))}"></div>'
        f'<div data-target="DailyPapers" data-props="{html.escape(raw)}"></div></body></html>'
    )
    check(page.encode(), "hf_html")
    links = f'<html><h3><a href="/papers/{html.escape(raw)}">{html.escape(fallback)}</a></h3></html>'
    check(links.encode(), "hf_html")


@SETTINGS
@given(lines=dump_lines)
def test_text_dumps(lines):
    check("\n".join(lines).encode(), "text_dump")


@SETTINGS
@given(
    entries=st.lists(atom_entry, max_size=3),
    total=st.text(max_size=5),
    junk=st.sampled_from(["", "<entry>", "</feed>", "&bad;"]),
)
def test_atom_feeds(entries, total, junk):
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"<opensearch:totalResults>{escape(total)}</opensearch:totalResults>{''.join(entries)}{junk}</feed>"
    )
    check(feed.encode(), "arxiv_atom")
