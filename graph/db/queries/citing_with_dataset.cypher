// Papers citing a paper that use a dataset: they cite it (CITES) and mention the dataset in their title or abstract.
// @param paper_id string: id of the cited paper
// @param dataset string: dataset key, name or alias (case-insensitive)
// @param limit int[0..] = 100: maximum rows
MATCH (d:Dataset)
WHERE d.key = $dataset OR toLower(d.name) = toLower($dataset)
   OR toLower($dataset) IN [x IN d.aliases | toLower(x)]
MATCH (:Paper {paper_id: $paper_id})<-[:CITES]-(citing:Paper)-[m:MENTIONS]->(d)
RETURN citing.paper_id AS paper_id, citing.title AS title, citing.published_at AS published_at,
       d.key AS dataset, m.sentence AS sentence
ORDER BY paper_id, dataset
LIMIT toInteger($limit)
