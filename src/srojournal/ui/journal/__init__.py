"""The journal page: a lazily fetched list of contacts with filters, search and a detail pane."""
