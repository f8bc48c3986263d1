// Papers that reference a paper (hops = 1), and papers that reference those (hops = 2), with what the links go through.
// @param paper_id string: id of the referenced paper
// @param limit int[0..] = 100: maximum rows
MATCH (target:Paper {paper_id: $paper_id})
CALL (target) {
  MATCH (citing:Paper)-[r:REFERENCES]->(target)
  RETURN citing, 1 AS hops, collect(DISTINCT r.entity_key) AS via_entities, [] AS via_papers
  UNION
  MATCH (citing:Paper)-[r:REFERENCES]->(middle:Paper)-[:REFERENCES]->(target)
  WHERE citing <> target AND middle <> target AND NOT EXISTS { (citing)-[:REFERENCES]->(target) }
  WITH citing, middle, r ORDER BY middle.paper_id, r.entity_key
  RETURN citing, 2 AS hops, collect(DISTINCT r.entity_key) AS via_entities,
         collect(DISTINCT middle.paper_id) AS via_papers
}
WITH citing, hops, via_entities, via_papers
RETURN hops, citing.paper_id AS paper_id, citing.title AS title, citing.published_at AS published_at,
       via_entities, via_papers
ORDER BY hops, paper_id
LIMIT $limit
