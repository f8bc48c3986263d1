"""Benchmarks: extraction, snapshot writing, graph loading (`make bench`)."""
