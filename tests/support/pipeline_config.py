"""A pipeline.toml for a test: data under a temporary folder, the given settings and sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHARDS_LISTING = Path(__file__).resolve().parents[1] / "fixtures" / "shards" / "listing.txt"  # 13 papers


def write_pipeline_config(
    folder: Path,
    sources: list[dict[str, Any]],
    fetch: dict[str, Any] | None = None,
    sections: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """`folder/pipeline.toml` with `[paths] data_root = folder/data`, `[fetch]`, any other `sections`
    (`{"extract": {"shard_size": 4}}`) and the sources; values written as TOML literals."""

    def table(values: dict[str, Any]) -> str:
        return "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())

    text = f"[paths]\n{table({'data_root': str(folder / 'data')})}"
    if fetch:
        text += f"\n[fetch]\n{table(fetch)}"
    for name, values in (sections or {}).items():
        text += f"\n[{name}]\n{table(values)}"
    for source in sources:
        text += f"\n[[sources]]\n{table(source)}"
    path = folder / "pipeline.toml"
    path.write_text(text)
    return path


def write_shards_config(folder: Path, shard_size: int | None = None) -> Path:
    """The saved 13-paper listing alone (no enrichment services), in shards of `shard_size` papers
    (the configured default when None)."""
    folder.mkdir(parents=True, exist_ok=True)
    sections: dict[str, dict[str, Any]] = {"enrich": {"enabled": False}}
    if shard_size:
        sections["extract"] = {"shard_size": shard_size}
    source = {"name": "saved", "kind": "dump", "path": str(SHARDS_LISTING)}
    return write_pipeline_config(folder, [source], sections=sections)
