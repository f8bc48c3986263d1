"""The source interface: a configured adapter that archives the responses of one source for a run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from extract.archive import Archive, ArchivedResponse
from extract.errors import FetchError
from extract.fetch import Fetcher, Request

DEFAULT_HF_BASE = "https://huggingface.co"
DEFAULT_ARXIV_BASE = "https://export.arxiv.org"
JSON = ("application/json",)
HTML = ("text/html",)
ATOM = ("application/atom+xml", "application/xml", "text/xml")


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` entry: a name (archive folder), a kind (adapter) and the adapter's params."""

    name: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SourceConfig:
        data = dict(values)
        name, kind = data.pop("name", None), data.pop("kind", None)
        if not isinstance(name, str) or not name or not isinstance(kind, str) or not kind:
            raise ValueError(f"a source needs a non-empty name and kind, got {values!r}")
        if "/" in name or name.startswith("."):
            raise ValueError(f"source name {name!r} must be usable as a folder name")
        return cls(name=name, kind=kind, params=data)

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def base_url(self, default: str) -> str:
        return str(self.params.get("base_url") or default).rstrip("/")

    def id_list(self) -> list[str]:
        ids = self.params.get("ids") or []
        return [ids] if isinstance(ids, str) else [str(i) for i in ids]


@dataclass
class FetchContext:
    """What an adapter needs while fetching: where to archive and under which name and day."""

    config: SourceConfig
    run_date: date
    fetcher: Fetcher

    @property
    def archive(self) -> Archive:
        return self.fetcher.archive

    def get(self, request: Request) -> ArchivedResponse:
        return self.fetcher.get(
            request, source=self.config.name, kind=self.config.kind, run_date=self.run_date
        )


@dataclass
class Outcome:
    """One unit of a source's work: an archived response, or the error that stopped it."""

    archived: ArchivedResponse | None = None
    error: FetchError | None = None
    not_found: bool = False  # the source answered that the item does not exist (e.g. HF 404)


class Source(Protocol):
    """An adapter: archives the responses a configured source yields for a run date."""

    kind: str

    def fetch(self, ctx: FetchContext) -> Iterator[Outcome]: ...


@dataclass
class FetchReport:
    source: str
    kind: str
    run_date: str
    paths: list[Path] = field(default_factory=list)  # archived bodies to parse
    requested: int = 0
    archived: int = 0
    not_modified: int = 0
    not_found: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.requested += 1
        if outcome.not_found:
            self.not_found += 1
        elif outcome.error is not None:
            self.failed += 1
            self.errors.append(str(outcome.error))
        elif outcome.archived is not None:
            self.archived += 1
            self.not_modified += outcome.archived.status == 304
            self.paths.append(outcome.archived.path)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["paths"] = [str(p) for p in self.paths]
        return data
