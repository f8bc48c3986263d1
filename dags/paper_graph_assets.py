"""Assets shared by the producer (paper_ingest) and the consumer (paper_graph_load)."""

from airflow.sdk import Asset

SNAPSHOT = Asset(name="paper_graph_snapshot", uri="paper-graph://snapshots", group="paper-graph")
