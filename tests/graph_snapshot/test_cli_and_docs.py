"""`paper-graph snapshot list|show|verify` and the generated docs/SCHEMA.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from graph import schema_docs
from graph.schema import SCHEMA_VERSION, TABLES
from graph.snapshot import write_snapshot
from paper_graph.cli import main


def test_list_show_verify(tmp_path: Path, tables: dict[str, list[Any]], monkeypatch) -> None:
    write_snapshot(tmp_path, "2024-05-26", "run-26", {"papers": tables["papers"][:1]})
    write_snapshot(tmp_path, "2024-05-27", "run-27", tables)
    runner = CliRunner()

    listed = runner.invoke(main, ["snapshot", "list", "--root", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert [line.split()[0] for line in lines] == ["2024-05-26", "2024-05-27"]
    assert "run-27" in lines[1] and f"{sum(len(r) for r in tables.values())} rows" in lines[1]

    monkeypatch.setenv("PAPER_GRAPH_SNAPSHOTS", str(tmp_path))  # the default root
    shown = runner.invoke(main, ["snapshot", "show", "2024-05-27"])
    assert shown.exit_code == 0, shown.output
    assert f"schema {SCHEMA_VERSION}  run run-27" in shown.output
    assert "papers/part-00000.parquet  3 rows" in shown.output

    as_json = runner.invoke(main, ["snapshot", "show", "latest", "--json"])
    assert json.loads(as_json.output)["tables"]["mentions"]["rows"] == len(tables["mentions"])

    assert runner.invoke(main, ["snapshot", "verify", "2024-05-27"]).exit_code == 0
    (tmp_path / "dt=2024-05-27" / "papers" / "part-00000.parquet").write_bytes(b"PAR1")
    broken = runner.invoke(main, ["snapshot", "verify", "2024-05-27"])
    assert broken.exit_code == 1 and "papers/part-00000.parquet: size 4 bytes" in broken.output

    missing = runner.invoke(main, ["snapshot", "show", "2030-01-01"])
    assert missing.exit_code == 1 and "no snapshot 2030-01-01" in missing.output


def test_committed_schema_docs_are_current() -> None:
    committed = schema_docs.DOCS_PATH.read_text(encoding="utf-8")
    assert committed == schema_docs.render(), "docs/SCHEMA.md is stale: run `python -m graph.schema_docs`"
    for table in TABLES.values():
        assert f"## {table.name}\n" in committed
        for field in table.schema:
            assert f"| `{field.name}` |" in committed
