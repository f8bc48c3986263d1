// Delete every node (the relationships are already gone), $rows per transaction.
MATCH (n)
CALL (n) { DELETE n } IN TRANSACTIONS OF $rows ROWS
