// The Snapshot node of this load; every loaded paper links to it.
MERGE (s:Snapshot {load_id: $load_id})
SET s += $properties
