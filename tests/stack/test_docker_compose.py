"""docker-compose.yaml cannot run here (no Docker engine): check its structure instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yaml").read_text())


def test_official_images_and_versions(compose: dict) -> None:
    services = compose["services"]
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert services["postgres"]["image"].startswith("postgres:")
    for name in AIRFLOW_SERVICES:
        assert re.fullmatch(r"apache/airflow:3\.1\.\d+-python3\.11", services[name]["image"]), name


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's `${VAR}` and `${VAR:-default}` with the given variables (`$$` is a literal `$`)."""

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(3)
        if variables.get(name):
            return variables[name]
        assert default is not None, f"{name} is unset and has no default"
        return default

    return re.sub(r"(?<!\$)\$\{(\w+)(:-([^}]*))?\}", one, value)


def test_executor_is_local_by_default_and_celery_with_the_profile_setting(compose: dict) -> None:
    env = compose["services"]["airflow-scheduler"]["environment"]
    assert _interpolate(env["AIRFLOW__CORE__EXECUTOR"], {}) == "LocalExecutor"
    assert _interpolate(env["AIRFLOW__CORE__EXECUTOR"], {"AIRFLOW_EXECUTOR": "CeleryExecutor"}) == (
        "CeleryExecutor"
    )
    for name in AIRFLOW_SERVICES:  # every component reads the same executor setting
        executor = compose["services"][name]["environment"]["AIRFLOW__CORE__EXECUTOR"]
        assert executor == ("CeleryExecutor" if name in CELERY_WORKERS else env["AIRFLOW__CORE__EXECUTOR"])


def test_celery_profile_redis_and_two_workers(compose: dict) -> None:
    services = compose["services"]
    in_profile = {name for name, s in services.items() if "celery" in s.get("profiles", [])}
    assert in_profile == {"redis", *CELERY_WORKERS}
    assert all(not s.get("profiles") for name, s in services.items() if name not in in_profile)

    redis = services["redis"]
    assert re.fullmatch(r"redis:7\.\d+(-\w+)?", redis["image"])  # the official image
    assert "ports" not in redis  # the broker is reached inside the compose network only
    assert redis["command"][:1] == ["redis-server"] and "--save" in redis["command"]

    scheduler = services["airflow-scheduler"]
    broker = scheduler["environment"]["AIRFLOW__CELERY__BROKER_URL"]
    assert broker == "redis://redis:6379/0"
    assert scheduler["environment"]["AIRFLOW__CELERY__RESULT_BACKEND"] == (
        "db+" + scheduler["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    )
    node_names = set()
    for name in CELERY_WORKERS:
        worker = services[name]
        assert worker["image"] == scheduler["image"]
        assert worker["environment"]["AIRFLOW__CELERY__BROKER_URL"] == broker
        assert sorted(worker["volumes"]) == sorted(scheduler["volumes"])  # same code, same data volume
        assert worker["depends_on"]["redis"] == {"condition": "service_healthy"}
        assert worker["command"][:2] == ["celery", "worker"]
        node = worker["command"][worker["command"].index("--celery-hostname") + 1]
        assert node.endswith("@" + worker["hostname"]) and worker["hostname"] == name
        assert f'-d "{node.split("@")[0]}@$${{HOSTNAME}}"' in worker["healthcheck"]["test"][1]
        node_names.add(node)
    assert len(node_names) == len(CELERY_WORKERS)


def test_env_example_says_how_to_switch_to_celery() -> None:
    lines = (REPO / ".env.example").read_text().splitlines()
    assert "AIRFLOW_EXECUTOR=LocalExecutor" in lines
    assert "#COMPOSE_PROFILES=celery" in lines


def test_airflow_runs_on_postgres_and_talks_to_neo4j(compose: dict) -> None:
    env = compose["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert '"host": "neo4j"' in env["AIRFLOW_CONN_NEO4J_DEFAULT"]


def test_ports(compose: dict) -> None:
    services = compose["services"]
    assert set(services["neo4j"]["ports"]) == {"7474:7474", "7687:7687"}
    assert services["airflow-apiserver"]["ports"] == ["8080:8080"]


def test_every_long_running_service_has_a_healthcheck(compose: dict) -> None:
    for name, service in compose["services"].items():
        if name == "airflow-init":
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_project_folders_are_mounted(compose: dict) -> None:
    volumes = compose["services"]["airflow-scheduler"]["volumes"]
    targets = {v.split(":")[0] for v in volumes}
    assert {"./dags", "./plugins", "./extract", "./graph", "./paper_graph", "./config"} <= targets
    for source in targets:
        if source.startswith("./"):
            assert (REPO / source).exists(), f"mounted path {source} does not exist"


def test_credentials_come_from_env_file_not_the_compose_file(compose: dict) -> None:
    text = (REPO / "docker-compose.yaml").read_text()
    assert "${NEO4J_PASSWORD}" in text and "${POSTGRES_PASSWORD}" in text
    example = dict(
        line.split("=", 1)
        for line in (REPO / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    referenced = set(re.findall(r"(?<!\$)\$\{(\w+)\}", text))  # $${X} is an escaped container-side variable
    assert referenced <= set(example), f"variables missing from .env.example: {referenced - set(example)}"
    for service in compose["services"].values():
        assert service.get("env_file") == ".env"


CELERY_WORKERS = ("airflow-worker-1", "airflow-worker-2")
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    *CELERY_WORKERS,
)


def _mounts(service: dict) -> list[tuple[str, str]]:
    return [tuple(v.split(":")[:2]) for v in service["volumes"]]  # type: ignore[misc]


def _host_path(service: dict, container_path: str) -> Path:
    """Where a container path comes from on this checkout (a bind mount of the repo)."""
    for source, target in _mounts(service):
        if source.startswith("./") and (container_path == target or container_path.startswith(target + "/")):
            return REPO / source[2:] / container_path[len(target) :].lstrip("/")
    raise AssertionError(f"{container_path} is not bind-mounted from the repo")


def _snapshot_root_in(service: dict) -> str:
    """The snapshot root `paper_graph.config` resolves with the service's environment."""
    from paper_graph.config import load_config

    env = {k: str(v) for k, v in service["environment"].items()}
    config = _host_path(service, env["PAPER_GRAPH_CONFIG"])  # the container's config file, read here
    return str(load_config(config, env=env).paths.snapshots)


def test_the_download_page_finds_the_snapshots_the_pipeline_writes(compose: dict) -> None:
    """The plugin (api-server) and the steps (scheduler's workers) resolve one snapshot root, mounted."""
    services = compose["services"]
    roots = {name: _snapshot_root_in(services[name]) for name in AIRFLOW_SERVICES}
    assert len(set(roots.values())) == 1, roots
    root = roots["airflow-apiserver"]
    assert root.startswith("/opt/paper-graph/")  # inside the container, not this machine's var/
    for name in ("airflow-apiserver", "airflow-scheduler"):
        targets = [target for _, target in _mounts(services[name])]
        assert any(root == t or root.startswith(t + "/") for t in targets), f"{root} not mounted in {name}"
        volume = next(s for s, t in _mounts(services[name]) if root.startswith(t))
        assert volume in compose["volumes"], f"{name}: {root} is not on a named volume the services share"


def test_every_project_package_is_mounted_for_the_editable_install(compose: dict) -> None:
    import tomllib

    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    for name in AIRFLOW_SERVICES:
        mounted = {target.rsplit("/", 1)[-1] for _, target in _mounts(compose["services"][name])}
        for pattern in packages["find"]["include"]:
            assert pattern.rstrip("*") in mounted, f"{name} does not mount {pattern.rstrip('*')}"
