"""The query catalog, the model and the docs agree (no Neo4j needed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph.db import model
from graph.db.queries import (
    CONSTRAINTS_FILE,
    LOADER_DIR,
    QUERIES_DIR,
    QueryError,
    catalog,
    constraint_statements,
    get,
    named_constraint_statements,
    parse_query_file,
)

REPO = Path(__file__).resolve().parents[2]
ALL_CYPHER = sorted([*QUERIES_DIR.glob("*.cypher"), *LOADER_DIR.glob("*.cypher")])
_NAME_AFTER_COLON = re.compile(r":([A-Za-z_]\w*(?:\|[A-Za-z_]\w*)*)")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _names_used(text: str) -> set[str]:
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    code = _STRING.sub("''", code)
    return {name for match in _NAME_AFTER_COLON.findall(code) for name in match.split("|")}


def test_catalog_lists_the_named_queries() -> None:
    names = set(catalog())
    assert {
        "papers_referencing",
        "top_entities",
        "paper_builds_on",
        "datasets_with_method",
        "cooccurring_methods",
        "entity_trend",
        "shortest_path",
        "similar_papers",
        "dq_orphan_nodes",
        "dq_orphan_mentions",
        "dq_duplicate_aliases",
        "dq_load_counts",
        "most_cited",
        "co_citation",
        "bibliographic_coupling",
        "citing_with_dataset",
        "citation_path",
        "hub_models_for_method",
        "rising_papers",
        "citation_counts",
    } == names
    for query in catalog().values():
        assert query.description and not query.description.startswith("@")
        used = set(re.findall(r"\$(\w+)", query.body))
        assert used == {p.name for p in query.params}, query.name  # every parameter declared, none unused


@pytest.mark.parametrize("path", ALL_CYPHER, ids=lambda p: p.name)
def test_every_label_and_type_in_cypher_is_declared_in_the_model(path: Path) -> None:
    declared = {label.value for label in model.Label} | {rel.value for rel in model.Rel}
    used = _names_used(path.read_text())
    assert used <= declared, f"{path.name} uses names not in graph/db/model.py: {sorted(used - declared)}"


def test_name_scan_finds_names() -> None:
    assert _names_used("MATCH (p:Paper)-[:MENTIONS|PROPOSES]->(e) WHERE n:Entity AND x = 'a:Bogus'") == {
        "Paper",
        "MENTIONS",
        "PROPOSES",
        "Entity",
    }


def test_constraints_match_the_model_keys() -> None:
    statements = constraint_statements()
    assert all(s.startswith("CREATE ") and "IF NOT EXISTS" in s for s in statements)
    assert list(named_constraint_statements().values()) == statements  # each names what it creates
    unique = set(re.findall(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", CONSTRAINTS_FILE.read_text()))
    assert unique == {(label.value, key) for label, key in model.NODE_KEYS.items()}


def test_parameters_are_typed_and_checked() -> None:
    query = get("top_entities")
    assert query.parameters({"limit": "5", "type": "MODEL"}) == {
        "type": "MODEL",
        "since": "0001-01-01",
        "until": "9999-12-31",
        "limit": 5,
    }
    with pytest.raises(QueryError, match="parameter limit: 'five' is not valid; expected an integer >= 0"):
        query.parameters({"limit": "five"})
    with pytest.raises(QueryError, match="parameter limit: -1 is not valid"):
        query.parameters({"limit": -1})  # values from code are checked too
    with pytest.raises(QueryError, match="parameter limit: True is not valid"):
        query.parameters({"limit": True})
    with pytest.raises(QueryError, match="parameter limit: '9223372036854775808' is not valid"):
        query.parameters({"limit": str(2**63)})  # past Bolt's int64
    with pytest.raises(QueryError, match="parameter since: '2024-13-01' is not valid; expected a date"):
        query.parameters({"since": "2024-13-01"})
    assert query.parameters({"limit": str(2**63 - 1)})["limit"] == 2**63 - 1
    with pytest.raises(QueryError, match="unknown parameter"):
        query.parameters({"typo": "x"})
    with pytest.raises(QueryError, match="paper_id is required"):
        get("similar_papers").parameters({})
    with pytest.raises(QueryError, match="unknown query 'nope'"):
        get("nope")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("// @param limit integer = 3: rows", r"bad\.cypher: parameter limit has unknown type 'integer'"),
        ("// @param limit int = three: rows", "bad.cypher: default 'three' is not a JSON literal"),
        ("// @param limit int[1..x] = 3: rows", r"parameter limit has range \[1..x\]; expected \[min..max\]"),
        ("// @param limit int[5..1] = 3: rows", "empty or non-int64 range"),
        ("// @param limit int[1..10] = 30: rows", "default '30' is not an integer from 1 to 10"),
        ('// @param limit date = "soon": rows', "default '\"soon\"' is not a date YYYY-MM-DD"),
        ("// @param limit string[1..2]: x", "only int parameters take a range"),
    ],
)
def test_bad_header_is_reported_with_the_file(tmp_path: Path, header: str, message: str) -> None:
    bad = tmp_path / "bad.cypher"
    bad.write_text(f"// Something.\n{header}\nRETURN $limit\n")
    with pytest.raises(QueryError, match=message):
        parse_query_file(bad)


def test_a_query_without_description_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cypher"
    bad.write_text("RETURN 1\n")
    with pytest.raises(QueryError, match="missing the description"):
        parse_query_file(bad)


def test_every_limit_is_declared_non_negative() -> None:
    for query in catalog().values():
        for param in query.params:
            if param.name == "limit":
                assert (param.type, param.minimum) == ("int", 0), query.name


def test_repository_and_author_keys() -> None:
    assert model.repository_url("github.com/Example/AlphaNet.git") == "https://github.com/example/alphanet"
    assert model.repository_url("http://www.github.com/a/b/") == "https://github.com/a/b"
    assert model.author_key("Grace  Hopper ") == model.author_key("grace hopper")
    with pytest.raises(ValueError, match="unknown entity type 'TASK'"):
        model.entity_label("TASK")


def test_docs_show_the_current_model() -> None:
    docs = (REPO / "docs" / "GRAPH.md").read_text()
    assert model.mermaid() in docs, "docs/GRAPH.md is stale: paste graph.db.model.mermaid() into it"
    for name in catalog():
        assert f"`{name}`" in docs, f"docs/GRAPH.md does not mention query {name}"


def test_graph_modules_never_import_airflow() -> None:
    code = (
        "import sys, graph.db.loader, graph.db.checks, graph.db.runner, graph.db.browser_guide;"
        "import graph.snapshot, paper_graph.steps, paper_graph.cli.load, paper_graph.cli.query;"
        "import paper_graph.bench.load, paper_graph.connection;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"
