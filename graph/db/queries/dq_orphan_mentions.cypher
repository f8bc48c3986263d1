// Data quality: links whose supporting facts are missing (a reference not backed by a mention and a proposal, a proposal without a mention, a mention of a node that is not a typed entity).
// @param limit int[0..] = 1000: maximum rows
CALL () {
  MATCH (a:Paper)-[r:REFERENCES]->(b:Paper)
  WHERE NOT EXISTS { (a)-[:MENTIONS]->(:Entity {key: r.entity_key}) }
     OR NOT EXISTS { (b)-[:PROPOSES]->(:Entity {key: r.entity_key}) }
  RETURN 'reference not backed by a mention and a proposal' AS problem, a.paper_id AS paper_id,
         r.entity_key AS entity_key, b.paper_id AS other_paper_id
  UNION ALL
  MATCH (p:Paper)-[:PROPOSES]->(e)
  WHERE NOT EXISTS { (p)-[:MENTIONS]->(e) }
  RETURN 'proposal without a mention' AS problem, p.paper_id AS paper_id, e.key AS entity_key,
         null AS other_paper_id
  UNION ALL
  MATCH (p:Paper)-[:MENTIONS|PROPOSES]->(e)
  WHERE NOT (e:Entity AND (e:Model OR e:Dataset OR e:Method))
  RETURN 'mention of a node that is not a typed entity' AS problem, p.paper_id AS paper_id,
         coalesce(e.key, elementId(e)) AS entity_key, null AS other_paper_id
}
RETURN problem, paper_id, entity_key, other_paper_id
ORDER BY problem, paper_id, entity_key, other_paper_id
LIMIT toInteger($limit)  // Neo4j Browser may send 20 as 20.0
