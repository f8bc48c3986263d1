"""Airflow plugin: a download page for the Parquet snapshots, mounted in the API server at /snapshots.

Thin web layer: listing, files and zips come from `graph.snapshot` under the config's snapshot root
(`paper_graph.config`); headline graph counts are `graph.db.runner.graph_counts`, run through the
provider's hook ("graph unavailable" when it cannot be reached).
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
from typing import Any
from urllib.parse import quote

from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from graph.snapshot import (
    Snapshot,
    SnapshotError,
    SnapshotNotFoundError,
    list_snapshots,
    open_snapshot,
    snapshot_summary,
)
from paper_graph.config import snapshot_root

log = logging.getLogger(__name__)

URL_PREFIX = "/snapshots"
NEO4J_CONN_ID = "neo4j_default"
GRAPH_COUNTS_TIMEOUT_S = 5.0


def neo4j_browser_url() -> str:
    return os.environ.get("NEO4J_BROWSER_URL", "http://127.0.0.1:7474/browser/")


def graph_counts() -> list[dict[str, Any]]:
    """[{kind, name, count}] from Neo4j; raises when the connection is missing or the server is down."""
    from airflow.providers.neo4j.hooks.neo4j import Neo4jHook

    from graph.db.runner import graph_count_rows

    with Neo4jHook(conn_id=NEO4J_CONN_ID).get_conn() as driver:
        return graph_count_rows(driver)


async def _graph_counts_or_none() -> list[dict[str, Any]] | None:
    try:
        return await asyncio.wait_for(asyncio.to_thread(graph_counts), GRAPH_COUNTS_TIMEOUT_S)
    except Exception as exc:  # any failure means "graph unavailable", never a broken page
        log.warning("graph counts unavailable: %s", exc)
        return None


def _snapshot(snapshot_date: str) -> Snapshot:
    try:
        return open_snapshot(snapshot_root(), snapshot_date)
    except SnapshotNotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


app = FastAPI(title="paper-graph snapshots")


@app.get("/api/snapshots")
def api_snapshots() -> JSONResponse:
    return JSONResponse([snapshot_summary(s) for s in list_snapshots(snapshot_root())])


@app.get("/{snapshot_date}/_manifest.json")
def manifest(snapshot_date: str) -> Response:
    return Response(_snapshot(snapshot_date).manifest.to_json(), media_type="application/json")


@app.get("/{snapshot_date}/files/{table}/{filename}")
def download_file(snapshot_date: str, table: str, filename: str) -> StreamingResponse:
    snapshot = _snapshot(snapshot_date)
    try:
        entry = snapshot.file_entry(f"{table}/{filename}")  # only files the manifest lists
    except SnapshotNotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    headers = {
        "Content-Length": str(entry.size),
        "Content-Disposition": f'attachment; filename="{snapshot_date}-{table}-{filename}"',
        "X-Checksum-Sha256": entry.sha256,
    }
    return StreamingResponse(
        snapshot.iter_file(entry.path), media_type="application/vnd.apache.parquet", headers=headers
    )


@app.get("/{snapshot_date}.zip")
def download_zip(snapshot_date: str) -> StreamingResponse:
    snapshot = _snapshot(snapshot_date)
    headers = {"Content-Disposition": f'attachment; filename="paper-graph-snapshot-{snapshot.date}.zip"'}
    return StreamingResponse(snapshot.iter_zip(), media_type="application/zip", headers=headers)


@app.get("/", response_class=HTMLResponse)
async def index() -> HTMLResponse:
    counts = await _graph_counts_or_none()
    try:
        snapshots = await asyncio.to_thread(list_snapshots, snapshot_root())
        error = None
    except SnapshotError as exc:
        snapshots, error = [], str(exc)
    return HTMLResponse(render_page(snapshots, counts, error))


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.1f} KB"


def render_page(snapshots: list[Snapshot], counts: list[dict[str, Any]] | None, error: str | None) -> str:
    e = html.escape
    if counts is None:
        graph = '<p class="unavailable">graph unavailable</p>'
    else:
        nodes = sum(c["count"] for c in counts if c["kind"] == "node")
        rels = sum(c["count"] for c in counts if c["kind"] == "relationship")
        items = "".join(f"<li>{e(c['kind'])} {e(c['name'])}: {c['count']:,}</li>" for c in counts)
        graph = f'<p id="graph-totals">{nodes:,} nodes, {rels:,} relationships</p><ul>{items}</ul>'
    rows = []
    for snapshot in reversed(snapshots):
        m = snapshot.manifest
        day = quote(m.snapshot_date)
        tables = "".join(
            f"<li>{e(name)}: {t.rows:,} rows, {_size(t.size)} "
            + " ".join(f'<a href="{URL_PREFIX}/{day}/files/{quote(f.path)}">{e(f.path)}</a>' for f in t.files)
            + "</li>"
            for name, t in m.tables.items()
        )
        rows.append(
            f"<tr><td>{e(m.snapshot_date)}</td><td><ul>{tables}</ul></td><td>{m.rows:,}</td>"
            f"<td>{_size(m.size)}</td><td><a href='{URL_PREFIX}/{day}.zip'>zip</a> "
            f"<a href='{URL_PREFIX}/{day}/_manifest.json'>manifest</a></td></tr>"
        )
    body = "".join(rows) or "<tr><td colspan=5>no snapshots yet</td></tr>"
    problem = f'<p class="error">{e(error)}</p>' if error else ""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>paper-graph snapshots</title>
<style>body{{font-family:sans-serif;margin:2em}} td{{vertical-align:top;padding:.3em 1em}}</style>
</head><body>
<h1>paper-graph snapshots</h1>
<h2>Graph</h2>{graph}
<p><a href="{e(neo4j_browser_url())}" target="_blank">Open Neo4j Browser</a></p>
<h2>Snapshots</h2>{problem}
<table><thead><tr><th>date</th><th>tables</th><th>rows</th><th>size</th><th>download</th></tr></thead>
<tbody>{body}</tbody></table>
</body></html>"""


class PaperGraphSnapshotsPlugin(AirflowPlugin):
    name = "paper_graph_snapshots"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "paper-graph snapshots"}]
    external_views = [
        {
            "name": "Snapshots",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "paper-graph-snapshots",
        }
    ]
