"""The named queries: one parameterised `.cypher` file each, described by its header comments.

Header format (the first comment lines of the file):

    // What the query answers (one or more lines).
    // @param name type [= default]: help

`type` is string, int, float or bool; a parameter without a default is required. The CLI
(`paper-graph query`), the Neo4j Browser guide/favourites and the tests all read this catalog.
Loader statements live in `loader/` and `constraints.cypher`; they are not named queries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

QUERIES_DIR: Final = Path(__file__).resolve().parent
LOADER_DIR: Final = QUERIES_DIR / "loader"
CONSTRAINTS_FILE: Final = QUERIES_DIR / "constraints.cypher"

_PARAM_LINE = re.compile(
    r"^//\s*@param\s+(?P<name>\w+)\s+(?P<type>\w+)(?:\s*=\s*(?P<default>[^:]+?))?\s*:\s*(?P<help>.*)$"
)
_CASTS: Final[dict[str, Any]] = {"string": str, "int": int, "float": float, "bool": None}


class QueryError(ValueError):
    """Unknown query, bad header or bad parameter value."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    required: bool
    help: str

    def parse(self, text: str) -> Any:
        """Convert a command-line value to this parameter's type."""
        if self.type == "bool":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise QueryError(f"parameter {self.name}: {text!r} is not a boolean")
            return lowered in ("true", "1", "yes")
        try:
            return _CASTS[self.type](text)
        except ValueError as exc:
            raise QueryError(f"parameter {self.name}: {text!r} is not a valid {self.type}") from exc


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    cypher: str  # the whole file, header included (comments are valid Cypher)
    path: Path

    def parameters(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults completed with `given`; raises QueryError for unknown or missing parameters."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise QueryError(
                f"query {self.name}: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        values: dict[str, Any] = {}
        for param in self.params:
            if param.name in given:
                value = given[param.name]
                values[param.name] = param.parse(value) if isinstance(value, str) else value
            elif param.required:
                raise QueryError(f"query {self.name}: parameter {param.name} is required ({param.help})")
            else:
                values[param.name] = param.default
        return values

    @property
    def body(self) -> str:
        """The statement without its header comments."""
        lines = self.cypher.splitlines()
        while lines and lines[0].startswith("//"):
            lines.pop(0)
        return "\n".join(lines).strip()


def _parse_default(param_type: str, text: str | None, origin: Path) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError(f"{origin}: default {text!r} is not a JSON literal") from exc
    expected = {"string": str, "int": int, "float": (int, float), "bool": bool}[param_type]
    if not isinstance(value, expected):
        raise QueryError(f"{origin}: default {text!r} is not a {param_type}")
    return value


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        match = _PARAM_LINE.match(line)
        if match:
            param_type = match["type"]
            if param_type not in _CASTS:
                raise QueryError(f"{path}: parameter {match['name']} has unknown type {param_type!r}")
            default = _parse_default(param_type, match["default"], path)
            params.append(Param(match["name"], param_type, default, match["default"] is None, match["help"]))
        elif "@param" in line:
            raise QueryError(f"{path}: cannot read parameter line {line!r}")
        else:
            description.append(line.lstrip("/").strip())
    if not description:
        raise QueryError(f"{path}: missing the description comment")
    return NamedQuery(path.stem, " ".join(description), tuple(params), text, path)


@cache
def catalog() -> dict[str, NamedQuery]:
    """Every named query, by name (file stem), sorted."""
    files = sorted(p for p in QUERIES_DIR.glob("*.cypher") if p != CONSTRAINTS_FILE)
    return {q.name: q for q in map(parse_query_file, files)}


def get(name: str) -> NamedQuery:
    queries = catalog()
    if name not in queries:
        raise QueryError(f"unknown query {name!r}; known: {', '.join(queries)}")
    return queries[name]


def loader_statement(name: str) -> str:
    """A loader statement (`loader/<name>.cypher`)."""
    return (LOADER_DIR / f"{name}.cypher").read_text(encoding="utf-8")


def constraint_statements() -> list[str]:
    """The statements of constraints.cypher, one per `;`, comments dropped."""
    lines = [
        line
        for line in CONSTRAINTS_FILE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("//")
    ]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
