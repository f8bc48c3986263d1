"""Environment for running Airflow against the local stack (project-local AIRFLOW_HOME, local Neo4j).

`python -m paper_graph.local.airflow_env` prints `export` lines for a shell (`make airflow` evals them).
No secret is committed: the Neo4j password and the API JWT secret are generated on first use and
kept in git-ignored files (.neo4j/password, $AIRFLOW_HOME/jwt_secret).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
from pathlib import Path

from paper_graph import connection
from paper_graph.config import PROJECT_ROOT
from paper_graph.local import neo4j as neo4j_local


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME", PROJECT_ROOT / "var" / "airflow"))


def _jwt_secret(home: Path) -> str:
    path = home / "jwt_secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def local_airflow_env(instance: neo4j_local.Instance | None = None) -> dict[str, str]:
    """Variables that make `airflow` use this project's DAGs, plugin and local Neo4j."""
    instance = instance or neo4j_local.Instance.from_env()
    home = airflow_home()
    neo4j_conn = connection.airflow_connection(instance.bolt_port)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "AIRFLOW__API_AUTH__JWT_SECRET": os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET") or _jwt_secret(home),
        "AIRFLOW_CONN_NEO4J_DEFAULT": os.environ.get("AIRFLOW_CONN_NEO4J_DEFAULT") or json.dumps(neo4j_conn),
        "NEO4J_BROWSER_URL": os.environ.get("NEO4J_BROWSER_URL", f"{instance.http_url}/browser/"),
    }


def main() -> None:
    for key, value in local_airflow_env().items():
        print(f"export {key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
