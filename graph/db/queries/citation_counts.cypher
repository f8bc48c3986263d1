// Citation and Hub figures of the whole graph: ingested papers and cited works not ingested, CITES between ingested papers and to works outside, Hub repos by kind and their links.
RETURN
  COUNT { MATCH (p:Paper) WHERE p.ingested = true } AS ingested_papers,
  COUNT { MATCH (p:Paper) WHERE p.ingested = false } AS cited_works_not_ingested,
  COUNT { MATCH (:Paper)-[:CITES]->(p:Paper) WHERE p.ingested = true } AS cites_in_graph,
  COUNT { MATCH (:Paper)-[:CITES]->(p:Paper) WHERE p.ingested = false } AS cites_external,
  COUNT { MATCH (h:HubModel) } AS hub_models,
  COUNT { MATCH (h:HubDataset) } AS hub_datasets,
  COUNT { MATCH (h:HubSpace) } AS hub_spaces,
  COUNT { MATCH (:HubRepo)-[:CITES]->(:Paper) } AS hub_links
