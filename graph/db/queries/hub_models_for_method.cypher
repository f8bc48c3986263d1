// Hugging Face Hub repos (models by default) that cite the papers proposing a method, most downloaded first.
// @param method string: method key, name or alias (case-insensitive)
// @param kind string = "model": model, dataset or space; empty for every kind
// @param limit int[0..] = 50: maximum rows
MATCH (m:Method)
WHERE m.key = $method OR toLower(m.name) = toLower($method)
   OR toLower($method) IN [x IN m.aliases | toLower(x)]
MATCH (m)<-[:PROPOSES]-(p:Paper)<-[:CITES]-(h:HubRepo)
WHERE $kind = '' OR h.kind = $kind
RETURN m.key AS method, p.paper_id AS paper_id, p.title AS title, h.kind AS kind, h.repo_id AS repo_id,
       h.likes AS likes, h.downloads AS downloads, h.pipeline_tag AS pipeline_tag,
       h.last_modified AS last_modified
ORDER BY coalesce(downloads, -1) DESC, coalesce(likes, -1) DESC, repo_id, paper_id
LIMIT toInteger($limit)
