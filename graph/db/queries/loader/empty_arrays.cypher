// After a bulk import: the importer cannot write an empty array (it leaves the property out), so
// the nodes whose `$prop` was an empty list get it here. $label: the node label, one of the keyed
// labels of graph/db/model.py NODE_KEYS (one branch each); $keys: the nodes' keys. Each branch finds
// its nodes through the key's unique index: a dynamic label (`MATCH (n:$($label))`) scans every node
// of the graph in 5.26.
UNWIND $keys AS key
CALL (key) {
  WITH key WHERE $label = 'Paper' MATCH (n:Paper {paper_id: key}) RETURN n
  UNION ALL
  WITH key WHERE $label = 'Author' MATCH (n:Author {key: key}) RETURN n
  UNION ALL
  WITH key WHERE $label = 'Entity' MATCH (n:Entity {key: key}) RETURN n
  UNION ALL
  WITH key WHERE $label = 'Repository' MATCH (n:Repository {url: key}) RETURN n
  UNION ALL
  WITH key WHERE $label = 'Snapshot' MATCH (n:Snapshot {load_id: key}) RETURN n
  UNION ALL
  WITH key WHERE $label = 'HubRepo' MATCH (n:HubRepo {key: key}) RETURN n
}
SET n[$prop] = []
RETURN count(*) AS written
