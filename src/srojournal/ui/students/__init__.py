"""Students page, and the small widgets the record pages share (kit, forms, picker, tables)."""
