"""Encrypted backups: ``sqlcipher_export`` into a new file plus a copy of the key header.

A backup counts only after it was reopened and checked (``cipher_integrity_check``,
``integrity_check``, row counts equal to the source). Backups are folders named
``srojournal-backup-YYYYMMDD-HHMMSS`` holding ``journal.db``, ``vault.key`` and ``manifest.json``
(row counts and the time; nothing sensitive). Rotation keeps 7 daily and 4 weekly backups.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import sqlcipher3

from srojournal.vault import keymaterial, keys
from srojournal.vault.errors import NotAVault, StorageError, VaultDamaged, VaultError
from srojournal.vault.fsutil import atomic_write, fsync_dir, storage_error
from srojournal.vault.store import DB_NAME

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


def latest_backup_note(vault_folder: Path) -> str:
    """For a damage message: " The latest backup is … (taken …)." from the default backup
    folder (a configured one is recorded inside the vault, which cannot be read), or ""."""
    try:
        found = list_backups(default_backup_dir(vault_folder))
    except OSError:
        return ""
    if not found:
        return ""
    newest = found[0]
    return f" The latest backup is {newest.path} (taken {newest.created_at:%Y-%m-%d %H:%M})."


def backup_dir(vault: Vault) -> Path:
    configured = vault.journal.get_setting("backup_dir")
    return Path(configured) if configured else default_backup_dir(vault.folder)


def row_counts(conn: sqlcipher3.Connection) -> dict[str, int]:
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
        source_counts = row_counts(conn)
        try:
            # The file exists, private, before SQLite opens it (a process-wide umask would race
            # with other threads); SQLite gives its journal the same mode.
            os.close(os.open(tmp / DB_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            keymaterial.attach(conn, tmp / DB_NAME, "backup", key)
            try:
                conn.execute("PRAGMA backup.journal_mode = DELETE")  # one self-contained file
                conn.execute("SELECT sqlcipher_export('backup')")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.execute(f"PRAGMA backup.user_version = {int(version)}")
            finally:
                conn.execute("DETACH DATABASE backup")
        except (sqlcipher3.Error, OSError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            text = str(exc).lower()
            if "full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
                raise StorageError("The disk is full: the backup was not written.") from None
            raise StorageError("The backup could not be written.") from None
        header_bytes = (vault.folder / keys.HEADER_NAME).read_bytes()
        atomic_write(tmp / keys.HEADER_NAME, header_bytes)
        verify_copy(tmp / DB_NAME, key, source_counts)
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
    """Keep the newest backup of each of the last 7 days and of each of the last 4 weeks."""
    today = today or dt.date.today()
    backups = list_backups(dest_dir)
    keep: set[Path] = set()
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
    today = dt.date.today().isoformat()
    if vault.journal.get_setting("last_daily_backup") == today:
        return None
    info = create_backup(vault, reason="daily")
    vault.journal.set_setting("last_daily_backup", today)
    rotate_backups(info.path.parent)
    return info


def open_with_daily_backup(folder: Path, passphrase: str) -> Vault:
    """Unlock, then take the day's first backup. A failed backup never blocks the unlock:
    it is logged (without content) and the status bar keeps showing the last good one."""
    from srojournal.vault.store import Vault

    vault = Vault.open(folder, passphrase)
    try:
        daily_backup_if_due(vault)
    except VaultError as exc:
        log.warning("daily backup failed: %s", type(exc).__name__)
    return vault


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
    """Open a backup read-only with the passphrase it was taken under; check it fully, return
    its row counts. Writes nothing to the backup."""
    backup = Path(backup)
    header = keys.read_header(backup)
    opened = header.open("passphrase", keys.normalize_secret(passphrase))
    try:
        last: VaultError | None = None
        for o in opened:
            try:
                return verify_copy(backup / DB_NAME, o.data_key, None)
            except VaultDamaged as exc:
                last = exc
        assert last is not None
        raise last
    finally:
        for o in opened:
            o.zero()
