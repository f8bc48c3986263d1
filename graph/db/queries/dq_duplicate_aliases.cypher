// Data quality: surface forms (aliases or canonical names, case-insensitive) claimed by more than one entity.
// @param limit int[0..] = 1000: maximum rows
MATCH (e:Entity)
WITH e ORDER BY e.key
UNWIND coalesce(e.aliases, []) + [e.name] AS alias
WITH toLower(trim(alias)) AS alias, collect(DISTINCT e.key) AS entity_keys
WHERE size(entity_keys) > 1
RETURN alias, entity_keys
ORDER BY alias
LIMIT $limit
