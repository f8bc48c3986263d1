"""Bad input among good pages: the fixture pages (real formats) plus hand-made bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
CLI = Path(sys.executable).parent / "paper-graph"


@pytest.fixture
def pages() -> Path:
    return PAGES


def hf_item(arxiv_id: str, title: str | None, upvotes: object = 1, abstract: str = "An abstract.") -> dict:
    """One daily_papers list item in the Hugging Face API's shape."""
    paper: dict[str, object] = {"id": arxiv_id, "summary": abstract, "upvotes": upvotes, "authors": []}
    if title is not None:
        paper["title"] = title
    return {"paper": paper, "publishedAt": "2024-06-01T00:00:00.000Z"}


def write_json(path: Path, value: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def run_cli(*args: str, stdin: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`paper-graph ARGS` as a person runs it: a subprocess of the installed entry point."""
    result = subprocess.run([str(CLI), *args], input=stdin, capture_output=True, timeout=timeout, check=False)
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode(errors="replace"),
        result.stderr.decode(errors="replace"),
    )
