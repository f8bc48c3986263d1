// :Entity carries the key constraint; the type label (Model, Dataset, Method) is added next to it.
UNWIND $rows AS row
MERGE (e:Entity {key: row.key})
SET e:$(row.label), e.type = row.type, e.name = row.name, e.aliases = row.aliases, e.load_id = $load_id
RETURN count(*) AS written
