"""The ONE resolution of the Neo4j connection (URI, user, password) for every entry point.

`paper-graph load|query`, `make run` (scripts/run_pipeline.py), the DAGs' Airflow connection
(`AIRFLOW_CONN_NEO4J_DEFAULT`, written by paper_graph.local.airflow_env), benchmarks and the tests
all call `resolve()` (or the shorthands `uri()`, `user()`, `password()`, `driver()`):

- URI:      $NEO4J_URI, else the local server `bolt://127.0.0.1:$NEO4J_BOLT_PORT` (port 7687 by default);
- user:     $NEO4J_USER, else `neo4j`;
- password: $NEO4J_PASSWORD, else the file $NEO4J_PASSWORD_FILE, else the local server's generated
            `.neo4j/password` (under $PAPER_GRAPH_NEO4J_ROOT when set).

Only the local server creates the password file (`password(create=True)`); a client without it gets
a ConnectionSettingsError naming the file. `open_driver()` fails fast (seconds) with a one-line
ConnectionSettingsError naming the URI and what to do, instead of the driver's 30-60 s of retries
and a chained traceback.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from paper_graph.config import PROJECT_ROOT

NEO4J_ROOT = Path(os.environ.get("PAPER_GRAPH_NEO4J_ROOT") or PROJECT_ROOT / ".neo4j")
PASSWORD_FILE = NEO4J_ROOT / "password"  # the local server's generated password (git-ignored)
DEFAULT_USER: Final = "neo4j"
DEFAULT_BOLT_PORT: Final = 7687
DEFAULT_HOST: Final = "127.0.0.1"
LOCAL_HOST: Final = DEFAULT_HOST
CONNECT_TIMEOUT: Final = 5.0  # seconds for one TCP connect (driver default: 30)
ACQUIRE_TIMEOUT: Final = 10.0  # seconds to get a working connection, Bolt handshake included (default: 60)
RETRY_TIME: Final = 5.0  # seconds a managed transaction is retried on a lost server (driver default: 30)
SCHEMES: Final = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
START_HINT: Final = (
    "start the local server with `paper-graph neo4j start` (or `make neo4j-start`),"
    " or point NEO4J_URI (or NEO4J_BOLT_PORT) at a running one"
)


class ConnectionSettingsError(RuntimeError):
    """No usable settings, or Neo4j cannot be reached or refuses them (one line, with what to do)."""


def local_password_file(env: Mapping[str, str] | None = None) -> Path:
    """The local server's password file: PASSWORD_FILE, or under an explicit env's PAPER_GRAPH_NEO4J_ROOT."""
    if env is not None and env.get("PAPER_GRAPH_NEO4J_ROOT"):
        return Path(env["PAPER_GRAPH_NEO4J_ROOT"]) / "password"
    return PASSWORD_FILE


def bolt_port(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    text = env.get("NEO4J_BOLT_PORT") or str(DEFAULT_BOLT_PORT)
    try:
        port = int(text)
    except ValueError:
        raise ConnectionSettingsError(f"NEO4J_BOLT_PORT={text!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ConnectionSettingsError(f"NEO4J_BOLT_PORT={text!r} is not a port number (1-65535)")
    return port


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str = field(repr=False)
    password_source: str  # "$NEO4J_PASSWORD" or the file it was read from, for messages
    local: bool  # the project's local server (NEO4J_URI unset)

    @property
    def host(self) -> str:
        return urlsplit(self.uri).hostname or LOCAL_HOST

    @property
    def port(self) -> int:
        return urlsplit(self.uri).port or DEFAULT_BOLT_PORT

    def airflow_connection(self) -> dict[str, Any]:
        """The same server as an Airflow connection (AIRFLOW_CONN_NEO4J_DEFAULT) for the provider's hook."""
        scheme = urlsplit(self.uri).scheme
        extra: dict[str, Any] = {}
        if scheme.startswith("neo4j"):
            extra["neo4j_scheme"] = True
        if scheme.endswith("+s"):
            extra["certs_trusted_ca"] = True
        elif scheme.endswith("+ssc"):
            extra["certs_self_signed"] = True
        return {
            "conn_type": "neo4j",
            "host": self.host,
            "port": self.port,
            "login": self.user,
            "password": self.password,
            "extra": extra,
        }


def resolve_password(env: Mapping[str, str] | None = None, *, create: bool = False) -> tuple[str, str]:
    """(password, where it came from). `create`: generate the local file when missing (local server)."""
    env = os.environ if env is None else env
    if env.get("NEO4J_PASSWORD"):
        return env["NEO4J_PASSWORD"], "$NEO4J_PASSWORD"
    if env.get("NEO4J_PASSWORD_FILE"):
        path = Path(env["NEO4J_PASSWORD_FILE"])
        try:
            return path.read_text().strip(), str(path)
        except OSError as exc:
            raise ConnectionSettingsError(f"NEO4J_PASSWORD_FILE={path}: {exc.strerror or exc}") from None
    path = local_password_file(env)
    if not path.exists():
        if not create:
            raise ConnectionSettingsError(
                f"set NEO4J_PASSWORD (no password file at {path}; or set NEO4J_PASSWORD_FILE, or"
                f" {START_HINT})"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(18))
        path.chmod(0o600)
    return path.read_text().strip(), str(path)


def _is_neo4j_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    try:
        parts.port  # noqa: B018 (raises ValueError when out of range)
    except ValueError:
        return False
    return parts.scheme in SCHEMES and bool(parts.hostname)


def resolve_uri(env: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """(URI, whether it is the local server): $NEO4J_URI, else bolt://127.0.0.1:$NEO4J_BOLT_PORT."""
    env = os.environ if env is None else env
    uri = env.get("NEO4J_URI") or ""
    if not uri:
        return f"bolt://{LOCAL_HOST}:{bolt_port(env)}", True
    if not _is_neo4j_uri(uri):
        raise ConnectionSettingsError(
            f"NEO4J_URI={uri!r} is not a Neo4j URI; expected e.g. bolt://127.0.0.1:7687"
        )
    return uri, False


def resolve(env: Mapping[str, str] | None = None, *, create_password: bool = False) -> Connection:
    """The connection every entry point uses (see the module doc for the order)."""
    env = os.environ if env is None else env
    uri, local = resolve_uri(env)
    password, source = resolve_password(env, create=create_password)
    return Connection(uri, env.get("NEO4J_USER") or DEFAULT_USER, password, source, local)


def _reason(exc: BaseException) -> str:
    """Why the server is unusable, short: the OS reason ('Connection refused') or the driver's last line."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    if "handshake" in text:
        return f"it accepted the connection but gave no Bolt answer within {ACQUIRE_TIMEOUT:.0f}s"
    if "Connection refused" in text:
        return "Connection refused"
    if "resolve" in text.lower() and "address" in text.lower():
        return "the host name does not resolve"
    lines = text.strip().splitlines()
    return lines[-1][:200] if lines else type(exc).__name__


def unavailable(connection: Connection, exc: BaseException) -> ConnectionSettingsError:
    """A one-line ConnectionSettingsError for a driver error raised while talking to `connection`."""
    from neo4j.exceptions import AuthError

    if isinstance(exc, AuthError):
        return ConnectionSettingsError(
            f"Neo4j at {connection.uri} refused user {connection.user!r} with the password from"
            f" {connection.password_source}: set NEO4J_USER / NEO4J_PASSWORD for that server"
        )
    return ConnectionSettingsError(f"cannot reach Neo4j at {connection.uri} ({_reason(exc)}): {START_HINT}")


def driver_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean 'the server is gone or unusable', for callers to turn into one line."""
    from neo4j.exceptions import AuthError, DriverError, ServiceUnavailable, SessionExpired

    return (ServiceUnavailable, SessionExpired, AuthError, DriverError)


def open_driver(connection: Connection | None = None, *, verify: bool = True) -> Any:
    """A neo4j Driver for `connection` (default: `resolve()`), checked to answer, failing fast."""
    from neo4j import GraphDatabase

    connection = connection or resolve()
    try:
        driver = GraphDatabase.driver(
            connection.uri,
            auth=(connection.user, connection.password),
            connection_timeout=CONNECT_TIMEOUT,
            connection_acquisition_timeout=ACQUIRE_TIMEOUT,
            max_transaction_retry_time=RETRY_TIME,
            # "label does not exist" on an empty graph is no news to a person: keep stderr for errors
            notifications_min_severity="OFF",
        )
    except ValueError as exc:  # a malformed URI
        raise ConnectionSettingsError(f"NEO4J_URI={connection.uri!r} is not a Neo4j URI: {exc}") from None
    if verify:
        try:
            driver.verify_connectivity()
        except driver_errors() as exc:
            driver.close()
            raise unavailable(connection, exc) from None
    return driver


# Shorthands over resolve(), for os.environ.
def uri() -> str:
    return resolve_uri()[0]


def user() -> str:
    return os.environ.get("NEO4J_USER") or DEFAULT_USER


def password(create: bool = False) -> str:
    return resolve_password(create=create)[0]


def driver(target: str | None = None, verify: bool = True) -> Any:
    """A fail-fast driver for `target` (default: the resolved URI) with the resolved credentials."""
    resolved = resolve()
    if target:
        resolved = dataclasses.replace(resolved, uri=target, local=False)
    return open_driver(resolved, verify=verify)


def airflow_connection(port: int | None = None) -> dict[str, Any]:
    """AIRFLOW_CONN_NEO4J_DEFAULT: the resolved server (the local one on `port`, unless NEO4J_URI)."""
    env = {**os.environ, "NEO4J_BOLT_PORT": str(port)} if port else None
    return resolve(env, create_password=True).airflow_connection()
