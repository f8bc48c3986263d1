// The shortest citation paths between two papers over CITES (at most 10 hops): following citations from from_paper to to_paper when directed, else in either direction; each step says whether the paper cites the next one or is cited by it.
// @param from_paper string: paper id where the path starts
// @param to_paper string: paper id where the path ends
// @param directed bool = false: only paths where each paper cites the next
// @param limit int[0..] = 10: maximum paths
MATCH (a:Paper {paper_id: $from_paper}), (b:Paper {paper_id: $to_paper})
WHERE a <> b
CALL (a, b) {
  WITH a, b
  WHERE $directed
  MATCH path = ALL SHORTEST (a) (()-[:CITES]->(:Paper)){1,10} (b)
  RETURN path
  UNION
  WITH a, b
  WHERE NOT $directed
  MATCH path = ALL SHORTEST (a) (()-[:CITES]-(:Paper)){1,10} (b)
  RETURN path
}
WITH path, nodes(path) AS papers
RETURN length(path) AS hops, [p IN papers | p.paper_id] AS papers,
       [i IN range(0, length(path) - 1) |
         CASE WHEN startNode(relationships(path)[i]) = papers[i] THEN 'cites' ELSE 'cited by' END] AS steps,
       [p IN papers | p.title] AS titles
ORDER BY hops, papers
LIMIT toInteger($limit)
