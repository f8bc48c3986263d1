// Data quality: what one load wrote (each row re-stamps what it writes with the load id); the loader's check compares it with the snapshot's rows.
// @param load_id string: load id, '<snapshot date>/<run id>' (see the Snapshot nodes)
RETURN
  COUNT { MATCH (n:Paper) WHERE n.load_id = $load_id AND n.ingested = true } AS papers,
  COUNT { MATCH (n:Entity) WHERE n.load_id = $load_id } AS entities,
  COUNT { MATCH ()-[r:AUTHORED_BY]->() WHERE r.load_id = $load_id } AS authored_by,
  COUNT { MATCH ()-[r:MENTIONS]->() WHERE r.load_id = $load_id } AS mentions,
  COUNT { MATCH ()-[r:PROPOSES]->() WHERE r.load_id = $load_id } AS proposes,
  COUNT { MATCH ()-[r:HAS_CODE]->() WHERE r.load_id = $load_id } AS has_code,
  COUNT { MATCH ()-[r:REFERENCES]->() WHERE r.load_id = $load_id } AS references,
  COUNT { MATCH (:Paper)-[r:CITES]->(:Paper) WHERE r.load_id = $load_id } AS cites,
  COUNT { MATCH (n:HubRepo) WHERE n.load_id = $load_id } AS hub_repos,
  COUNT { MATCH (:HubRepo)-[r:CITES]->(:Paper) WHERE r.load_id = $load_id } AS hub_links
