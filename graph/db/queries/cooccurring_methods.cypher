// Methods co-occurring with a concept (any entity): papers mentioning both, per method.
// @param entity string: entity key, name or alias (case-insensitive)
// @param limit int[0..] = 20: maximum rows
MATCH (c:Entity)
WHERE c.key = $entity OR toLower(c.name) = toLower($entity) OR toLower($entity) IN [a IN c.aliases | toLower(a)]
MATCH (c)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(m:Method)
WHERE m <> c
RETURN c.key AS concept, m.key AS method_key, m.name AS method, count(DISTINCT p) AS papers
ORDER BY papers DESC, concept, method_key
LIMIT $limit
