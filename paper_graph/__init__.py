"""paper-graph application layer: the `paper-graph` commands, config, Neo4j connection, pipeline steps."""
