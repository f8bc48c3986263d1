"""Session-wide test set-up: a project-local Airflow home, real servers as fixtures, ../shared lookup."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Airflow reads its configuration when first imported: point it at a throw-away home for this session.
_airflow_home = Path(tempfile.mkdtemp(prefix="pg-airflow-test-"))
os.environ["AIRFLOW_HOME"] = str(_airflow_home)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_airflow_home}/airflow.db"
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", "test-only-" + "x" * 40)

pytest_plugins = ["tests.support.neo4j_server", "tests.support.http_server"]


def shared_dir() -> Path:
    return Path(os.environ.get("PAPER_GRAPH_SHARED", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared (or $PAPER_GRAPH_SHARED); tests needing it skip with a reason when it is absent."""
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} is absent (set PAPER_GRAPH_SHARED)")
    return path


@pytest.fixture(scope="session")
def airflow_home() -> Path:
    """The session's Airflow home, with its SQLite metadata database migrated."""
    from airflow.utils import db

    db.resetdb()
    return _airflow_home
