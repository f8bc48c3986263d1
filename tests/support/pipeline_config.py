"""A pipeline.toml for a test: data under a temporary folder, the given fetch settings and sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_pipeline_config(
    folder: Path, sources: list[dict[str, Any]], fetch: dict[str, Any] | None = None
) -> Path:
    """`folder/pipeline.toml` with `[paths] data_root = folder/data`; values written as TOML literals."""

    def table(values: dict[str, Any]) -> str:
        return "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())

    text = f"[paths]\n{table({'data_root': str(folder / 'data')})}"
    if fetch:
        text += f"\n[fetch]\n{table(fetch)}"
    for source in sources:
        text += f"\n[[sources]]\n{table(source)}"
    path = folder / "pipeline.toml"
    path.write_text(text)
    return path
