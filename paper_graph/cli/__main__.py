"""`python -m paper_graph.cli` = `paper-graph`."""

from paper_graph.cli import main

main()
