"""`make run`'s progress lines (scripts/run_pipeline.py) say how each task try ended, read from real
`airflow dags test` output lines (copied from a run's log)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Real lines of `airflow dags test paper_ingest` (Airflow 3.1), trimmed of their long tails only.
STATE = (
    "2026-12-01T09:42:02.629880Z [info     ] Task instance state updated    "
    "[airflow.api_fastapi.execution_api.routes.task_instances] loc=task_instances.py:424 "
    "new_state={state} rows_affected=1 ti_id=01a230fb-5a9d-75e7-ae5d-74a90126955e\n"
)
STARTED = (
    "2026-12-01T09:26:21.049939Z [info     ] Task instance state updated    "
    "[airflow.api_fastapi.execution_api.routes.task_instances] loc=task_instances.py:212 rows_affected=1 "
    "ti_id=01a230ed-2eef-78f4-b584-7e81bb97df54\n"
)
END = (
    "2026-12-01T09:42:02.644914Z [info     ] [DAG TEST] end task task_id={task} map_index={index} "
    "[airflow.sdk.definitions.dag] loc=dag.py:1426\n"
)
ERROR = (
    "airflow.exceptions.AirflowFailException: source hf_daily: https://huggingface.co/api/daily_papers"
    "?date=2026-12-01: the host name huggingface.co does not resolve (DNS; offline?)\n"
)


def _progress():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("run_pipeline", REPO / "scripts" / "run_pipeline.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TaskProgress()


def _feed(progress, lines: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    return [shown for line in lines if (shown := progress.feed(line))]


def test_a_failed_try_prints_as_failed_not_done() -> None:
    progress = _progress()
    shown = _feed(
        progress,
        [
            STARTED,
            STATE.format(state="success"),
            END.format(task="plan_sources", index=-1),
            STARTED,
            ERROR,
            STATE.format(state="failed"),
            END.format(task="fetch", index=0),
            STARTED,
            "extract.errors.FetchError: https://x/: HTTP 503\n",
            STATE.format(state="up_for_retry"),
            END.format(task="fetch", index=1),
            STATE.format(state="upstream_failed"),
            END.format(task="write_snapshot", index=-1),
        ],
    )
    assert shown[0] == "done: plan_sources"
    assert shown[1].startswith("FAILED: fetch[0]: AirflowFailException: source hf_daily:")
    assert "does not resolve" in shown[1]
    assert shown[2] == "failed (will be retried): fetch[1]: FetchError: https://x/: HTTP 503"
    assert shown[3] == "not run (an upstream task failed): write_snapshot"
    assert not any(line.startswith("done: fetch") for line in shown)
