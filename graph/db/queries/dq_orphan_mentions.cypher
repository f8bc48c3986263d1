// Data quality: links whose supporting facts are missing (a reference not backed by a mention and a proposal, a proposal without a mention, a mention of a node that is not a typed entity).
// @param limit int[0..] = 1000: maximum rows
CALL () {
  // cheap on a large graph: a paper's mentioned keys are read once (not once per reference), a proposal
  // once per (proposer, key) its references share; the other two checks start from their relationships
  // (startNode/endNode: not a walk of every Paper's relationship chain)
  MATCH (a:Paper)
  WITH a, COLLECT { MATCH (a)-[:MENTIONS]->(e:Entity) WHERE e.key IS NOT NULL RETURN e.key } AS mentioned
  MATCH (a)-[r:REFERENCES]->(b:Paper)
  WITH b, r.entity_key AS key, collect([a.paper_id, r.entity_key IN mentioned]) AS sources
  WITH b, key, sources, EXISTS { (b)-[:PROPOSES]->(:Entity {key: key}) } AS proposed
  UNWIND sources AS source
  WITH b, key, source
  WHERE NOT proposed OR NOT coalesce(source[1], false)
  RETURN 'reference not backed by a mention and a proposal' AS problem, source[0] AS paper_id,
         key AS entity_key, b.paper_id AS other_paper_id
  UNION ALL
  MATCH ()-[r:PROPOSES]->()
  WITH startNode(r) AS p, endNode(r) AS e
  WHERE p:Paper AND NOT EXISTS { (p)-[:MENTIONS]->(e) }
  RETURN 'proposal without a mention' AS problem, p.paper_id AS paper_id, e.key AS entity_key,
         null AS other_paper_id
  UNION ALL
  MATCH ()-[r:MENTIONS|PROPOSES]->()
  WITH startNode(r) AS p, endNode(r) AS e
  WHERE p:Paper AND NOT (e:Entity AND (e:Model OR e:Dataset OR e:Method))
  RETURN 'mention of a node that is not a typed entity' AS problem, p.paper_id AS paper_id,
         coalesce(e.key, elementId(e)) AS entity_key, null AS other_paper_id
}
RETURN problem, paper_id, entity_key, other_paper_id
ORDER BY problem, paper_id, entity_key, other_paper_id
LIMIT toInteger($limit)  // Neo4j Browser may send 20 as 20.0
