"""Schema versions, kept in ``PRAGMA user_version``; each migration moves one step forward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from srojournal.vault.schema import alias_keys_and_lists, contributions, v1

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped)

MIGRATIONS: Final[tuple[Callable[[Connection], None], ...]] = (
    v1.migrate,
    alias_keys_and_lists.migrate,
    contributions.migrate,  # program contributions and the privacy-budget ledger
)
CURRENT_VERSION: Final = len(MIGRATIONS)
