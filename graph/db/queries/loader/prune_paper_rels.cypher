// For re-loaded papers: drop the relationships this load did not write, then the Author, Repository
// and Entity nodes left without any relationship (an entity no paper mentions any more).
// $rel_types: the relationships a paper owns (graph/db/model.py PAPER_OWNED_RELS).
UNWIND $paper_ids AS paper_id
MATCH (:Paper {paper_id: paper_id})-[r]->(target)
WHERE type(r) IN $rel_types AND (r.load_id IS NULL OR r.load_id <> $load_id)
DELETE r
WITH collect(DISTINCT target) AS targets, count(*) AS deleted
CALL (targets) {
  UNWIND targets AS target
  WITH target
  WHERE (target:Author OR target:Repository OR target:Entity) AND NOT EXISTS { (target)--() }
  DELETE target
  RETURN count(*) AS orphans_deleted
}
RETURN deleted, orphans_deleted
