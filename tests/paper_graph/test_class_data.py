"""Class-data sharing archives of the local Neo4j JVMs (paper_graph/local/class_data.py), with a real JVM."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from paper_graph.local import class_data
from paper_graph.local import neo4j as neo4j_local


@pytest.fixture
def archive_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(class_data, "ARCHIVE_DIR", tmp_path / "cds")
    monkeypatch.delenv(class_data.ENV_SWITCH, raising=False)
    return tmp_path / "cds"


def _admin_version(archive: class_data.Archive) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "java",
            *archive.flags(),
            "-cp",
            f"{neo4j_local.lib_dir()}/*",
            "org.neo4j.cli.AdminTool",
            "--version",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NEO4J_HOME": str(class_data.ARCHIVE_DIR.parent)},
    )


def test_the_first_run_writes_the_archive_and_the_next_one_maps_it(archive_dir: Path) -> None:
    neo4j_local.install()
    class_path = [f"{neo4j_local.lib_dir()}/*"]
    first = class_data.Archive.for_run("admin", class_path, [])
    assert first is not None and first.pending is not None and not first.path.exists()
    result = _admin_version(first)
    assert result.returncode == 0, result.stderr
    assert first.pending.exists()  # written at exit under a temporary name ...
    first.finish(clean_exit=True)
    assert first.path.exists() and not first.pending.exists()  # ... and renamed into place

    second = class_data.Archive.for_run("admin", class_path, [])
    assert second is not None and second.pending is None
    assert second.flags()[0] == f"-XX:SharedArchiveFile={first.path}"
    mapped = subprocess.run(
        ["java", *second.flags(), "-Xshare:on", "-cp", class_path[0], "org.neo4j.cli.AdminTool", "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, "NEO4J_HOME": str(class_data.ARCHIVE_DIR.parent)},
    )
    assert mapped.returncode == 0, mapped.stderr  # -Xshare:on fails when the archive cannot be mapped
    assert mapped.stdout.strip().startswith("5.26.")


def test_an_unclean_exit_keeps_no_archive_and_a_broken_one_is_only_a_warning(archive_dir: Path) -> None:
    neo4j_local.install()
    class_path = [f"{neo4j_local.lib_dir()}/*"]
    archive = class_data.Archive.for_run("admin", class_path, [])
    assert archive is not None and archive.pending is not None
    archive.pending.write_bytes(b"half written")
    archive.finish(clean_exit=False)
    assert not archive.pending.exists() and not archive.path.exists()

    archive.path.write_bytes(b"not an archive")  # stale or damaged: the JVM goes on without it
    broken = class_data.Archive.for_run("admin", class_path, [])
    assert broken is not None and broken.pending is None
    result = _admin_version(broken)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("5.26.")


def test_a_new_jar_set_flag_or_role_gets_its_own_archive(archive_dir: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a.jar").write_bytes(b"a")
    base = class_data.Archive.for_run("server", [f"{lib}/*"], ["-Xmx1g"])
    assert base is not None
    assert class_data.Archive.for_run("server", [f"{lib}/*"], ["-Xmx2g"]).path != base.path  # type: ignore[union-attr]
    assert class_data.Archive.for_run("import", [f"{lib}/*"], ["-Xmx1g"]).path != base.path  # type: ignore[union-attr]
    (lib / "b.jar").write_bytes(b"b")
    assert class_data.Archive.for_run("server", [f"{lib}/*"], ["-Xmx1g"]).path != base.path  # type: ignore[union-attr]


def test_it_can_be_turned_off(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(class_data.ENV_SWITCH, "0")
    assert class_data.Archive.for_run("server", ["lib/*"], []) is None
    assert not archive_dir.exists()
    monkeypatch.setenv(class_data.ENV_SWITCH, "1")  # the switch, not the arguments, turned it off
    assert class_data.Archive.for_run("server", ["lib/*"], []) is not None
