"""Storage failures are sorted by SQLite error code, never by the words of the message."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from srojournal.domain.errors import UserError
from srojournal.vault.connection import Failure, classify, db_error
from srojournal.vault.errors import StorageError, VaultClosed, VaultDamaged, VaultError, VaultInUse
from srojournal.vault.store import Vault


def _error_of(fn) -> sqlcipher3.Error:  # type: ignore[no-untyped-def]
    with pytest.raises(sqlcipher3.Error) as info:
        fn()
    return info.value


def test_read_only_database_is_classified_by_code(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    conn = sqlcipher3.connect(str(path))
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    ro = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    exc = _error_of(lambda: ro.execute("INSERT INTO t VALUES (1)"))
    ro.close()
    assert classify(exc) is Failure.READ_ONLY
    assert isinstance(db_error(exc, "save"), StorageError)


def test_not_a_database_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(b"\x13" * 4096)
    conn = sqlcipher3.connect(str(path))
    exc = _error_of(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())
    conn.close()
    assert classify(exc) is Failure.DAMAGED
    assert isinstance(db_error(exc, "read"), VaultDamaged)


def test_message_text_alone_decides_nothing() -> None:
    # The words of a disk-full or busy message without SQLite's code are not a classification.
    for text in ("database or disk is full", "database is locked", "disk I/O error"):
        assert classify(sqlcipher3.OperationalError(text)) is Failure.OTHER
    busy = sqlcipher3.OperationalError("whatever the words")
    busy.sqlite_errorcode = 5  # type: ignore[attr-defined]  # SQLITE_BUSY
    assert isinstance(db_error(busy, "save"), VaultInUse)


def test_a_locked_vault_is_closed_not_in_use(vault: Vault) -> None:
    journal = vault.journal
    vault.close()
    with pytest.raises(VaultClosed) as info:
        journal.add_school("Lincoln")
    assert not isinstance(info.value, VaultInUse)
    assert isinstance(info.value, VaultError) and isinstance(info.value, UserError)


def test_report_rejections_share_the_root() -> None:
    from srojournal.reporting.errors import AuditFailed, LeakFound, ReportRejected

    for exc in (ReportRejected("x"), AuditFailed(), LeakFound("name")):
        assert isinstance(exc, UserError) and exc.exit_code == 5
