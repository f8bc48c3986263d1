// What a paper builds on: the entities it uses without proposing them and, when another paper proposes one, that paper.
// @param paper_id string: id of the paper
MATCH (p:Paper {paper_id: $paper_id})-[m:MENTIONS]->(e:Entity)
WHERE NOT EXISTS { (p)-[:PROPOSES]->(e) }
OPTIONAL MATCH (p)-[:REFERENCES {entity_key: e.key}]->(source:Paper)
RETURN e.key AS entity_key, e.name AS name, e.type AS type, m.sentence AS sentence,
       source.paper_id AS proposed_by, source.title AS proposed_by_title
ORDER BY entity_key, proposed_by
