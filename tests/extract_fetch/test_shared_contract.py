"""Contract: every recorded real response in ../shared/fixtures parses to the item count its README gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract.errors import ArxivApiError
from extract.parse import parse_file

pytestmark = pytest.mark.shared


def readme_counts(fixtures: Path) -> dict[str, int]:
    """file (relative to fixtures/) -> items, from the README tables (and its hf_html paragraph)."""
    counts: dict[str, int] = {}
    for line in (fixtures / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4:
            continue
        if re.fullmatch(r"hf_(daily|search)/[\w.-]+\.json", cells[0]) and cells[2].isdigit():
            counts[cells[0]] = int(cells[2])
        elif re.fullmatch(r"[\w.-]+_[0-9a-f]{12}", cells[0]) and cells[1].strip("*").isdigit():
            counts[f"arxiv/{cells[0]}.xml"] = int(cells[3])
            counts[f"arxiv/recorded/{cells[0]}.json"] = int(cells[3])
    html_items = re.search(
        r"`dailyPapers` has (\d+) items", (fixtures / "README.md").read_text(encoding="utf-8")
    )
    assert html_items, "README no longer states the hf_html item count"
    counts["hf_html/papers_2024-08-01.html"] = int(html_items.group(1))
    return counts


def error_feeds(fixtures: Path) -> set[str]:
    """Fixtures recorded with status 400 (the arXiv error feed)."""
    names = re.findall(r"^\| (\S+) \| \*\*400\*\* \|", (fixtures / "README.md").read_text(), flags=re.M)
    return {f"arxiv/{n}.xml" for n in names} | {f"arxiv/recorded/{n}.json" for n in names}


def test_every_fixture_parses_to_its_readme_count(shared):
    fixtures = shared / "fixtures"
    expected, errors = readme_counts(fixtures), error_feeds(fixtures)
    assert len(expected) == 10 + 2 + 1 + 2 * 20 and errors  # the README tables were read
    files = sorted(
        str(p.relative_to(fixtures)) for p in fixtures.rglob("*") if p.is_file() and p.name != "README.md"
    )
    assert set(files) == set(expected), "a fixture file is missing from the README tables, or the reverse"

    for name in files:
        path = fixtures / name
        if name in errors:
            with pytest.raises(ArxivApiError, match="incorrect id format for abc"):
                parse_file(path)
            continue
        records = parse_file(path)
        assert len(records) == expected[name], name
        assert all(r.title and r.paper_id for r in records), name
        assert all(r.arxiv_id == r.paper_id for r in records), name  # every real response carries arXiv ids


def test_stress_cases(shared):
    fixtures = shared / "fixtures"
    llama = parse_file(fixtures / "hf_search" / "search_q_llama_3_herd.json")[0]
    assert (llama.paper_id, llama.title, llama.author_count) == (
        "2407.21783",
        "The Llama 3 Herd of Models",
        533,
    )
    [zero] = parse_file(fixtures / "arxiv" / "id_2104.12255v1_s0_m100_6ae69987ffe1.xml")
    assert (zero.paper_id, zero.title) == ("2104.12255", "0")
    [old] = parse_file(fixtures / "arxiv" / "id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml")
    assert old.paper_id == "quant-ph/0201082"
    [workshop] = parse_file(fixtures / "arxiv" / "id_1707.08567_s0_m100_6a1afebfc6a3.xml")
    assert workshop.categories.count("cs.IT") == 1 and workshop.author_count == 34
    page = parse_file(fixtures / "arxiv" / "q_testing_s0_m100_cfe7536492ca.xml")
    assert all(r.abstract == r.abstract.strip() and "\n" not in r.abstract for r in page)
    html_ids = {r.paper_id for r in parse_file(fixtures / "hf_html" / "papers_2024-08-01.html")}
    api_ids = {r.paper_id for r in parse_file(fixtures / "hf_daily" / "2024-08-01.json")}
    assert html_ids - api_ids == {"2404.01300", "2407.20229"} and api_ids <= html_ids
