"""Imported for its effect: the shared pipeline (`load_pipeline`) is built as this module loads.

A forkserver lists it among its preloaded modules (`paper_graph.shards.worker_pool`), so the pipeline
is built once, in the server, and every worker forked from it starts with it ready (its pages shared
copy-on-write, its objects already frozen out of the garbage collector's reach) instead of each
worker building it again: ~1.6 s of CPU and ~150 MB of private memory less per worker."""

from __future__ import annotations

import contextlib

from extract.nlp.pipeline import load_pipeline

# a failed build is not cached: each worker's initializer builds it again and raises the error there
with contextlib.suppress(Exception):
    load_pipeline()
