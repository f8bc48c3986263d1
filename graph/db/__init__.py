"""The Neo4j side: graph model, loader, checks, named queries, Browser guide."""
