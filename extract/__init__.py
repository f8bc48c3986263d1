"""Fetch, parse and extract: everything that turns paper pages into records."""
