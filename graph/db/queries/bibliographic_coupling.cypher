// Bibliographic coupling: papers that share references with a paper, by the number of works both cite (those works listed).
// @param paper_id string: id of the paper
// @param limit int[0..] = 20: maximum rows
MATCH (target:Paper {paper_id: $paper_id})-[:CITES]->(cited:Paper)<-[:CITES]-(other:Paper)
WHERE other <> target
WITH other, cited ORDER BY cited.paper_id
WITH other, collect(DISTINCT cited.paper_id) AS shared_references
RETURN other.paper_id AS paper_id, other.title AS title, size(shared_references) AS shared,
       shared_references
ORDER BY shared DESC, paper_id
LIMIT toInteger($limit)
