// After a bulk import: the importer cannot write an empty array (it leaves the property out), so it
// gave the nodes whose `$prop` was an empty list the label `$marker` too (graph/db/bulk.py
// EMPTY_LIST_MARKER); they get the empty list here and lose the label.
MATCH (n:$($marker))
SET n[$prop] = []
REMOVE n:$($marker)
RETURN count(*) AS written
