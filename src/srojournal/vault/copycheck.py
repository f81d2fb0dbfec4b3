"""Checking a copy of the journal (a backup, a re-encrypted file) without writing to it.

A copy counts only after it was reopened read-only (``mode=ro&immutable=1``: no journal or WAL
file, no header change, so it may sit on write-protected media) and checked:
``cipher_integrity_check``, ``integrity_check``, and row counts equal to the source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import sqlcipher3

from srojournal.vault import keymaterial
from srojournal.vault.errors import VaultDamaged

_COUNTED_TABLES: Final = ("contacts", "students", "follow_ups", "conflict_cases", "audit_log")


def row_counts(conn: sqlcipher3.Connection) -> dict[str, int]:
    return {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in _COUNTED_TABLES
    }


def verify_copy(path: Path, key: bytearray, expected: dict[str, int] | None) -> dict[str, int]:
    """Check a backup's database without writing a byte to it (it may be on read-only media)."""
    try:
        conn = sqlcipher3.connect(keymaterial.read_only_uri(path), uri=True, isolation_level=None)
    except sqlcipher3.Error:
        raise VaultDamaged("The backup did not verify: its database does not open.") from None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        keymaterial.set_key(conn, key)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise VaultDamaged(
                "The backup did not verify: it does not open with the vault's key."
            ) from None
        conn.execute("PRAGMA temp_store = MEMORY")
        if conn.execute("PRAGMA cipher_integrity_check").fetchall():
            raise VaultDamaged("The backup did not verify (page check failed).")
        if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
            raise VaultDamaged("The backup did not verify (integrity check failed).")
        counts = row_counts(conn)
        if expected is not None and counts != expected:
            raise VaultDamaged("The backup did not verify (row counts differ from the vault).")
        return counts
    except sqlcipher3.Error:
        raise VaultDamaged("The backup did not verify.") from None
    finally:
        conn.close()
