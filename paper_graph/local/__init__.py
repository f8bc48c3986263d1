"""Local servers for development: the Neo4j server from Maven jars and the Airflow environment."""
