// The first spelling seen is kept as the author's display name.
UNWIND $rows AS row
MATCH (p:Paper {paper_id: row.paper_id})
MERGE (a:Author {key: row.key})
  ON CREATE SET a.name = row.name
MERGE (p)-[r:AUTHORED_BY {position: row.position}]->(a)
SET r.load_id = $load_id
RETURN count(*) AS written
