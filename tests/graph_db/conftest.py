from __future__ import annotations

from pathlib import Path

import pytest

from graph.snapshot import Snapshot
from tests.graph_db.fixture_snapshot import write_fixture_snapshot


@pytest.fixture(scope="session")
def snapshot_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both fixture snapshots, written once as real Parquet snapshots."""
    root = tmp_path_factory.mktemp("snapshots")
    write_fixture_snapshot(root, "v1")
    write_fixture_snapshot(root, "v2")
    return root


@pytest.fixture
def v1(snapshot_root: Path) -> Snapshot:
    from graph.snapshot import open_snapshot

    return open_snapshot(snapshot_root, "2024-03-31")


@pytest.fixture
def v2(snapshot_root: Path) -> Snapshot:
    from graph.snapshot import open_snapshot

    return open_snapshot(snapshot_root, "2024-04-30")
