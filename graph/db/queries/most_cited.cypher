// The most-cited papers in the graph: citations by ingested papers (CITES), optionally only papers published in [since, until) (works not ingested by their year); with their Semantic Scholar count and the Hub repos citing them.
// @param since string = "": first publication day (YYYY-MM-DD), inclusive; empty for no bound
// @param until string = "": last publication day (YYYY-MM-DD), exclusive; empty for no bound
// @param limit int[0..] = 20: maximum rows
MATCH (citing:Paper {ingested: true})-[:CITES]->(p:Paper)
WITH p, count(DISTINCT citing) AS citations,
     coalesce(p.published_at, CASE WHEN p.year IS NULL THEN null ELSE date({year: p.year}) END) AS day
WHERE ($since = '' OR day >= date($since)) AND ($until = '' OR day < date($until))
RETURN p.paper_id AS paper_id, p.title AS title, p.ingested AS ingested,
       coalesce(p.published_at.year, p.year) AS year, citations, p.citation_count AS s2_citations,
       COUNT { (:HubRepo)-[:CITES]->(p) } AS hub_repos
ORDER BY citations DESC, paper_id
LIMIT toInteger($limit)
