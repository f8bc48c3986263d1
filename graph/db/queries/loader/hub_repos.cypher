// :HubRepo carries the key constraint; the kind label (HubModel, HubDataset, HubSpace) is added next to it.
UNWIND $rows AS row
MERGE (h:HubRepo {key: row.key})
SET h:$(row.label), h.kind = row.kind, h.repo_id = row.repo_id, h.likes = row.likes,
    h.downloads = row.downloads, h.pipeline_tag = row.pipeline_tag, h.last_modified = row.last_modified,
    h.load_id = $load_id
RETURN count(*) AS written
