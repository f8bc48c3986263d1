"""`make train`: train pg_span_classifier with `spacy train` and write the committed weights.

    python -m extract.nlp.train --shared ../shared [--output extract/nlp/weights/span_classifier.npz]

The training config is extract/nlp/config.cfg (the pipeline) merged with extract/nlp/train/classifier.cfg
(corpora, optimizer, seed); `spacy train` writes its checkpoints under --workdir, and the best
checkpoint's classifier weights are saved to --output.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
import spacy
from spacy.cli.train import train

import extract.nlp.pipeline  # noqa: F401 - registers the factories
import extract.nlp.train.readers  # noqa: F401 - registers the reader
from extract.nlp.components.classifier import DEFAULT_WEIGHTS, PACKAGE_DIR
from extract.nlp.pipeline import CONFIG_PATH

TRAIN_CONFIG = Path(__file__).resolve().parent / "classifier.cfg"


def training_config() -> spacy.util.Config:
    """config.cfg merged with classifier.cfg; the candidate generators (every component before the
    classifier) annotate each training doc."""
    config = spacy.util.load_config(CONFIG_PATH).merge(
        spacy.util.load_config(TRAIN_CONFIG, interpolate=False)
    )
    pipeline = config["nlp"]["pipeline"]
    config["training"]["annotating_components"] = pipeline[: pipeline.index("pg_span_classifier")]
    return config


@click.command()
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PAPER_GRAPH_SHARED", "../shared"),
    show_default="$PAPER_GRAPH_SHARED or ../shared",
)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/train"))
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=PACKAGE_DIR / DEFAULT_WEIGHTS
)
def main(shared: Path, workdir: Path, output: Path) -> None:
    """Train the span classifier (fixed seed) and save its weights."""
    if not (shared / "train").is_dir():
        raise click.ClickException(f"{shared / 'train'}: training corpora not found")
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.cfg"
    training_config().to_disk(config_path)
    started = time.perf_counter()
    train(config_path, workdir / "output", overrides={"paths.shared": str(shared.resolve())})
    elapsed = time.perf_counter() - started
    best = spacy.load(workdir / "output" / "model-best")
    best.get_pipe("pg_span_classifier").save_weights(output)
    click.echo(f"trained in {elapsed:.0f} s; weights {output} ({output.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
