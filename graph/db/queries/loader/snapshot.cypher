// The Snapshot node of this load; every loaded paper links to it. A rerun of the same snapshot date
// replaces that date's snapshot, so the node of the earlier run of the date goes (with its links).
MERGE (s:Snapshot {load_id: $load_id})
SET s += $properties
WITH s
OPTIONAL MATCH (earlier:Snapshot {snapshot_date: s.snapshot_date})
WHERE earlier.load_id <> $load_id
DETACH DELETE earlier
