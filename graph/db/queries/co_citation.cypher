// Co-citation: the works cited together with a paper, by how many papers cite both (those papers listed).
// @param paper_id string: id of the paper
// @param limit int[0..] = 20: maximum rows
MATCH (target:Paper {paper_id: $paper_id})<-[:CITES]-(citing:Paper)-[:CITES]->(other:Paper)
WHERE other <> target
WITH other, citing ORDER BY citing.paper_id
WITH other, collect(DISTINCT citing.paper_id) AS cited_together_by
RETURN other.paper_id AS paper_id, other.title AS title, other.ingested AS ingested,
       size(cited_together_by) AS co_citations, cited_together_by
ORDER BY co_citations DESC, paper_id
LIMIT toInteger($limit)
