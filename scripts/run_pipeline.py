"""`make run`: start the local Neo4j, run `paper_ingest` then `paper_graph_load` for one logical date
with real Airflow (`airflow dags test`), and print what was fetched, extracted and loaded."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from paper_graph import connection, steps
from paper_graph.config import load_config
from paper_graph.local import neo4j as neo4j_local
from paper_graph.local.airflow_env import local_airflow_env
from paper_graph.steps import OFFLINE_HINT

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def airflow(env: dict[str, str], *args: str, log_file: Path) -> int:
    """Run an `airflow` CLI command, log to a file, show one progress line per finished task try."""
    began = time.monotonic()
    progress = TaskProgress()
    with (
        log_file.open("a") as log,
        subprocess.Popen(
            [str(BIN / "airflow"), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            shown = progress.feed(line)
            if shown:
                print(f"  [{time.monotonic() - began:6.1f}s] {shown}", flush=True)
    return proc.returncode


class TaskProgress:
    """Reads `airflow dags test` output: one line per finished task try, saying how it ended."""

    _STATE = re.compile(r"Task instance state updated.*\bnew_state=(\w+)")
    _ERROR = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?(\w*(?:Error|Exception)): (.*)$")
    _WORDS: Final = {
        "success": "done",
        "up_for_retry": "failed (will be retried)",
        "failed": "FAILED",
        "upstream_failed": "not run (an upstream task failed)",
        "skipped": "skipped",
    }

    def __init__(self) -> None:
        self.state: str | None = None
        self.error: str | None = None

    def feed(self, line: str) -> str | None:
        """The progress line for `line`, or None when it ends no task."""
        if match := self._STATE.search(line):
            self.state = match[1]
        elif match := self._ERROR.match(line.strip()):
            self.error = f"{match[1]}: {match[2]}"
        elif "[DAG TEST] end task" in line:
            state, error = self.state, self.error
            self.state = self.error = None
            word = self._WORDS.get(state or "", f"ended ({state or 'state unknown'})")
            failed = state in ("up_for_retry", "failed")
            detail = f": {error[:200]}" if failed and error else ""
            return f"{word}: {_short(line)}{detail}"
        return None


def _short(line: str) -> str:
    fields = dict(re.findall(r"(\w+)=([^\s]+)", line))
    index = fields.get("map_index", "-1")
    return f"{fields.get('task_id', '?')}{f'[{index}]' if index != '-1' else ''}"


def _failed(what: str, log_file: Path) -> SystemExit:
    return SystemExit(f"{what} failed; full log: {log_file}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sources", default="", help="override the configured sources, e.g. dump:../shared/seeds"
    )
    parser.add_argument(
        "--date", default=datetime.now(UTC).date().isoformat(), help="logical date (YYYY-MM-DD)"
    )
    args = parser.parse_args()
    config = load_config()

    _stop_when_no_source_resolves(args.sources)
    instance = neo4j_local.Instance.from_env()
    try:
        neo4j = connection.resolve(create_password=True)  # the server the DAGs and the CLI use too
        if neo4j.local:
            print(f"Starting Neo4j ({neo4j.uri}) ...", flush=True)
            neo4j_local.start(instance)
    except (connection.ConnectionSettingsError, neo4j_local.Neo4jLocalError) as exc:
        raise SystemExit(f"make run: {exc}") from None
    if not neo4j.local:
        print(f"Using Neo4j at {neo4j.uri} (NEO4J_URI; the local server is not started)", flush=True)

    env = {**os.environ, **local_airflow_env(instance)}
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log_file = config.paths.data_root / "logs" / f"run-{args.date}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    print(f"Airflow home {home}; full log {log_file}", flush=True)
    if airflow(env, "db", "migrate", log_file=log_file) != 0:
        raise _failed("airflow db migrate", log_file)

    print(
        f"Running paper_ingest for {args.date} (sources: {args.sources or 'from config/pipeline.toml'}) ..."
    )
    ingest = airflow(
        env,
        "dags",
        "test",
        "paper_ingest",
        args.date,
        "-c",
        json.dumps({"sources": args.sources}),
        log_file=log_file,
    )
    failures = _source_failures(args.sources, args.date)
    if ingest != 0:
        print(f"\n== paper_ingest failed for {args.date}")
        for name, why in failures.items():
            print(f"  source {name}: {why}")
        if failures:
            print(f"\n{OFFLINE_HINT[0].upper()}{OFFLINE_HINT[1:]}")
        raise _failed("paper_ingest", log_file)
    print(
        "Running paper_graph_load (the scheduler starts it from the snapshot Asset; `dags test` does not) ..."
    )
    loaded = airflow(
        env,
        "dags",
        "test",
        "paper_graph_load",
        args.date,
        "-c",
        json.dumps({"snapshot_date": args.date}),
        log_file=log_file,
    )
    if loaded != 0:
        raise _failed("paper_graph_load", log_file)
    summarize(config, args.date, instance, neo4j)
    for name, why in failures.items():
        print(f"Source {name} failed (the others were loaded): {why}")


def _stop_when_no_source_resolves(sources: str) -> None:
    """Offline with live sources: say so in a second, before starting Neo4j and Airflow for nothing."""
    from extract.sources import unresolvable_host

    planned = steps.plan_sources(None, sources or None)
    why = {source["name"]: unresolvable_host(source) for source in planned}
    if all(why.values()):
        print(f"\n== No source can be reached: {len(why)} of {len(why)} host names do not resolve")
        for name, reason in why.items():
            print(f"  source {name}: {reason}")
        raise SystemExit(f"\n{OFFLINE_HINT[0].upper()}{OFFLINE_HINT[1:]}")


def _source_failures(sources: str, run_date: str) -> dict[str, str]:
    """Source name -> why it failed, for the sources of this run (from the fetch steps' status files)."""
    try:
        names = [s["name"] for s in steps.plan_sources(None, sources or None)]
    except Exception:  # a bad SOURCES string: the DAG run has already said why
        return {}
    return steps.fetch_failures(None, run_date, names)


def _example(driver, name: str, params: dict[str, object]) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from graph.db import queries
    from graph.db.runner import run_named

    query = queries.get(name)
    rows = [r.data() for r in run_named(driver, name, params)]
    args = " ".join(f"-p {k}={v}" for k, v in params.items())
    print(f"\n$ paper-graph query {name} {args}\n  ({query.description})")
    for row in rows[:5]:
        print("  " + json.dumps(row, ensure_ascii=False, default=str)[:160])
    return rows


def summarize(config, run_date: str, instance: neo4j_local.Instance, neo4j: connection.Connection) -> None:  # type: ignore[no-untyped-def]
    from extract.jsonl import count_lines
    from graph.db.runner import graph_counts
    from graph.snapshot import open_snapshot
    from paper_graph.run import RunDir

    snapshot = open_snapshot(config.paths.snapshots, run_date)
    parsed = count_lines(RunDir.of(config, run_date).papers)
    print("\n== Summary")
    raw = snapshot.manifest.tables["raw_responses"].rows
    print(f"Raw responses archived under {config.paths.archive}/raw/ ({raw} for this run)")
    print(f"Papers parsed and deduplicated: {parsed}")
    rows = {name: entry.rows for name, entry in snapshot.manifest.tables.items()}
    print(f"Snapshot {snapshot.path}: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
    with connection.open_driver(neo4j) as driver:
        counts = graph_counts(driver)
        print("Graph: " + ", ".join(f"{k} {v}" for part in counts.values() for k, v in part.items()))
        top = _example(driver, "top_entities", {"limit": 5})
        if top:  # the second example follows the first: what co-occurs with the most mentioned entity
            _example(driver, "cooccurring_methods", {"entity": top[0]["entity_key"], "limit": 5})
    print(f"\nNeo4j Browser: {instance.http_url}/browser/")
    print(f"  user {neo4j.user}, password from {neo4j.password_source}")
    print(f"Snapshot files: {snapshot.path}   (paper-graph snapshot show {run_date})")
    print("Airflow UI with these DAGs: make airflow   Stop Neo4j: make neo4j-stop")


if __name__ == "__main__":
    main()
