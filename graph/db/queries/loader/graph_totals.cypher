// Distinct nodes and relationships in the whole graph: a node with several labels (Entity:Method)
// counts once, unlike a sum of the per-label counts.
CALL () {
  MATCH (n)
  RETURN count(n) AS nodes
}
CALL () {
  MATCH ()-[r]->()
  RETURN count(r) AS relationships
}
RETURN nodes, relationships
