from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extract.enrich import EnrichSettings
from extract.fetch import FetchSettings
from extract.records import PaperRecord
from tests.support.fetch_settings import fast_fetch_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "enrich"
RUN = date(2024, 6, 10)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def fast_fetch() -> FetchSettings:
    """Short timeouts, tiny backoff and no rate limit, so retry tests stay fast."""
    return fast_fetch_settings()


def settings_for(base_url: str, **overrides: dict) -> EnrichSettings:
    """Every service pointed at the local server, without rate limits."""
    tables = {
        "arxiv": {"base_url": base_url, "requests_per_second": 0},
        "s2": {"base_url": base_url, "requests_per_second": 0},
        "hf_hub": {"base_url": base_url, "requests_per_second": 0},
    }
    for name, values in overrides.items():
        if name in tables:
            tables[name].update(values)
    top = {k: v for k, v in overrides.items() if k not in tables}
    return EnrichSettings.from_dict({**top, **tables})


def paper(paper_id: str | None, title: str, **fields: object) -> PaperRecord:
    from extract.clean import title_paper_id

    return PaperRecord(
        paper_id=paper_id or title_paper_id(title),
        title=title,
        arxiv_id=paper_id,
        source=str(fields.pop("source", "dump")),
        source_url=f"/saved/{title[:10]}.txt",
        sources=[f"/saved/{title[:10]}.txt"],
        **fields,  # type: ignore[arg-type]
    )


def sample_papers() -> list[PaperRecord]:
    return [
        paper("2405.20001", "Probing Induction Circuits in Small Transformers", source="hf_daily"),
        paper(None, "Sparse Induction Heads in Small Language Models", abstract="We locate sparse heads."),
        paper(None, "Talking-Head Synthesis with Diffusion Priors"),
        paper(None, "Retrieval Heads Explain Long-Context Factuality"),
        paper("2406.99999", "A Paper Semantic Scholar Does Not Know", source="hf_daily"),
        paper(None, "Sora"),
    ]
