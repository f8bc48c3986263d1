// An entity's trend by month: papers mentioning it (and how many of them propose it) per publication month.
// @param entity string: entity key, name or alias (case-insensitive)
MATCH (e:Entity)
WHERE e.key = $entity OR toLower(e.name) = toLower($entity) OR toLower($entity) IN [a IN e.aliases | toLower(a)]
MATCH (p:Paper)-[m:MENTIONS]->(e)
WHERE p.published_at IS NOT NULL
WITH e, p, m, EXISTS { (p)-[:PROPOSES]->(e) } AS proposes
RETURN e.key AS entity_key, substring(toString(date.truncate('month', p.published_at)), 0, 7) AS month,
       count(DISTINCT p) AS papers, sum(m.count) AS mentions,
       count(DISTINCT CASE WHEN proposes THEN p END) AS proposing_papers
ORDER BY entity_key, month
