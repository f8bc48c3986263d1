"""The named queries: one parameterised `.cypher` file each, described by its header comments.

Header format (the first comment lines of the file):

    // What the query answers (one or more lines).
    // @param name type[range] [= default]: help

`type` is string, int, float, bool or date (a YYYY-MM-DD string, what Cypher's `date()` reads); an
int may declare an inclusive range, `int[0..]` or `int[1..100]`, and is always within Bolt's int64.
A parameter without a default is required. Values are checked against these declarations before a
query is sent, so a bad value is a one-line QueryError naming the parameter and what it expects,
never a server error. The CLI (`paper-graph query`), the Neo4j Browser guide/favourites and the
tests all read this catalog.
Loader statements live in `loader/` and `constraints.cypher`; they are not named queries.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

QUERIES_DIR: Final = Path(__file__).resolve().parent
LOADER_DIR: Final = QUERIES_DIR / "loader"
CONSTRAINTS_FILE: Final = QUERIES_DIR / "constraints.cypher"

_PARAM_LINE = re.compile(
    r"^//\s*@param\s+(?P<name>\w+)\s+(?P<type>\w+)(?:\[(?P<range>[^\]]*)\])?"
    r"(?:\s*=\s*(?P<default>[^:]+?))?\s*:\s*(?P<help>.*)$"
)
TYPES: Final = ("string", "int", "float", "bool", "date")
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1  # Bolt integers are int64: anything wider fails in the driver
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


class QueryError(ValueError):
    """Unknown query, bad header or bad parameter value."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    required: bool
    help: str
    minimum: int = INT64_MIN  # ints only
    maximum: int = INT64_MAX

    @property
    def expected(self) -> str:
        """What a valid value looks like, for messages and `--list`."""
        if self.type == "int":
            if (self.minimum, self.maximum) == (INT64_MIN, INT64_MAX):
                return "an integer"
            if self.maximum == INT64_MAX:
                return f"an integer >= {self.minimum}"
            return f"an integer from {self.minimum} to {self.maximum}"
        return {
            "string": "a string",
            "float": "a finite number",
            "bool": "true or false",
            "date": "a date YYYY-MM-DD",
        }[self.type]

    def _bad(self, value: Any) -> QueryError:
        return QueryError(f"parameter {self.name}: {value!r} is not valid; expected {self.expected}")

    def parse(self, text: str) -> Any:
        """Convert a command-line value to this parameter's type and check it."""
        if self.type == "bool":
            lowered = text.strip().lower()
            if lowered not in _TRUE + _FALSE:
                raise self._bad(text)
            return lowered in _TRUE
        if self.type == "int":
            try:
                return self.check(int(text.strip()))
            except ValueError as exc:
                raise self._bad(text) from exc
        if self.type == "float":
            try:
                return self.check(float(text))
            except ValueError as exc:
                raise self._bad(text) from exc
        return self.check(text)

    def check(self, value: Any) -> Any:
        """`value` if it is valid for this parameter (a Python value, e.g. from code), else QueryError."""
        if self.type == "bool":
            ok = isinstance(value, bool)
        elif self.type == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
            ok = ok and self.minimum <= value <= self.maximum
        elif self.type == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        elif self.type == "date":
            ok = isinstance(value, str) and _is_iso_date(value)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise self._bad(value)
        return value


def _is_iso_date(text: str) -> bool:
    if not _ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


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
                try:
                    values[param.name] = param.parse(value) if isinstance(value, str) else param.check(value)
                except QueryError as exc:
                    raise QueryError(f"query {self.name}: {exc}") from None
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


def _parse_range(text: str | None, origin: Path, name: str) -> tuple[int, int]:
    """`[min..max]` of an int parameter (either end may be left out), within int64."""
    if text is None:
        return INT64_MIN, INT64_MAX
    low, sep, high = text.partition("..")
    try:
        if not sep:
            raise ValueError(text)
        minimum = int(low) if low.strip() else INT64_MIN
        maximum = int(high) if high.strip() else INT64_MAX
    except ValueError:
        raise QueryError(f"{origin}: parameter {name} has range [{text}]; expected [min..max]") from None
    if not INT64_MIN <= minimum <= maximum <= INT64_MAX:
        raise QueryError(f"{origin}: parameter {name} has an empty or non-int64 range [{text}]")
    return minimum, maximum


def _parse_param(match: re.Match[str], origin: Path) -> Param:
    name, param_type = match["name"], match["type"]
    if param_type not in TYPES:
        raise QueryError(f"{origin}: parameter {name} has unknown type {param_type!r}")
    if match["range"] is not None and param_type != "int":
        raise QueryError(f"{origin}: parameter {name}: only int parameters take a range")
    minimum, maximum = _parse_range(match["range"], origin, name)
    text = match["default"]
    param = Param(name, param_type, None, text is None, match["help"], minimum, maximum)
    if text is None:
        return param
    try:
        default = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError(f"{origin}: default {text!r} is not a JSON literal") from exc
    try:
        param.check(default)
    except QueryError:
        raise QueryError(f"{origin}: default {text!r} is not {param.expected}") from None
    return Param(name, param_type, default, False, match["help"], minimum, maximum)


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        match = _PARAM_LINE.match(line)
        if match:
            params.append(_parse_param(match, path))
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


_SCHEMA_NAME = re.compile(r"^CREATE\s+(?:CONSTRAINT|INDEX)\s+(\w+)\s+IF NOT EXISTS\b")


def named_constraint_statements() -> dict[str, str]:
    """constraints.cypher by the name each statement creates (every statement names its index or
    constraint, so `SHOW INDEXES` tells which exist)."""
    named: dict[str, str] = {}
    for statement in constraint_statements():
        match = _SCHEMA_NAME.match(statement)
        if match is None:
            raise QueryError(f"{CONSTRAINTS_FILE}: a statement names no index or constraint: {statement!r}")
        named[match.group(1)] = statement
    return named
