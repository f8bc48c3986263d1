// The names of the indexes and of the constraints that own one (every uniqueness constraint does):
// ensure_schema sends only the CREATE ... IF NOT EXISTS statements of constraints.cypher whose names are
// missing, so a load into a graph that has its whole schema sends none.
SHOW INDEXES YIELD name, owningConstraint
RETURN name, owningConstraint
