"""The import direction the layout keeps: dags, plugins, scripts -> paper_graph -> graph -> extract."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# package -> top-level names its modules must never import
FORBIDDEN = {
    "extract": {"graph", "paper_graph", "dags", "plugins", "scripts", "airflow"},
    "graph": {"paper_graph", "dags", "plugins", "scripts", "airflow"},
    "paper_graph": {"dags", "plugins", "scripts", "airflow"},
}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported(path) & FORBIDDEN[package])
        for path in sorted((REPO / package).rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_dags_and_plugins_reach_the_packages_through_paper_graph_or_graph() -> None:
    for folder in ("dags", "plugins"):
        for path in (REPO / folder).glob("*.py"):
            assert "extract" not in _imported(path), f"{path.name} imports extract directly"
