// Nodes per label and relationships per type; the names come from graph/db/model.py.
CALL () {
  UNWIND $labels AS name
  CALL (name) {
    MATCH (n:$(name))
    RETURN count(n) AS count
  }
  RETURN 'node' AS kind, name, count
  UNION ALL
  UNWIND $types AS name
  CALL (name) {
    MATCH ()-[r:$(name)]->()
    RETURN count(r) AS count
  }
  RETURN 'relationship' AS kind, name, count
}
RETURN kind, name, count
