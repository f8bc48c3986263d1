// One Paper per row; a null property removes a value the paper no longer has. A Paper node that was a
// cited work not ingested yet (ingested = false) becomes a paper: its stub-only properties go. The
// Snapshot is matched once, before the rows: matched after `SET p += ...`, it cost an Eager (PROFILE).
MATCH (s:Snapshot {load_id: $load_id})
UNWIND $rows AS row
MERGE (p:Paper {paper_id: row.paper_id})
SET p += row.properties, p.ingested = true, p.load_id = $load_id
REMOVE p.year, p.doi
WITH p, s
MERGE (p)-[r:LOADED_FROM]->(s)
SET r.load_id = $load_id
RETURN count(*) AS written
