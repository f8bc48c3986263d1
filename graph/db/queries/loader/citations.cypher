// One CITES per (citing paper, cited work). The cited work is the Paper with the row's key, else the
// one with its arXiv id, else the one with its S2 paperId (an ingested paper first); a work not in the
// graph becomes a Paper with ingested = false, carrying the ids, title and year the citation gives.
UNWIND $rows AS row
MATCH (citing:Paper {paper_id: row.citing_paper_id})
WITH citing, row, coalesce(
  head(COLLECT { MATCH (c:Paper {paper_id: row.cited_paper_id}) RETURN c.paper_id }),
  head(COLLECT {
    MATCH (c:Paper) WHERE c.arxiv_id = row.cited_arxiv_id
    RETURN c.paper_id ORDER BY c.ingested DESC, c.paper_id
  }),
  head(COLLECT {
    MATCH (c:Paper) WHERE c.s2_paper_id = row.cited_s2_id
    RETURN c.paper_id ORDER BY c.ingested DESC, c.paper_id
  }),
  row.cited_paper_id
) AS cited_id
WHERE cited_id <> citing.paper_id
MERGE (cited:Paper {paper_id: cited_id})
  ON CREATE SET cited.ingested = false
WITH citing, cited, row
CALL (cited, row) {
  WITH cited, row
  WHERE cited.ingested = false
  SET cited.arxiv_id = coalesce(row.cited_arxiv_id, cited.arxiv_id),
      cited.s2_paper_id = coalesce(row.cited_s2_id, cited.s2_paper_id),
      cited.doi = coalesce(row.cited_doi, cited.doi),
      cited.title = coalesce(row.cited_title, cited.title),
      cited.year = coalesce(row.cited_year, cited.year),
      cited.load_id = $load_id
}
MERGE (citing)-[r:CITES]->(cited)
SET r.source = row.source, r.load_id = $load_id
RETURN count(*) AS written
