// For re-loaded papers (when the snapshot has Hub links at all): drop the Hub CITES this load did not
// write, then the Hub repos left without any link.
UNWIND $paper_ids AS paper_id
MATCH (h:HubRepo)-[r:CITES]->(:Paper {paper_id: paper_id})
WHERE r.load_id IS NULL OR r.load_id <> $load_id
DELETE r
WITH collect(DISTINCT h) AS hubs, count(*) AS deleted
CALL (hubs) {
  UNWIND hubs AS h
  WITH h
  WHERE NOT EXISTS { (h)--() }
  DELETE h
  RETURN count(*) AS orphans_deleted
}
RETURN deleted, orphans_deleted
