"""Plain data: the taxonomy, the journal's records and the facts summaries are built from."""
