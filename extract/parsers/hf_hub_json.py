"""Hugging Face Hub API bodies: repository objects that cite papers through `arxiv:<id>` tags.

- `GET /api/models?filter=arxiv:<id>` (and /api/datasets, /api/spaces): a JSON array of repo objects;
- `GET /api/arxiv/<id>/repos`: `{"models": [...], "datasets": [...], "spaces": [...]}`;
- a repo object (as recorded for `GET /api/models/{repo_id}`): `{id, likes, downloads, pipeline_tag,
  lastModified, tags, ...}`; datasets and Spaces have no pipeline_tag, Spaces no downloads.
Unknown keys are ignored; a repo without an `id` is an error naming the body.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from extract.errors import ParseError
from extract.parsers.common import optional_int, optional_str
from extract.records import HubRepo

KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}


def load_hub_json(body: bytes, origin: str) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ParseError(origin, f"Hub body is not UTF-8: {exc}") from exc
    except ValueError as exc:
        raise ParseError(origin, f"invalid JSON (truncated?): {exc}") from exc


def parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def repo_from_object(value: Any, kind: str, origin: str, where: str) -> HubRepo:
    if not isinstance(value, dict):
        raise ParseError(origin, f"{where} is a {type(value).__name__}, expected a repo object")
    repo_id = optional_str(value.get("id")) or optional_str(value.get("modelId"))
    if not repo_id:
        raise ParseError(origin, f"{where} has no repo id")
    return HubRepo(
        hub_key=f"{kind}:{repo_id}",
        kind=kind,
        repo_id=repo_id,
        likes=optional_int(value.get("likes")),
        downloads=optional_int(value.get("downloads")),
        pipeline_tag=optional_str(value.get("pipeline_tag")),
        last_modified=parse_timestamp(value.get("lastModified")),
    )


def parse_repo_list(body: bytes, origin: str, kind: str) -> list[HubRepo]:
    """A `/api/{models,datasets,spaces}` listing (a JSON array of repo objects of one kind)."""
    data = load_hub_json(body, origin)
    if isinstance(data, dict) and "error" in data:
        raise ParseError(origin, f"Hub error: {data['error']}")
    if not isinstance(data, list):
        raise ParseError(origin, f"listing is a {type(data).__name__}, expected a JSON array")
    return [repo_from_object(item, kind, origin, f"item {i}") for i, item in enumerate(data)]


def parse_arxiv_repos(body: bytes, origin: str) -> list[HubRepo]:
    """`/api/arxiv/<id>/repos`: every model, dataset and Space of the answer."""
    data = load_hub_json(body, origin)
    if not isinstance(data, dict):
        raise ParseError(origin, f"arxiv repos answer is a {type(data).__name__}, expected an object")
    repos: list[HubRepo] = []
    for key, kind in KINDS.items():
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ParseError(origin, f"`{key}` is not a list")
        repos += [repo_from_object(item, kind, origin, f"{key}[{i}]") for i, item in enumerate(items)]
    return repos


def cited_arxiv_ids(value: dict[str, Any]) -> list[str]:
    """The arXiv ids a repo object cites through its `arxiv:<id>` tags."""
    tags = value.get("tags") or []
    return [t.split(":", 1)[1] for t in tags if isinstance(t, str) and t.startswith("arxiv:")]
