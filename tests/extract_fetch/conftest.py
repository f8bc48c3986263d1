from __future__ import annotations

from pathlib import Path

import pytest

from extract.fetch import FetchSettings
from tests.support.fetch_settings import fast_fetch_settings

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


@pytest.fixture
def pages() -> Path:
    return PAGES


@pytest.fixture
def fast_settings() -> FetchSettings:
    """Short timeouts, tiny backoff and no rate limit, so retry tests stay fast."""
    return fast_fetch_settings()
