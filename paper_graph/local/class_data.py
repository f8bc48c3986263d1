"""Class-data sharing (AppCDS) archives for the local Neo4j JVMs: a shorter start for the server and
for `neo4j-admin database import`.

Java 17 can write the classes a run loaded into a *dynamic archive* when it exits
(`-XX:ArchiveClassesAtExit`); later runs map it (`-XX:SharedArchiveFile`) instead of reading and
verifying ~200 jars again. The first run of each kind (server, importer) writes the archive, later
runs use it. It is keyed by the class path (jar names, sizes, times), the `java` binary and the
JVM flags, so a new jar set or JVM gets a new archive; the JVM checks it again when it maps it, and a
stale or unreadable archive only costs a warning (`-Xshare:auto`, the default), never a failed start.

An archive is written to a temporary name and renamed into place only after its JVM exited cleanly,
so a JVM never maps a half-written file, and two first runs at once cannot overwrite the archive a
third one has mapped. `PAPER_GRAPH_NEO4J_CDS=0` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from paper_graph.connection import NEO4J_ROOT

ARCHIVE_DIR = NEO4J_ROOT / "cds"
ENV_SWITCH = "PAPER_GRAPH_NEO4J_CDS"
QUIET = "-Xlog:cds=off,cds+dynamic=off"  # the dump lists every class it skips (signed jars, old class files)


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in {"0", "false", "no", "off"}


def _jars(class_path: list[str]) -> list[Path]:
    """The jars a class path of `dir/*` entries and files expands to, in the launcher's order."""
    jars: list[Path] = []
    for entry in class_path:
        if entry.endswith("/*"):
            jars += sorted(Path(entry[:-2]).glob("*.jar"))
        else:
            jars.append(Path(entry))
    return jars


def _key(role: str, class_path: list[str], flags: list[str]) -> str:
    digest = hashlib.sha256(role.encode())
    java = shutil.which("java")
    for path in [Path(os.path.realpath(java)) if java else None, *_jars(class_path)]:
        if path is None:
            continue
        with contextlib.suppress(OSError):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    digest.update("\n".join(flags).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Archive:
    """The archive of one kind of JVM run; `flags()` go on that run's command line."""

    path: Path
    pending: Path | None  # where this run dumps its classes (None: the archive exists, or CDS is off)

    @classmethod
    def for_run(cls, role: str, class_path: list[str], flags: list[str]) -> Archive | None:
        if not enabled():
            return None
        path = ARCHIVE_DIR / f"{role}-{_key(role, class_path, flags)}.jsa"
        if path.exists():
            return cls(path, None)
        ARCHIVE_DIR.mkdir(parents=True, exist_ok=True)
        return cls(path, path.with_name(f"{path.stem}.{secrets.token_hex(4)}.tmp"))

    def flags(self) -> list[str]:
        if self.pending is not None:
            return [f"-XX:ArchiveClassesAtExit={self.pending}", QUIET]
        return [f"-XX:SharedArchiveFile={self.path}", QUIET]

    def finish(self, clean_exit: bool) -> None:
        """After the JVM exited: keep its dump when it exited cleanly, else drop it."""
        finish_pending(self.path, self.pending, clean_exit)


def finish_pending(path: Path, pending: Path | None, clean_exit: bool) -> None:
    if pending is None:
        return
    with contextlib.suppress(OSError):
        if clean_exit and pending.stat().st_size > 0:
            os.replace(pending, path)  # atomic: a JVM mapping the old file keeps its own copy
        else:
            pending.unlink()
