// Data quality: nodes without any relationship (Snapshot nodes of earlier loads are history, not orphans).
// @param limit int[0..] = 1000: maximum rows
MATCH (n)
WHERE NOT n:Snapshot AND NOT EXISTS { (n)--() }
WITH n, CASE WHEN n:Entity THEN n.type ELSE head(labels(n)) END AS kind
RETURN kind, coalesce(n.paper_id, n.key, n.url) AS key
ORDER BY kind, key
LIMIT $limit
