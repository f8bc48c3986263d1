"""The named queries for Neo4j Browser, generated from the same `.cypher` files as `paper-graph query`.

`python -m graph.db.browser_guide [--out var/browser]` writes
- `paper-graph-guide.html`: a Browser guide, one slide per query (a runnable block of `:param` lines
  with example values, then the query). The local Neo4j instance serves it (see
  `paper_graph.local.guide_server`): `:play` the URL that `paper-graph neo4j start` prints.
- `paper-graph-favorites.zip`: one `<name>.cypher` per query (the same `:param` lines, then the
  query), for the Favorites drawer's "Import" button.

`:param name => 20` is evaluated by the server, so 20 stays an integer; `:params {limit: 20}` would
store 20.0, which LIMIT refuses (the queries coerce with `toInteger($limit)` all the same).
"""

from __future__ import annotations

import html
import json
import zipfile
from pathlib import Path
from typing import Any

import click

from graph.db.queries import NamedQuery, catalog

GUIDE_NAME = "paper-graph-guide.html"
FAVORITES_NAME = "paper-graph-favorites.zip"
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed: the same queries give the same zip bytes

# Example values for the required parameters, so every slide returns rows as is on the graph that
# `make run SOURCES=dump:../shared/seeds` loads (tests check them on a fixture built like the seeds).
EXAMPLES: dict[str, Any] = {
    "paper_id": "title:391211378b079e88",  # "Open-Source Conversational AI with SpeechBrain 1.0"
    "method": "Transformer",
    "entity": "Transformer",
    "source": "Transformer",
    "target": "MNIST",
    "dataset": "MNIST",
    "since": "2024-01-01",
    "from_paper": "title:391211378b079e88",
    "to_paper": "title:f19867141f0d95d7",
    "load_id": "YYYY-MM-DD/run-id (see MATCH (s:Snapshot) RETURN s.load_id)",
}
# Where one query needs another example than the others.
QUERY_EXAMPLES: dict[str, dict[str, Any]] = {
    # the paper the one above references: "SpeechBrain: A General-Purpose Speech Toolkit"
    "papers_referencing": {"paper_id": "title:f19867141f0d95d7"},
}


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a parameter value (JSON string escapes are valid Cypher escapes)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def example_params(query: NamedQuery) -> dict[str, Any]:
    examples = {**EXAMPLES, **QUERY_EXAMPLES.get(query.name, {})}
    return {p.name: examples.get(p.name, "") if p.required else p.default for p in query.params}


def params_command(query: NamedQuery) -> str:
    """One `:param name => value;` line per parameter (Browser runs them one after the other)."""
    return "\n".join(f":param {name} => {cypher_literal(v)};" for name, v in example_params(query).items())


def favorite(query: NamedQuery) -> str:
    return f"// {query.name}: {query.description}\n{params_command(query)}\n{query.body}\n"


def _slide(query: NamedQuery) -> str:
    params = "".join(
        f"<li><code>{html.escape(p.name)}</code> ({p.type}{'' if p.required else ', optional'}): "
        f"{html.escape(p.help)}</li>"
        for p in query.params
    )
    params_block = (
        f'<pre class="pre-scrollable code runnable">{html.escape(params_command(query))}</pre>\n        '
        if query.params
        else ""
    )
    return f"""    <slide class="row-fluid">
      <div class="col-sm-4">
        <h3>{html.escape(query.name)}</h3>
        <p>{html.escape(query.description)}</p>
        <ul>{params}</ul>
        <p>Same query: <code>paper-graph query {html.escape(query.name)}</code></p>
      </div>
      <div class="col-sm-8">
        {params_block}<pre class="pre-scrollable code runnable">{html.escape(query.body)}</pre>
      </div>
    </slide>
"""


def guide_html(queries: list[NamedQuery]) -> str:
    slides = "".join(_slide(q) for q in queries)
    return f"""<article class="guide">
  <carousel class="deck container-fluid">
    <slide class="row-fluid">
      <div class="col-sm-12">
        <h3>paper-graph queries</h3>
        <p>Generated from graph/db/queries/*.cypher by <code>python -m graph.db.browser_guide</code>.
        Each slide: run the <code>:param</code> block (edit the values), then the query.</p>
      </div>
    </slide>
{slides}  </carousel>
</article>
"""


def write_browser_files(out: Path) -> list[Path]:
    queries = list(catalog().values())
    out.mkdir(parents=True, exist_ok=True)
    guide = out / GUIDE_NAME
    guide.write_text(guide_html(queries), encoding="utf-8")
    favorites = out / FAVORITES_NAME
    with zipfile.ZipFile(favorites, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for query in queries:
            info = zipfile.ZipInfo(f"{query.name}.cypher", date_time=_ZIP_DATE)
            archive.writestr(info, favorite(query), compress_type=zipfile.ZIP_DEFLATED)
    return [guide, favorites]


@click.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("var/browser"), show_default=True
)
def main(out: Path) -> None:
    """Write the Neo4j Browser guide and favourites for the named queries."""
    for path in write_browser_files(out):
        click.echo(path)


if __name__ == "__main__":
    main()
