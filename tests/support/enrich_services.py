"""Simulated arXiv search, Semantic Scholar batch and Hub endpoints on the local FixtureServer.

Answers are computed from a small "world" in the recorded shapes (Atom feed, S2 batch array with
null slots, `{models, datasets, spaces}`), so a run over many papers (e.g. the seed dumps) can be
enriched end to end without the network. Titles the world does not know get an empty feed, ids it
does not know a null slot or a Hub 404.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from extract.clean import normalise_title
from tests.support.http_server import FixtureServer, LoggedRequest, Reply

ATOM_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
    "  <id>https://arxiv.org/api/simulated</id>\n  <title>arXiv Query</title>\n"
    "  <updated>2024-06-10T08:00:00Z</updated>\n"
)
JSON = {"Content-Type": "application/json"}


@dataclass
class WorldPaper:
    arxiv_id: str
    title: str
    abstract: str = "An abstract."
    published: str = "2024-06-01"
    s2_id: str | None = None
    citation_count: int = 0
    references: list[dict] = field(default_factory=list)  # S2 reference objects
    repos: dict[str, list[dict]] = field(default_factory=dict)  # {models, datasets, spaces}


class SimulatedServices:
    def __init__(self, server: FixtureServer, papers: list[WorldPaper]) -> None:
        self.by_title = {normalise_title(p.title): p for p in papers}
        self.by_id = {p.arxiv_id: p for p in papers}
        server.handle("/api/query", self._arxiv)
        server.handle("/graph/v1/paper/batch", self._s2_batch)
        server.handle("/api/arxiv/", self._hub)

    def _arxiv(self, request: LoggedRequest) -> Reply:
        query = request.query.get("search_query", [""])[0]
        found = [self.by_title[t] for t in re.findall(r'ti:"([^"]*)"', query) if t in self.by_title]
        entries = "".join(
            f"  <entry>\n    <id>http://arxiv.org/abs/{p.arxiv_id}v1</id>\n"
            f"    <title>{escape(p.title)}</title>\n    <summary>{escape(p.abstract)}</summary>\n"
            f"    <published>{p.published}T00:00:00Z</published>\n"
            f'    <arxiv:primary_category term="cs.CL"/>\n    <author>\n      <name>A. Author</name>\n'
            f"    </author>\n  </entry>\n"
            for p in found
        )
        body = (
            ATOM_HEAD
            + f"  <opensearch:itemsPerPage>{len(found)}</opensearch:itemsPerPage>\n"
            + f"  <opensearch:totalResults>{len(found)}</opensearch:totalResults>\n"
            + "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            + entries
            + "</feed>\n"
        )
        return Reply(body=body.encode("utf-8"), headers={"Content-Type": "application/atom+xml"})

    def _s2_batch(self, request: LoggedRequest) -> Reply:
        slots = []
        for wanted in json.loads(request.body)["ids"]:
            paper = self.by_id.get(wanted.removeprefix("arXiv:"))
            slots.append(
                None
                if paper is None or paper.s2_id is None
                else {
                    "paperId": paper.s2_id,
                    "externalIds": {"ArXiv": paper.arxiv_id},
                    "title": paper.title,
                    "year": int(paper.published[:4]),
                    "citationCount": paper.citation_count,
                    "referenceCount": len(paper.references),
                    "references": paper.references,
                }
            )
        return Reply(body=json.dumps(slots).encode("utf-8"), headers=JSON)

    def _hub(self, request: LoggedRequest) -> Reply:
        arxiv_id = request.path.removeprefix("/api/arxiv/").removesuffix("/repos")
        paper = self.by_id.get(arxiv_id)
        if paper is None:
            return Reply(status=404, body=b'{"error":"Paper not found"}', headers=JSON)
        repos = {k: paper.repos.get(k, []) for k in ("models", "datasets", "spaces")}
        return Reply(body=json.dumps(repos).encode("utf-8"), headers=JSON)
