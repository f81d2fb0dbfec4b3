"""Encrypted backups: ``sqlcipher_export`` into a new file plus a copy of the key header.

A backup counts only after it was reopened and checked (``cipher_integrity_check``,
``integrity_check``, row counts equal to the source). Backups are folders named
``srojournal-backup-YYYYMMDD-HHMMSS`` holding ``journal.db``, ``vault.key`` and ``manifest.json``
(row counts and the time; nothing sensitive). Rotation keeps 7 daily and 4 weekly backups.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import sqlcipher3

from srojournal.domain.settings import BACKUP_DIR, LAST_DAILY_BACKUP
from srojournal.vault import keys
from srojournal.vault.connection import Failure, classify, open_connection
from srojournal.vault.errors import NotAVault, StorageError, VaultDamaged, VaultError
from srojournal.vault.fsutil import atomic_write, fsync_dir, storage_error
from srojournal.vault.layout import DB_NAME

if TYPE_CHECKING:
    from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.vault.backup")

PREFIX: Final = "srojournal-backup-"
MANIFEST: Final = "manifest.json"
KEEP_DAILY: Final = 7
KEEP_WEEKLY: Final = 4
_COUNTED_TABLES: Final = ("contacts", "students", "follow_ups", "conflict_cases", "audit_log")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    created_at: dt.datetime
    contacts: int
    students: int
    reason: str  # manual | daily | migration


def default_backup_dir(vault_folder: Path) -> Path:
    """Next to the vault, not inside it: ``<vault>-backups``."""
    vault_folder = Path(vault_folder).resolve()
    return vault_folder.with_name(vault_folder.name + "-backups")


def backup_dir(vault: Vault) -> Path:
    configured = BACKUP_DIR.read(vault.journal)
    return configured if configured is not None else default_backup_dir(vault.folder)


def _counts(conn: sqlcipher3.Connection) -> dict[str, int]:
    return {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in _COUNTED_TABLES
    }


def create_backup(
    vault: Vault, dest_dir: Path | None = None, *, reason: str = "manual"
) -> BackupInfo:
    """Write a verified encrypted backup of ``vault`` into ``dest_dir``; return what was written."""
    dest_dir = Path(dest_dir) if dest_dir is not None else backup_dir(vault)
    now = dt.datetime.now().replace(microsecond=0)
    name = PREFIX + now.strftime("%Y%m%d-%H%M%S")
    target = dest_dir / name
    n = 1
    while target.exists():
        n += 1
        target = dest_dir / f"{name}-{n}"
    tmp = dest_dir / f".{target.name}.partial"
    old_umask = os.umask(0o077)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(mode=0o700)
    except OSError as exc:
        raise storage_error(exc, "create the backup folder") from None
    finally:
        os.umask(old_umask)
    key = vault.export_key_copy()
    try:
        conn = vault.conn
        source_counts = _counts(conn)
        hexkey = bytes(key).hex()
        try:
            conn.execute(f"ATTACH DATABASE ? AS backup KEY \"x'{hexkey}'\"", (str(tmp / DB_NAME),))
            try:
                conn.execute("SELECT sqlcipher_export('backup')")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.execute(f"PRAGMA backup.user_version = {int(version)}")
            finally:
                conn.execute("DETACH DATABASE backup")
        except sqlcipher3.Error as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if classify(exc) is Failure.FULL:
                raise StorageError("The disk is full: the backup was not written.") from None
            raise StorageError("The backup could not be written.") from None
        header_bytes = (vault.folder / keys.HEADER_NAME).read_bytes()
        atomic_write(tmp / keys.HEADER_NAME, header_bytes)
        _verify_copy(tmp / DB_NAME, key, source_counts)
        manifest = {
            "format": "srojournal-backup",
            "version": 1,
            "created_at": now.isoformat(),
            "reason": reason,
            "counts": source_counts,
        }
        atomic_write(tmp / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
        with _fsynced(tmp / DB_NAME):
            pass
        try:
            tmp.rename(target)
            fsync_dir(dest_dir)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise storage_error(exc, "finish the backup") from None
    finally:
        keys.zero(key)
    vault.journal.audit("backup_created", {"reason": reason, "contacts": source_counts["contacts"]})
    return BackupInfo(target, now, source_counts["contacts"], source_counts["students"], reason)


@contextlib.contextmanager
def _fsynced(path: Path):  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        yield
    finally:
        os.close(fd)


def _verify_copy(path: Path, key: bytearray, expected: dict[str, int] | None) -> dict[str, int]:
    try:
        conn = open_connection(path, key)
    except VaultError:
        raise VaultDamaged(
            "The backup did not verify: it does not open with the vault's key."
        ) from None
    try:
        if conn.execute("PRAGMA cipher_integrity_check").fetchall():
            raise VaultDamaged("The backup did not verify (page check failed).")
        if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
            raise VaultDamaged("The backup did not verify (integrity check failed).")
        counts = _counts(conn)
        if expected is not None and counts != expected:
            raise VaultDamaged("The backup did not verify (row counts differ from the vault).")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        return counts
    except sqlcipher3.Error:
        raise VaultDamaged("The backup did not verify.") from None
    finally:
        conn.close()


def list_backups(dest_dir: Path) -> list[BackupInfo]:
    """Backups in ``dest_dir``, newest first (unreadable manifests are skipped)."""
    found: list[BackupInfo] = []
    if not Path(dest_dir).is_dir():
        return found
    for child in Path(dest_dir).iterdir():
        if not child.name.startswith(PREFIX) or not child.is_dir():
            continue
        try:
            m = json.loads((child / MANIFEST).read_text(encoding="utf-8"))
            counts = m["counts"]
            found.append(
                BackupInfo(
                    child,
                    dt.datetime.fromisoformat(m["created_at"]),
                    int(counts["contacts"]),
                    int(counts["students"]),
                    str(m.get("reason", "manual")),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    found.sort(key=lambda b: b.created_at, reverse=True)
    return found


def rotate_backups(dest_dir: Path, today: dt.date | None = None) -> list[Path]:
    """Keep every backup of today (a second "Back up now" never takes the morning's away), and
    the newest backup of each of the last 7 days and of each of the last 4 weeks."""
    today = today or dt.date.today()
    backups = list_backups(dest_dir)
    keep: set[Path] = {b.path for b in backups if b.created_at.date() >= today}
    days: dict[dt.date, BackupInfo] = {}
    weeks: dict[tuple[int, int], BackupInfo] = {}
    for b in backups:  # newest first: the first seen per bucket is the newest
        d = b.created_at.date()
        days.setdefault(d, b)
        weeks.setdefault(d.isocalendar()[:2], b)
    for d in sorted(days, reverse=True)[:KEEP_DAILY]:
        keep.add(days[d].path)
    for w in sorted(weeks, reverse=True)[:KEEP_WEEKLY]:
        keep.add(weeks[w].path)
    removed = []
    for b in backups:
        if b.path not in keep and b.reason != "migration":
            shutil.rmtree(b.path, ignore_errors=True)
            removed.append(b.path)
    return removed


def daily_backup_if_due(vault: Vault) -> BackupInfo | None:
    """The first unlock of each day takes a backup (then rotates)."""
    today = dt.date.today()
    if LAST_DAILY_BACKUP.read(vault.journal) == today:
        return None
    info = create_backup(vault, reason="daily")
    LAST_DAILY_BACKUP.write(vault.journal, today)
    rotate_backups(info.path.parent)
    return info


def backup_before_migration(vault: Vault) -> BackupInfo:
    return create_backup(vault, reason="migration")


def restore_backup(backup: Path, target: Path) -> None:
    """Copy a backup into a new vault folder after checking that it is sound.

    The backup is verified with the key from its own header copy, so restoring needs the
    passphrase that was valid when it was taken — asked for when the restored vault is opened.
    Here we check structure: both files present, header parses; the database check runs at open.
    """
    backup, target = Path(backup), Path(target)
    if not (backup / DB_NAME).is_file() or not (backup / keys.HEADER_NAME).is_file():
        raise NotAVault(
            f"{backup} is not an SRO Journal backup (journal.db and vault.key expected)."
        )
    keys.read_header(backup)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise VaultError(f"{target} already exists and is not empty; restore into a new folder.")
    old_umask = os.umask(0o077)
    tmp = target.with_name(f".{target.name}.restoring")
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True, mode=0o700)
        for name in (DB_NAME, keys.HEADER_NAME):
            data = (backup / name).read_bytes()
            atomic_write(tmp / name, data)
        if target.exists():
            target.rmdir()
        tmp.rename(target)
        fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise storage_error(exc, "restore the backup") from None
    finally:
        os.umask(old_umask)


def verify_backup(backup: Path, passphrase: str) -> dict[str, int]:
    """Open a backup read-only with the passphrase and check it fully; returns row counts."""
    header = keys.read_header(backup)
    master = header.unwrap("passphrase", keys.normalize_secret(passphrase))
    try:
        candidates = header.data_keys(master)
    finally:
        keys.zero(master)
    try:
        return _verify_copy(backup / DB_NAME, candidates[0], None)
    finally:
        for k in candidates:
            keys.zero(k)
