"""The one Neo4j connection resolution for the CLI, the local Airflow env, scripts and benchmarks.

- URI: $NEO4J_URI, else bolt://127.0.0.1:$NEO4J_BOLT_PORT (default 7687);
- user: $NEO4J_USER (default neo4j);
- password: $NEO4J_PASSWORD, else the local server's generated password file (.neo4j/password,
  git-ignored; $PAPER_GRAPH_NEO4J_ROOT moves .neo4j). Only the local server creates that file
  (`password(create=True)`); a client without it gets a ConnectionSettingsError naming the file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase

from paper_graph.config import PROJECT_ROOT

NEO4J_ROOT = Path(os.environ.get("PAPER_GRAPH_NEO4J_ROOT", PROJECT_ROOT / ".neo4j"))
PASSWORD_FILE = NEO4J_ROOT / "password"
DEFAULT_USER = "neo4j"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_BOLT_PORT = 7687


class ConnectionSettingsError(RuntimeError):
    """No password to connect with, or the server cannot be reached."""


def bolt_port() -> int:
    return int(os.environ.get("NEO4J_BOLT_PORT") or DEFAULT_BOLT_PORT)


def uri() -> str:
    return os.environ.get("NEO4J_URI") or f"bolt://{DEFAULT_HOST}:{bolt_port()}"


def user() -> str:
    return os.environ.get("NEO4J_USER") or DEFAULT_USER


def password(create: bool = False) -> str:
    if os.environ.get("NEO4J_PASSWORD"):
        return os.environ["NEO4J_PASSWORD"]
    if not PASSWORD_FILE.exists():
        if not create:
            raise ConnectionSettingsError(f"set NEO4J_PASSWORD (no password file at {PASSWORD_FILE})")
        NEO4J_ROOT.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.write_text(secrets.token_urlsafe(18))
        PASSWORD_FILE.chmod(0o600)
    return PASSWORD_FILE.read_text().strip()


def driver(target: str | None = None, verify: bool = True) -> Driver:
    """A driver for `target` (default: `uri()`) with `user()` / `password()`; checked when `verify`."""
    address = target or uri()
    new = GraphDatabase.driver(address, auth=(user(), password()))
    if verify:
        try:
            new.verify_connectivity()
        except Exception as exc:
            new.close()
            raise ConnectionSettingsError(f"cannot connect to Neo4j at {address}: {exc}") from exc
    return new


def airflow_connection(port: int | None = None) -> dict[str, Any]:
    """The Airflow `neo4j_default` connection (AIRFLOW_CONN_NEO4J_DEFAULT) for the local server."""
    return {
        "conn_type": "neo4j",
        "host": DEFAULT_HOST,
        "port": port or bolt_port(),
        "login": user(),
        "password": password(create=True),
        "extra": {},
    }
