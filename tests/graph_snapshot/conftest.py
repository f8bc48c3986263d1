from __future__ import annotations

from typing import Any

import pytest

from tests.graph_snapshot import fixture_rows


@pytest.fixture(scope="module")
def tables() -> dict[str, list[Any]]:
    return fixture_rows.all_tables()
