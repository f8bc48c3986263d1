// Datasets used together with a method: papers mentioning both, per dataset.
// @param method string: method key, name or alias (case-insensitive)
// @param limit int[0..] = 20: maximum rows
MATCH (m:Method)
WHERE m.key = $method OR toLower(m.name) = toLower($method) OR toLower($method) IN [a IN m.aliases | toLower(a)]
MATCH (m)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(d:Dataset)
RETURN m.key AS method, d.key AS dataset_key, d.name AS dataset, count(DISTINCT p) AS papers
ORDER BY papers DESC, method, dataset_key
LIMIT $limit
