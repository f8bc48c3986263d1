"""The one reader of the pattern data files (patterns/*.jsonl): one JSON object a line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


class PatternFileError(ValueError):
    """A pattern data file is missing or malformed (the message names the file and line)."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-blank line of `path`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise PatternFileError(f"{path}: pattern file not found") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PatternFileError(f"{path}:{number}: invalid JSON: {exc}") from exc
        if not isinstance(row, dict):
            raise PatternFileError(f"{path}:{number}: expected an object, got {type(row).__name__}")
        yield number, row
