"""The vault's records, one module per kind, behind one ``Journal`` (see ``journal.py``)."""

from __future__ import annotations

from srojournal.vault.repo.audit import GENESIS_HASH as GENESIS_HASH
from srojournal.vault.repo.contacts import COMMON_WORD_HITS as COMMON_WORD_HITS
from srojournal.vault.repo.contacts import FIRST_LINE_CHARS as FIRST_LINE_CHARS
from srojournal.vault.repo.contacts import first_line as first_line
from srojournal.vault.repo.contacts import fts_query as fts_query
from srojournal.vault.repo.journal import Journal as Journal
from srojournal.vault.repo.maintenance import Counts as Counts
from srojournal.vault.repo.releases import StoredRelease as StoredRelease
from srojournal.vault.repo.releases import period_bounds as period_bounds
