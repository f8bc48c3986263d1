// One Paper per row; a null property removes a value the paper no longer has. The Snapshot is matched
// once, before the rows: matched after `SET p += ...`, it cost an Eager (PROFILE, bench.increment).
MATCH (s:Snapshot {load_id: $load_id})
UNWIND $rows AS row
MERGE (p:Paper {paper_id: row.paper_id})
SET p += row.properties, p.load_id = $load_id
MERGE (p)-[r:LOADED_FROM]->(s)
SET r.load_id = $load_id
RETURN count(*) AS written
