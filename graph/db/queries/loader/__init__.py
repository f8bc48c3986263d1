"""Statements the loader runs (one `.cypher` file each); not offered as named queries."""
