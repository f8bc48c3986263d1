"""Parquet snapshots, the Neo4j schema, loader and queries, and the CLI."""
