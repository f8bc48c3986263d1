// After a bulk import: the importer cannot write an empty array (it leaves the property out), so
// the nodes whose `$prop` was an empty list get it here. $label, $key: the label and its key property
// (graph/db/model.py NODE_KEYS); $keys: the nodes' keys.
MATCH (n:$($label))
WHERE n[$key] IN $keys
SET n[$prop] = []
RETURN count(*) AS written
