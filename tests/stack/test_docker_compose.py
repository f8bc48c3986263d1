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
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
        assert re.fullmatch(r"apache/airflow:3\.1\.\d+-python3\.11", services[name]["image"]), name


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
    assert {"./dags", "./plugins", "./extract", "./graph", "./config"} <= targets
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
