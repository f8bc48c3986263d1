"""The Neo4j side: graph model, loader, checks, named queries, Browser guide."""

import logging

# The loader's statements and the named queries name labels and relationship types a young graph may
# not have yet (HAS_CODE, CITES, HubModel, ...); Neo4j answers each with an "unknown ..." notification
# that the driver would log as a warning on every run.
logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
