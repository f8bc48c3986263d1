// Rising papers: the in-graph citations a paper gained from papers published since a day, beside those from earlier (or undated) papers.
// @param since date: first publication day (YYYY-MM-DD) of a recent citing paper
// @param limit int[0..] = 20: maximum rows
MATCH (citing:Paper {ingested: true})-[:CITES]->(p:Paper)
WITH p, count(DISTINCT CASE WHEN citing.published_at >= date($since) THEN citing END) AS recent,
     count(DISTINCT citing) AS total
WHERE recent > 0
RETURN p.paper_id AS paper_id, p.title AS title, p.ingested AS ingested, recent AS recent_citations,
       total - recent AS earlier_citations
ORDER BY recent_citations DESC, earlier_citations, paper_id
LIMIT toInteger($limit)
