// An ingested paper absorbs the Paper nodes that stood for it under another key: a cited-work stub
// 's2:<S2 paperId>' or the 'title:<sha1>' key it had before its arXiv id was known. Their incoming
// CITES and REFERENCES move to the paper (kept as written), then the alias node goes; what the alias
// itself cited or mentioned is re-written by this load for the paper. A paper this load ingested is
// never absorbed.
UNWIND $rows AS row
MATCH (p:Paper {paper_id: row.paper_id})
UNWIND row.aliases AS alias_id
MATCH (alias:Paper {paper_id: alias_id})
WHERE alias <> p AND NOT (alias.ingested = true AND alias.load_id = $load_id)
CALL (alias, p) {
  MATCH (source)-[r:CITES]->(alias)
  WHERE source <> p
  MERGE (source)-[moved:CITES]->(p)
    ON CREATE SET moved = properties(r)
  RETURN count(*) AS cites_moved
}
CALL (alias, p) {
  MATCH (source:Paper)-[r:REFERENCES]->(alias)
  WHERE source <> p
  MERGE (source)-[moved:REFERENCES {entity_key: r.entity_key}]->(p)
    ON CREATE SET moved = properties(r)
  RETURN count(*) AS references_moved
}
DETACH DELETE alias
RETURN count(*) AS absorbed
