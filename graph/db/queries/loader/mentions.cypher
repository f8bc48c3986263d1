// One MENTIONS per (paper, entity); PROPOSES in addition when the paper presents it as its own.
UNWIND $rows AS row
MATCH (p:Paper {paper_id: row.paper_id})
MATCH (e:Entity {key: row.entity_key})
MERGE (p)-[m:MENTIONS]->(e)
SET m.count = row.mention_count, m.first_offset = row.first_offset, m.sentence = row.sentence,
    m.load_id = $load_id
WITH p, e, row
CALL (p, e, row) {
  WITH p, e, row
  WHERE row.proposed
  MERGE (p)-[q:PROPOSES]->(e)
  SET q.load_id = $load_id
}
RETURN count(*) AS written
