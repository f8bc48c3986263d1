// For re-loaded papers: drop outgoing REFERENCES this load did not write, and incoming ones that go
// through an entity the paper no longer proposes.
UNWIND $paper_ids AS paper_id
MATCH (p:Paper {paper_id: paper_id})
CALL (p) {
  MATCH (p)-[r:REFERENCES]->()
  WHERE r.load_id IS NULL OR r.load_id <> $load_id
  RETURN r
  UNION
  MATCH ()-[r:REFERENCES]->(p)
  WHERE NOT EXISTS { (p)-[:PROPOSES]->(:Entity {key: r.entity_key}) }
  RETURN r
}
WITH DISTINCT r
DELETE r
RETURN count(*) AS deleted
