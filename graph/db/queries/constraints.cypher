// Constraints and indexes, created before any load. Idempotent (IF NOT EXISTS).
// Keys must match graph/db/model.py NODE_KEYS.
CREATE CONSTRAINT paper_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.paper_id IS UNIQUE;
CREATE CONSTRAINT author_key IF NOT EXISTS FOR (n:Author) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT repository_url IF NOT EXISTS FOR (n:Repository) REQUIRE n.url IS UNIQUE;
CREATE CONSTRAINT snapshot_load_id IF NOT EXISTS FOR (n:Snapshot) REQUIRE n.load_id IS UNIQUE;
CREATE INDEX paper_arxiv_id IF NOT EXISTS FOR (n:Paper) ON (n.arxiv_id);
CREATE INDEX paper_published_at IF NOT EXISTS FOR (n:Paper) ON (n.published_at);
CREATE INDEX paper_load_id IF NOT EXISTS FOR (n:Paper) ON (n.load_id);
CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name);
CREATE INDEX entity_load_id IF NOT EXISTS FOR (n:Entity) ON (n.load_id);
CREATE INDEX references_entity_key IF NOT EXISTS FOR ()-[r:REFERENCES]-() ON (r.entity_key);
CREATE CONSTRAINT hub_repo_key IF NOT EXISTS FOR (n:HubRepo) REQUIRE n.key IS UNIQUE;
CREATE INDEX paper_s2_paper_id IF NOT EXISTS FOR (n:Paper) ON (n.s2_paper_id);
CREATE INDEX paper_ingested IF NOT EXISTS FOR (n:Paper) ON (n.ingested);
