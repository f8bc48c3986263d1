"""Property (issue 15): random corruptions of real pages, mixed with the good pages, never crash the
dump source + parse (the pipeline's fetch and parse steps) and never lose a paper of a good page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.clean import normalise_title
from extract.parse import parse_archived, parse_paths
from extract.records import PaperRecord
from extract.sources import fetch_source
from tests.robustness.conftest import PAGES

GOOD_PAGES = sorted(
    p for p in PAGES.iterdir() if not p.name.startswith(("robots_", "arxiv_error", "arxiv_empty"))
)


def identities(records: list[PaperRecord]) -> set[str]:
    """A paper is known by its arXiv id, or by its normalised title when it has none."""
    return {r.arxiv_id or normalise_title(r.title) for r in records}


def known(records: list[PaperRecord]) -> set[str]:
    return {r.arxiv_id for r in records if r.arxiv_id} | {normalise_title(r.title) for r in records}


GOOD_PAPERS = identities(parse_paths(GOOD_PAGES).records)


@st.composite
def corrupted(draw: st.DrawFn) -> bytes:
    """A fixture page with one or more random edits: cut, byte flips, junk inserted, region dropped."""
    body = bytearray(draw(st.sampled_from(GOOD_PAGES)).read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(body)))
        edit = draw(st.sampled_from(["truncate", "flip", "insert", "drop", "invalid_utf8", "duplicate"]))
        if edit == "truncate":
            del body[at:]
        elif edit == "flip" and body:
            for i in draw(st.lists(st.integers(0, len(body) - 1), min_size=1, max_size=8)):
                body[i] = draw(st.integers(0, 255))
        elif edit == "insert":
            body[at:at] = draw(
                st.binary(min_size=1, max_size=40) | st.sampled_from([b'"', b"{", b"<", b"\n\n"])
            )
        elif edit == "drop":
            del body[at : at + draw(st.integers(1, 200))]
        elif edit == "invalid_utf8":
            body[at:at] = b"\xff\xfe\xc3"
        elif edit == "duplicate":
            body[at:at] = body[at : at + draw(st.integers(1, 300))]
    return bytes(body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bad=st.lists(
        st.tuples(corrupted(), st.sampled_from([".txt", ".json", ".html", ".xml"])), min_size=1, max_size=5
    ),
    same_names=st.booleans(),
)
def test_corrupted_pages_never_crash_the_run_nor_lose_a_good_paper(bad, same_names):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dump"
        for index, page in enumerate(GOOD_PAGES):
            target = folder / "good" / (page.name if not same_names else f"{index}/page{page.suffix}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.read_bytes())
        for index, (body, suffix) in enumerate(bad):
            target = folder / "bad" / (f"{index}{suffix}" if not same_names else f"{index}/page{suffix}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        report = fetch_source(
            {"name": "dump", "kind": "dump", "path": str(folder)}, "2024-06-01", Path(tmp) / "a"
        )
        assert report.archived == len(GOOD_PAGES) + len(bad)
        result = parse_archived(report.paths)
        assert known(result.records) >= GOOD_PAPERS
        assert len(result.files) == report.archived
