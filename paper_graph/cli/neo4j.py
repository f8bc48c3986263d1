"""`paper-graph neo4j install|start|stop|status|stop-all`: the local Neo4j server."""

from __future__ import annotations

import time

import click

from paper_graph.connection import NEO4J_ROOT, PASSWORD_FILE
from paper_graph.local.neo4j import (
    USER,
    Instance,
    Neo4jLocalError,
    bolt_ready,
    install,
    lib_dir,
    password,
    running_pid,
    start,
    stop,
)

_instance_options = [
    click.option(
        "--instance", "name", default=None, help="Instance name (env NEO4J_INSTANCE, default 'default')."
    ),
    click.option(
        "--bolt-port", type=int, default=None, help="Bolt port (env NEO4J_BOLT_PORT, default 7687)."
    ),
    click.option(
        "--http-port", type=int, default=None, help="HTTP port (env NEO4J_HTTP_PORT, default 7474)."
    ),
]


def _with_instance_options(func):  # type: ignore[no-untyped-def]
    for option in reversed(_instance_options):
        func = option(func)
    return func


def _instance(name: str | None, bolt_port: int | None, http_port: int | None) -> Instance:
    base = Instance.from_env()
    return Instance(
        name=name or base.name,
        bolt_port=bolt_port or base.bolt_port,
        http_port=http_port or base.http_port,
    )


class _Neo4jGroup(click.Group):
    """Neo4jLocalError (server died while starting, no java, ...) as a message, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Neo4jLocalError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Neo4jGroup)
def neo4j() -> None:
    """Run the local Neo4j Community server (jars from Maven Central, no Docker)."""


@neo4j.command("install")
def install_cmd() -> None:
    """Resolve the Neo4j server and Browser jars with Maven."""
    install()
    click.echo(f"Neo4j jars in {lib_dir()}")


@neo4j.command("start")
@_with_instance_options
def start_cmd(name: str | None, bolt_port: int | None, http_port: int | None) -> None:
    """Start the server (waits until Bolt answers)."""
    instance = _instance(name, bolt_port, http_port)
    began = time.monotonic()
    pid = start(instance)
    click.echo(f"Neo4j '{instance.name}' running (pid {pid}, ready in {time.monotonic() - began:.1f}s)")
    click.echo(f"  Bolt:    {instance.uri}  user {USER}, password in {PASSWORD_FILE} (or $NEO4J_PASSWORD)")
    click.echo(f"  Browser: {instance.http_url}/browser/")
    click.echo(f"  Logs:    {instance.home / 'logs'}")


@neo4j.command("stop")
@_with_instance_options
def stop_cmd(name: str | None, bolt_port: int | None, http_port: int | None) -> None:
    """Stop the server."""
    instance = _instance(name, bolt_port, http_port)
    click.echo(f"Neo4j '{instance.name}' {'stopped' if stop(instance) else 'was not running'}")


@neo4j.command("status")
@_with_instance_options
def status_cmd(name: str | None, bolt_port: int | None, http_port: int | None) -> None:
    """Exit 0 when the server runs and answers on Bolt, 3 otherwise."""
    instance = _instance(name, bolt_port, http_port)
    pid = running_pid(instance)
    if pid is None or not bolt_ready(instance, password()):
        click.echo(f"Neo4j '{instance.name}' not running")
        raise SystemExit(3)
    click.echo(
        f"Neo4j '{instance.name}' running (pid {pid}) at {instance.uri}; Browser {instance.http_url}/browser/"
    )


@neo4j.command("stop-all")
def stop_all_cmd() -> None:
    """Stop every instance under .neo4j/instances."""
    for home in sorted((NEO4J_ROOT / "instances").glob("*")):
        if stop(Instance(name=home.name)):
            click.echo(f"Neo4j '{home.name}' stopped")
