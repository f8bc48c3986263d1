// Delete every relationship, $rows per transaction (run in an auto-commit transaction).
// Relationships go first so that no transaction holds a high-degree node with all its edges.
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF $rows ROWS
