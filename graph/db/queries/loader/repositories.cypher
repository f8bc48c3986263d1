UNWIND $rows AS row
MATCH (p:Paper {paper_id: row.paper_id})
MERGE (repo:Repository {url: row.url})
MERGE (p)-[r:HAS_CODE]->(repo)
SET r.load_id = $load_id
RETURN count(*) AS written
