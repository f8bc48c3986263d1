// For re-loaded papers whose references this snapshot knows (Semantic Scholar found them): drop the
// CITES this load did not write, then the cited works (ingested = false) nothing cites any more.
UNWIND $paper_ids AS paper_id
MATCH (:Paper {paper_id: paper_id})-[r:CITES]->(cited:Paper)
WHERE r.load_id IS NULL OR r.load_id <> $load_id
DELETE r
WITH collect(DISTINCT cited) AS targets, count(*) AS deleted
CALL (targets) {
  UNWIND targets AS target
  WITH target
  WHERE target.ingested = false AND NOT EXISTS { (target)--() }
  DELETE target
  RETURN count(*) AS stubs_deleted
}
RETURN deleted, stubs_deleted
