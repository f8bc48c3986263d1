// Shortest paths between two entities through the papers that mention them and the references between papers (at most 10 hops).
// @param source string: entity key, name or alias (case-insensitive)
// @param target string: entity key, name or alias (case-insensitive)
// @param limit int[0..] = 10: maximum paths
MATCH (a:Entity)
WHERE a.key = $source OR toLower(a.name) = toLower($source) OR toLower($source) IN [x IN a.aliases | toLower(x)]
MATCH (b:Entity)
WHERE b.key = $target OR toLower(b.name) = toLower($target) OR toLower($target) IN [x IN b.aliases | toLower(x)]
WITH a, b
WHERE a <> b
MATCH path = allShortestPaths((a)-[:MENTIONS|REFERENCES*..10]-(b))
WITH length(path) AS hops, [n IN nodes(path) | coalesce(n.key, n.paper_id)] AS nodes,
     [r IN relationships(path) | type(r)] AS relationships
RETURN DISTINCT hops, nodes, relationships
ORDER BY hops, nodes
LIMIT $limit
