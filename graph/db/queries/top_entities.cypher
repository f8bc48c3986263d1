// The most referenced models, datasets or methods in a period: papers published in [since, until) that mention the entity without proposing it.
// @param type string = "": MODEL, DATASET or METHOD; empty for all types
// @param since date = "0001-01-01": first publication day (YYYY-MM-DD), inclusive
// @param until date = "9999-12-31": last publication day (YYYY-MM-DD), exclusive
// @param limit int[0..] = 20: maximum rows
MATCH (p:Paper)-[:MENTIONS]->(e:Entity)
WHERE ($type = '' OR e.type = $type)
  AND p.published_at >= date($since) AND p.published_at < date($until)
  AND NOT EXISTS { (p)-[:PROPOSES]->(e) }
RETURN e.key AS entity_key, e.name AS name, e.type AS type, count(DISTINCT p) AS papers
ORDER BY papers DESC, entity_key
LIMIT $limit
