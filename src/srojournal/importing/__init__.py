"""Spreadsheets in: reading CSV and Excel files, mapping their columns and labels onto the journal,
and the preview of what an import would write. Pure Python: no Qt, no SQL (the vault writes).

The steps, each its own module:

- ``sources``: a file becomes a ``Table`` (header and rows of cells), whatever its dialect,
  encoding or format (``csv_source``, ``xlsx_source``);
- ``fields``: which of the file's columns is which of our fields (names and synonyms);
- ``dates`` and ``values``: cells become dates, times, numbers and codes;
- ``mapping``: the officer's choices, as saved in the vault or given to the CLI as JSON;
- ``plan``: the whole file checked against the journal, as the rows that would be saved, every
  problem with its line, and the counts: the preview.

``journal_csv`` is the import format itself, shared with the officer's own export.
"""
