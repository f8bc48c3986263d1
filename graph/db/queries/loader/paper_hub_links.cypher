// One CITES per (Hub repo, paper its card cites).
UNWIND $rows AS row
MATCH (p:Paper {paper_id: row.paper_id})
MATCH (h:HubRepo {key: row.hub_key})
MERGE (h)-[r:CITES]->(p)
SET r.load_id = $load_id
RETURN count(*) AS written
