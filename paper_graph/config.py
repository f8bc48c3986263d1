"""The pipeline configuration: `config/pipeline.toml` (or $PAPER_GRAPH_CONFIG) as frozen dataclasses.

The one source of the snapshot root: `paths.snapshots` under the data root ($PAPER_GRAPH_DATA
overrides `paths.data_root`; $PAPER_GRAPH_SNAPSHOTS overrides the snapshot folder itself). The CLI,
the DAG steps, the download-page plugin and docker-compose all resolve it here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "pipeline.toml"
CONFIG_ENV = "PAPER_GRAPH_CONFIG"
DATA_ENV = "PAPER_GRAPH_DATA"
SNAPSHOTS_ENV = "PAPER_GRAPH_SNAPSHOTS"


class ConfigError(ValueError):
    """The configuration file or a source specification is invalid."""


@dataclass(frozen=True)
class Paths:
    data_root: Path
    archive: Path
    work: Path
    snapshots: Path


@dataclass(frozen=True)
class PipelineConfig:
    paths: Paths
    fetch: dict[str, Any]
    sources: tuple[dict[str, Any], ...]
    extract_batch_size: int = 256
    extract_processes: int = 1
    extract_shard_size: int = 5000  # papers per extract shard: one mapped Airflow task each
    load_batch_size: int = 2000
    enrich: dict[str, Any] = field(default_factory=dict)  # the [enrich] table (extract.enrich.EnrichSettings)
    source_file: Path | None = field(default=None, compare=False)


def _resolve(base: Path, value: str | os.PathLike[str]) -> Path:
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else (base / path).resolve()


def load_config(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> PipelineConfig:
    """Read the TOML config; relative paths are resolved against the project folder.

    `env`: the environment to resolve with (default: this process's), e.g. a container's.
    """
    env = os.environ if env is None else env
    config_path = Path(path or env.get(CONFIG_ENV) or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(config_path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"{config_path}: configuration file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: invalid TOML: {exc}") from exc
    paths = raw.get("paths", {})
    _check_paths_local(paths, env, config_path)
    data_root = _resolve(PROJECT_ROOT, env.get(DATA_ENV) or paths.get("data_root", "var"))
    sources = tuple(raw.get("sources", []))
    for source in sources:
        _check_source(source, config_path)
    return PipelineConfig(
        paths=Paths(
            data_root=data_root,
            archive=_resolve(data_root, paths.get("archive", "archive")),
            work=_resolve(data_root, paths.get("work", "work")),
            snapshots=_resolve(Path.cwd(), env[SNAPSHOTS_ENV])
            if env.get(SNAPSHOTS_ENV)
            else _resolve(data_root, paths.get("snapshots", "snapshots")),
        ),
        fetch=dict(raw.get("fetch", {})),
        sources=sources,
        extract_batch_size=int(raw.get("extract", {}).get("batch_size", 256)),
        extract_processes=int(raw.get("extract", {}).get("n_process", 1)),
        extract_shard_size=_positive(
            raw.get("extract", {}).get("shard_size", 5000), "[extract] shard_size", config_path
        ),
        load_batch_size=int(raw.get("load", {}).get("batch_size", 2000)),
        enrich=dict(raw.get("enrich", {})),
        source_file=config_path,
    )


def _check_paths_local(paths: Mapping[str, Any], env: Mapping[str, str], origin: object) -> None:
    """The pipeline's paths are filesystem paths: a URI would silently become a local folder `s3:/...`."""
    settings = [(f"{name}", env.get(name)) for name in (DATA_ENV, SNAPSHOTS_ENV)]
    settings += [
        (f"{origin}: [paths] {key}", paths.get(key)) for key in ("data_root", "archive", "work", "snapshots")
    ]
    for name, value in settings:
        if value and "://" in str(value):
            raise ConfigError(
                f"{name} = {value!r} is a URI: the pipeline's paths are filesystem paths (on several"
                " machines, a shared mount at the same path; README 'On a cluster')"
            )


def _positive(value: Any, name: str, origin: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{origin}: {name} must be a whole number of at least 1, got {value!r}")
    return value


def snapshot_root() -> Path:
    """The snapshot root of the current config and environment (what `--root` defaults to)."""
    return load_config().paths.snapshots


def _check_source(source: dict[str, Any], origin: object) -> None:
    if not isinstance(source, dict) or not source.get("name") or not source.get("kind"):
        raise ConfigError(f"{origin}: every source needs a name and a kind, got {source!r}")


def parse_source_spec(spec: str) -> list[dict[str, Any]]:
    """Sources from a command-line string, comma separated: `kind[:argument]`.

    `dump:../shared/seeds` (a folder or file of saved pages), `hf_daily`, `hf_daily:2024-08-01`,
    `hf_search:talking head`, `hf_paper:2405.15738`, `arxiv:2405.15738`.
    """
    sources: list[dict[str, Any]] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, _, argument = part.partition(":")
        source: dict[str, Any] = {"kind": kind}
        if argument:
            key = {"dump": "path", "hf_search": "query", "hf_daily": "date", "hf_html": "date"}.get(
                kind, "ids"
            )
            if key == "path":
                argument = str(_resolve(Path.cwd(), argument))
            source[key] = [argument] if key == "ids" else argument
        slug = re.sub(r"[^a-z0-9]+", "_", (argument.rsplit("/", 1)[-1] if argument else "").lower()).strip(
            "_"
        )
        source["name"] = f"{kind}_{slug}" if slug else kind
        _check_source(source, spec)
        sources.append(source)
    if not sources:
        raise ConfigError(f"no source in {spec!r}")
    return sources
