"""The raw-response archive: every body as received, with a JSON sidecar; a bad fetch never overwrites.

Layout: `<root>/raw/source=<name>/dt=<YYYY-MM-DD>/<file>` plus `<file>.meta.json` holding the URL,
status, headers, fetched_at, sha256, size and content type. Bodies are streamed into a temporary
file and renamed into place only when complete, so a failed fetch leaves the last good copy intact.
Responses that are not usable (HTTP errors) are kept under a name carrying their status, beside,
never instead of, the good one. Conditional-GET validators live in `<root>/cache/validators/`.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

SIDECAR_SUFFIX = ".meta.json"
_EXTENSIONS = {"json": ".json", "html": ".html", "xml": ".xml", "atom": ".xml", "text": ".txt"}


@dataclass(slots=True)
class ArchivedResponse:
    """One archived body and what is known about how it was obtained."""

    path: Path
    source: str
    kind: str
    url: str
    status: int
    fetched_at: datetime | None
    sha256: str
    size: int
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)
    format: str | None = None  # parser hint from the source kind; None = detect from content
    reused_from: str | None = None  # set when a 304 reused an earlier body
    method: str = "GET"
    request_body: str | None = None  # the JSON body of a POST (part of the request's identity)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 or self.status == 304

    def raw_responses_row(self) -> dict[str, Any]:
        """A row of the snapshot's raw_responses table (graph.schema.SCHEMA_RAW_RESPONSES)."""
        return {
            "source": self.source,
            "url": self.url,
            "status": self.status,
            "fetched_at": self.fetched_at,
            "sha256": self.sha256,
            "path": str(self.path),
            "content_type": self.content_type,
            "size": self.size,
        }

    def sidecar(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = self.path.name
        data["fetched_at"] = self.fetched_at.isoformat() if self.fetched_at else None
        return data


def sidecar_path(body_path: Path) -> Path:
    return body_path.with_name(body_path.name + SIDECAR_SUFFIX)


def read_sidecar(body_path: Path) -> ArchivedResponse | None:
    """The metadata of an archived body, None when it has no (readable) sidecar."""
    try:
        data = json.loads(sidecar_path(body_path).read_text(encoding="utf-8"))
        data["path"] = body_path
        data["fetched_at"] = datetime.fromisoformat(data["fetched_at"]) if data.get("fetched_at") else None
        return ArchivedResponse(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def body_stem(url: str, request_body: bytes | None = None) -> str:
    """`<slug>.<hash>`: the part of a body's file name that identifies the request (URL and POST body)."""
    slug = re.sub(r"[^A-Za-z0-9.=-]+", "_", re.sub(r"^[a-z]+://[^/]+/?", "", url)).strip("_.")[:80] or "index"
    key = url.encode("utf-8") if request_body is None else url.encode("utf-8") + b"\n" + request_body
    return f"{slug}.{hashlib.sha1(key).hexdigest()[:10]}"


def body_name(
    url: str, content_type: str | None, status: int = 200, request_body: bytes | None = None
) -> str:
    """A readable, collision-free file name for a request's body: `<slug>.<hash>[.status-N].<ext>`."""
    status_part = "" if 200 <= status < 300 else f".status-{status}"
    return f"{body_stem(url, request_body)}{status_part}{extension_for(content_type)}"


def extension_for(content_type: str | None) -> str:
    subtype = (content_type or "").split(";")[0].strip().lower().rsplit("/", 1)[-1]
    for key, ext in _EXTENSIONS.items():
        if key in subtype:
            return ext
    return ".bin"


class Archive:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def partition(self, source: str, run_date: date | str) -> Path:
        day = run_date.isoformat() if isinstance(run_date, date) else str(run_date)
        return self.root / "raw" / f"source={source}" / f"dt={day}"

    def find(
        self,
        source: str,
        run_date: date | str,
        url: str,
        request_body: bytes | None,
        statuses: frozenset[int],
    ) -> ArchivedResponse | None:
        """The archived response of this source and day to the same request, if its status is wanted.

        A good (2xx) body wins over a kept error body of the same request.
        """
        folder = self.partition(source, run_date)
        stem = body_stem(url, request_body)
        found: list[ArchivedResponse] = []
        for side in folder.glob(f"{glob.escape(stem)}.*{SIDECAR_SUFFIX}"):
            meta = read_sidecar(side.with_name(side.name[: -len(SIDECAR_SUFFIX)]))
            if meta is not None and meta.url == url and meta.status in statuses and meta.path.is_file():
                found.append(meta)
        found.sort(key=lambda m: (not m.ok, m.path.name))
        return found[0] if found else None

    def open_temp(self, folder: Path) -> tuple[IO[bytes], Path]:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=".partial-", suffix=".tmp")
        return os.fdopen(handle, "wb"), Path(name)

    def commit(self, temp: Path, meta: ArchivedResponse) -> ArchivedResponse:
        """Move a complete body into place (atomic rename) and write its sidecar next to it."""
        meta.path.parent.mkdir(parents=True, exist_ok=True)
        side = sidecar_path(meta.path)
        side_temp = side.with_name(f".{side.name}.tmp")
        side_temp.write_text(json.dumps(meta.sidecar(), indent=2, sort_keys=True), encoding="utf-8")
        temp.replace(meta.path)
        side_temp.replace(side)
        return meta

    def store_bytes(self, body: bytes, meta: ArchivedResponse) -> ArchivedResponse:
        handle, temp = self.open_temp(meta.path.parent)
        with handle:
            handle.write(body)
        meta.sha256, meta.size = hashlib.sha256(body).hexdigest(), len(body)
        return self.commit(temp, meta)

    # Conditional GET: the validators of the last good response per URL.
    def _validator_file(self, url: str) -> Path:
        return self.root / "cache" / "validators" / f"{hashlib.sha1(url.encode('utf-8')).hexdigest()}.json"

    def validators(self, url: str) -> tuple[dict[str, str], ArchivedResponse] | None:
        """Headers for a conditional GET of `url` and the archived response they validate."""
        try:
            data = json.loads(self._validator_file(url).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        previous = read_sidecar(Path(data.get("path", "")))
        if previous is None or not previous.path.is_file():
            return None
        headers = {}
        if data.get("etag"):
            headers["If-None-Match"] = data["etag"]
        if data.get("last_modified"):
            headers["If-Modified-Since"] = data["last_modified"]
        return (headers, previous) if headers else None

    def remember_validators(self, meta: ArchivedResponse) -> None:
        etag, modified = _header(meta.headers, "etag"), _header(meta.headers, "last-modified")
        if not (etag or modified):
            return
        target = self._validator_file(meta.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(
            json.dumps({"url": meta.url, "etag": etag, "last_modified": modified, "path": str(meta.path)})
        )
        temp.replace(target)

    def quarantine(self, path: Path, reason: str) -> Path:
        """Copy a page that does not parse to `<root>/quarantine/` with the reason beside it."""
        folder = self.root / "quarantine"
        if path.is_relative_to(self.root / "raw"):
            folder = folder / path.parent.relative_to(self.root / "raw")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        if path.is_file():
            target.write_bytes(path.read_bytes())
        reason_file = target.with_name(target.name + ".reason.json")
        reason_file.write_text(
            json.dumps({"path": str(path), "reason": reason, "at": datetime.now(UTC).isoformat()}, indent=2),
            encoding="utf-8",
        )
        return target

    def iter_archived(
        self, source: str | None = None, run_date: date | str | None = None
    ) -> Iterator[ArchivedResponse]:
        """Every archived response (optionally of one source and/or day), in path order."""
        yield from iter_archived(self.root, source=source, run_date=run_date)


def iter_archived(
    root: str | os.PathLike[str], source: str | None = None, run_date: date | str | None = None
) -> Iterator[ArchivedResponse]:
    day = run_date.isoformat() if isinstance(run_date, date) else run_date
    pattern = f"raw/source={source or '*'}/dt={day or '*'}/*{SIDECAR_SUFFIX}"
    for side in sorted(Path(root).glob(pattern)):
        meta = read_sidecar(side.with_name(side.name[: -len(SIDECAR_SUFFIX)]))
        if meta is not None and meta.path.is_file():
            yield meta


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)
