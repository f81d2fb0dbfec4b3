"""The journal's base: the connection, one transaction helper, and the caches of lookups."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from srojournal.domain.taxonomy import ContactType
from srojournal.vault.connection import Connection
from srojournal.vault.errors import VaultClosed


class VaultLike(Protocol):
    """What the journal needs from the vault: its connection, transactions and meta table."""

    conn: Connection | None

    def transaction(self) -> AbstractContextManager[Connection]: ...
    def in_own_transaction(self) -> bool: ...
    def writing(self) -> AbstractContextManager[None]: ...
    def get_meta(self, key: str, default: str | None = None) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...


def now_text() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)  # "YYYY-MM-DDTHH:MM"; 20x faster than strptime


def ids_of(text: str | None) -> tuple[int, ...]:
    """The ids of a ``group_concat`` column, sorted."""
    return tuple(sorted(int(x) for x in text.split(","))) if text else ()


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class JournalCore:
    """The connection, the transaction helper and the lookups cached between writes."""

    def __init__(self, vault: VaultLike) -> None:
        self._vault = vault
        self._type_cache: dict[str, ContactType] | None = None
        # Lookups that only change when we write; dropped after every transaction that could
        # have changed them (and after any rollback, so no id from an undone write survives).
        self._school_ids: set[int] | None = None
        self._tag_ids: dict[str, int] = {}
        self._fts_hits_cache: dict[str, int] = {}

    @property
    def conn(self) -> Connection:
        conn = self._vault.conn
        if conn is None:
            raise VaultClosed()
        return conn

    @contextlib.contextmanager
    def batch(self) -> Iterator[Connection]:
        """One transaction around several writes; a nested call joins the open one.

        Only the thread that opened the transaction may join it: a write from another thread
        raises ``ConcurrentWrite`` (the vault's writer) instead of becoming part of a transaction
        that its owner may still roll back.
        """
        if self.conn.in_transaction and self._vault.in_own_transaction():
            yield self.conn
            return
        try:
            with self._vault.transaction() as conn:
                yield conn
        except BaseException:
            self.invalidate_caches()
            raise
        self._fts_hits_cache.clear()

    @contextlib.contextmanager
    def deferred_notes_index(self) -> Iterator[None]:
        """Inside a transaction: index the notes of the contacts added in the block with one
        statement at its end instead of one trigger call per row (bulk import).

        The trigger is dropped and re-created inside the same transaction, so a rollback
        restores it; a crash at any point leaves the old schema and data.
        """
        c = self.conn
        if not c.in_transaction:
            raise RuntimeError("deferred_notes_index needs an open transaction")
        trigger_sql = c.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'contacts_fts_insert'"
        ).fetchone()[0]
        last_id = c.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0]
        c.execute("DROP TRIGGER contacts_fts_insert")
        yield
        c.execute(
            "INSERT INTO notes_fts (rowid, notes) SELECT id, notes FROM contacts WHERE id > ?",
            (last_id,),
        )
        c.execute(trigger_sql)

    def invalidate_caches(self) -> None:
        """Forget cached lookups (after a rolled-back batch or an import)."""
        self._type_cache = None
        self._school_ids = None
        self._tag_ids.clear()
        self._fts_hits_cache.clear()
