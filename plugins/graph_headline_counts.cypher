// Headline counts for the snapshot page: distinct nodes and relationships in total (a node with two
// labels, e.g. Entity:Method, is one node), then nodes per label and relationships per type.
MATCH (n)
RETURN 'total' AS kind, 'nodes' AS name, count(n) AS count
UNION ALL
MATCH ()-[r]->()
RETURN 'total' AS kind, 'relationships' AS name, count(r) AS count
UNION ALL
MATCH (n)
UNWIND labels(n) AS name
RETURN 'node' AS kind, name, count(*) AS count
UNION ALL
MATCH ()-[r]->()
RETURN 'relationship' AS kind, type(r) AS name, count(*) AS count
