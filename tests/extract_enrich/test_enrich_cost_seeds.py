"""The seed dumps (201 title-only papers) enriched against simulated services: requests follow the formula.

Run with `-s` to see the cost table (requests and seconds at the documented rate limits, per 1,000
papers) computed from the archive sidecars of the run.
"""

from __future__ import annotations

import math

import pytest

from extract.clean import normalise_title
from extract.enrich import enrich_papers
from extract.enrich.cost import enrichment_cost
from extract.parse import parse_paths
from tests.extract_enrich.conftest import RUN, settings_for
from tests.support.enrich_services import SimulatedServices, WorldPaper

pytestmark = pytest.mark.shared


def test_seed_corpus_enrichment_requests_follow_the_cost_formula(shared, http_server, tmp_path, capsys):
    from extract.fetch import FetchSettings

    papers = parse_paths([shared / "seeds"]).records
    title_only = [p for p in papers if p.arxiv_id is None]
    # every second seed title is "on arXiv"; each of those cites the previous one and one outside work
    world = []
    for n, p in enumerate(sorted(title_only, key=lambda r: normalise_title(r.title))[::2]):
        refs = [
            {
                "paperId": f"ext{n:05d}",
                "externalIds": {"DOI": f"10.1/x{n}"},
                "title": f"Outside {n}",
                "year": 2020,
            }
        ]
        if world:
            refs.append(
                {
                    "paperId": world[-1].s2_id,
                    "externalIds": {"ArXiv": world[-1].arxiv_id},
                    "title": world[-1].title,
                    "year": 2024,
                }
            )
        world.append(
            WorldPaper(
                f"2407.{n:05d}",
                p.title,
                s2_id=f"s2sim{n:05d}",
                references=refs,
                repos={"models": [{"id": f"lab/model-{n}", "likes": n, "downloads": 10 * n}]}
                if n % 10 == 0
                else {},
            )
        )
    SimulatedServices(http_server, world)
    fetch = FetchSettings(
        requests_per_second=0, host_requests_per_second={}, max_retries=1, backoff_factor=0.01
    )
    result = enrich_papers(papers, RUN, tmp_path, settings_for(http_server.base_url), fetch)

    titles = {normalise_title(p.title) for p in title_only if len(normalise_title(p.title).split()) >= 3}
    resolved = sum(1 for p in result.papers if p.arxiv_id)
    assert len(result.rekeyed) == len(world) and resolved == len(world)
    unmatched = len(titles) - resolved  # asked of S2's title match, one request each
    expected = math.ceil(len(titles) / 10) + unmatched + math.ceil(resolved / 500) + resolved
    assert result.requests == len(http_server.log) == expected
    assert len(result.citations) == 2 * len(world) - 1
    assert len(result.links) == math.ceil(len(world) / 10)

    cost = enrichment_cost(tmp_path, RUN, papers=len(papers))
    assert cost.requests == expected
    with capsys.disabled():
        print("\n" + "\n".join(cost.lines()))
