// One REFERENCES per (citing, cited, entity it goes through).
UNWIND $rows AS row
MATCH (citing:Paper {paper_id: row.citing_paper_id})
MATCH (cited:Paper {paper_id: row.cited_paper_id})
MERGE (citing)-[r:REFERENCES {entity_key: row.entity_key}]->(cited)
SET r.load_id = $load_id
RETURN count(*) AS written
