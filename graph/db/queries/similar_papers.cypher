// Papers similar to a paper by shared entities: Jaccard index of the entity sets they mention.
// @param paper_id string: id of the paper
// @param min_shared int[1..] = 1: minimum number of shared entities
// @param limit int[0..] = 20: maximum rows
MATCH (p:Paper {paper_id: $paper_id})-[:MENTIONS]->(e:Entity)<-[:MENTIONS]-(other:Paper)
WHERE other <> p
WITH p, other, count(DISTINCT e) AS shared
WHERE shared >= $min_shared
WITH p, other, shared, COUNT { (p)-[:MENTIONS]->(:Entity) } AS mine, COUNT { (other)-[:MENTIONS]->(:Entity) } AS theirs
RETURN other.paper_id AS paper_id, other.title AS title, shared, round(toFloat(shared) / (mine + theirs - shared), 4) AS jaccard
ORDER BY jaccard DESC, paper_id
LIMIT $limit
