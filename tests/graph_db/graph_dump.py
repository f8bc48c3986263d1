"""A canonical, order-independent dump of the whole graph, to compare two databases' contents."""

from __future__ import annotations

import json
from typing import Any

NODES = """
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS properties
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN type(r) AS type, coalesce(a.paper_id, a.key, a.url, a.load_id) AS start,
       coalesce(b.paper_id, b.key, b.url, b.load_id) AS end, properties(r) AS properties
"""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def canonical_dump(driver: Any) -> list[str]:
    """One JSON line per node and relationship, sorted; labels sorted, values as text."""
    nodes, _, _ = driver.execute_query(NODES)
    rels, _, _ = driver.execute_query(RELATIONSHIPS)
    lines = [_canonical({"labels": sorted(r["labels"]), "properties": r["properties"]}) for r in nodes]
    lines += [_canonical({**r.data(), "properties": r["properties"]}) for r in rels]
    return sorted(lines)
