"""The SQLCipher store: one vault folder, one writer, one connection.

A vault folder holds ``journal.db`` (SQLCipher 4, raw 256-bit key), ``vault.key`` (the key header,
see ``keys.py``) and ``vault.lock`` (an advisory lock held while the vault is open, released by the
kernel when the process dies, so a crash never leaves a stale lock behind).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from srojournal.vault import keychange, keys, wal
from srojournal.vault.backup_files import latest_backup_note
from srojournal.vault.connection import Connection as Connection  # re-exported
from srojournal.vault.connection import db_error, open_connection, split_sql
from srojournal.vault.errors import (
    ConcurrentWrite,
    HeaderDamaged,
    NotAVault,
    StorageError,
    VaultClosed,
    VaultDamaged,
    VaultError,
    VaultInUse,
    WrongPassphrase,
    WrongRecoveryCode,
)
from srojournal.vault.fsutil import remove_leftover_temps, storage_error
from srojournal.vault.layout import DB_NAME as DB_NAME  # re-exported
from srojournal.vault.layout import LOCK_NAME
from srojournal.vault.layout import is_vault_folder as is_vault_folder  # re-exported
from srojournal.vault.passphrase import check_passphrase
from srojournal.vault.schema import CURRENT_VERSION, MIGRATIONS

log = logging.getLogger("srojournal.vault")

# Called with the open vault before its schema is migrated (a backup, in the app).
BeforeMigrate = Callable[["Vault"], object]


class _Writer:
    """Which thread may write to the vault right now: one at a time, re-entrant for that one.

    The connection is shared between the window's thread and its background worker. A second
    thread that found a transaction open would otherwise *join* it (SQLite knows connections,
    not threads) and its write would vanish if the owner rolled back. Instead it is refused at
    once with ``ConcurrentWrite`` (a bug: inside the app every write goes through one writer,
    see ui/common/runner.py).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def held_by_me(self) -> bool:
        return self._owner == threading.get_ident()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        if self.held_by_me():
            yield
            return
        if not self._lock.acquire(blocking=False):
            raise ConcurrentWrite("another thread is writing to this vault")
        self._owner = threading.get_ident()
        try:
            yield
        finally:
            self._owner = None
            self._lock.release()


class _FolderLock:
    """Exclusive locks held while a vault is open; the kernel drops them when the process dies.

    On POSIX the lock that counts is a ``flock`` on the vault *folder* itself: a file can be
    deleted from under its lock (and a second process would lock a fresh ``vault.lock``), the
    folder cannot while it holds the vault. ``vault.lock`` is locked too: earlier builds lock only
    that file, and creating it tells a read-only folder apart early. On Windows an open file
    cannot be deleted (Python opens without ``FILE_SHARE_DELETE``), so ``vault.lock`` under a
    byte-range lock cannot be taken away; locking the database itself there would block
    SQLite's own reads (Windows locks are mandatory).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self.fd: int | None = None
        self.dir_fd: int | None = None

    @staticmethod
    def _refuse() -> VaultInUse:
        return VaultInUse(
            "This vault is already open in another SRO Journal window or process. "
            "Close it there first."
        )

    def acquire(self) -> None:
        if os.name == "posix":
            import fcntl

            try:
                dir_fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError as exc:
                raise storage_error(exc, "open the vault") from None
            try:
                fcntl.flock(dir_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(dir_fd)
                raise self._refuse() from None
            self.dir_fd = dir_fd
        try:
            self._lock_file()
        except BaseException:
            self.release()
            raise

    def _lock_file(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if isinstance(exc, PermissionError) or exc.errno == 30:  # EROFS
                raise StorageError(
                    "The vault folder is read-only. Copy the vault to a writable location "
                    "to open it."
                ) from None
            raise storage_error(exc, "open the vault") from None
        try:
            if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise self._refuse() from None
        self.fd = fd

    def release(self) -> None:
        for name in ("fd", "dir_fd"):
            fd = getattr(self, name)
            if fd is not None:
                os.close(fd)  # closing releases the lock
                setattr(self, name, None)


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise NotAVault(f"There is no vault at {folder}.")
    if not folder.is_dir():
        raise NotAVault(f"{folder} is a file, not a vault folder.")
    has_header = (folder / keys.HEADER_NAME).exists()
    has_db = (folder / DB_NAME).exists()
    if not has_header and not has_db:
        raise NotAVault(f"{folder} is not an SRO Journal vault.")
    if not has_db:
        raise VaultDamaged(
            "The vault's database (journal.db) is missing. Restore the vault from a backup."
            + latest_backup_note(folder)
        )
    if (folder / DB_NAME).stat().st_size == 0:
        # SQLCipher would take an empty file for a new, empty database.
        raise VaultDamaged(
            "The vault's database (journal.db) is empty: it was truncated or overwritten. "
            "Restore the vault from a backup." + latest_backup_note(folder)
        )


class Vault:
    """An unlocked vault. ``close()`` locks it: the connection closes and the key is zeroed."""

    def __init__(
        self,
        folder: Path,
        conn: Connection,
        key: bytearray,
        lock: _FolderLock,
        *,
        read_only: bool = False,
    ) -> None:
        self.folder = folder
        self.read_only = read_only
        self.conn = conn
        self._key = key
        self._lock = lock
        self.unclean_previous_shutdown = False
        self._before_migrate: BeforeMigrate | None = None
        self._writer = _Writer()
        from srojournal.vault.repo import Journal

        self.journal = Journal(self)

    # -- life cycle ----------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        kdf: keys.KdfParams | None = None,
        allow_weak_kdf: bool = False,
        check_strength: bool = True,
    ) -> tuple[Vault, str]:
        """Create a vault in a new or empty folder; return it unlocked with the recovery code."""
        folder = Path(folder)
        if check_strength:
            check_passphrase(passphrase)
        params = kdf or keys.calibrate()
        if not allow_weak_kdf:
            params.check_product_floor()
        params.check_creatable()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise VaultError(f"{folder} already exists and is not empty; choose a new folder.")
        made_folder = not folder.exists()
        old_umask = os.umask(0o077)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise storage_error(exc, "create the vault folder") from None
        finally:
            os.umask(old_umask)
        lock = _FolderLock(folder)
        lock.acquire()
        data_key = bytearray(secrets.token_bytes(keys.KEY_BYTES))
        conn = None
        try:
            header, code = keys.new_header(passphrase, data_key, params)
            old_umask = os.umask(0o077)
            try:
                conn = open_connection(folder / DB_NAME, data_key)
            finally:
                os.umask(old_umask)
            vault = cls(folder, conn, data_key, lock)
            vault._migrate(backup_first=False)
            with vault.transaction():
                vault.set_meta("vault_id", header.vault_id)
                vault.set_meta("created_at", _now())
                vault.set_meta("open_state", "open")
            keys.write_header(folder, header)
            vault.journal.audit("vault_created", {"schema": CURRENT_VERSION})
        except BaseException:
            # A half-made vault (say, the disk filled up) would later look like a damaged one:
            # remove what this call wrote. The folder was new or empty, so nothing else is lost.
            if conn is not None:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.close()
            lock.release()
            keys.zero(data_key)
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", keys.HEADER_NAME, LOCK_NAME):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
            if made_folder:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        return vault, code

    @classmethod
    def open(
        cls,
        folder: Path,
        passphrase: str,
        *,
        read_only: bool = False,
        before_migrate: BeforeMigrate | None = None,
    ) -> Vault:
        """Unlock with the passphrase. ``read_only`` (for checks) writes nothing to the vault.

        ``before_migrate`` runs on the open vault before its schema is upgraded (the app passes
        the backup that must precede every migration; see ``ops.session.open_vault``).
        """
        return cls._open(
            Path(folder), "passphrase", keys.normalize_secret(passphrase), read_only, before_migrate
        )

    @classmethod
    def open_with_recovery(
        cls, folder: Path, code: str, *, before_migrate: BeforeMigrate | None = None
    ) -> Vault:
        return cls._open(
            Path(folder), "recovery", keys.normalize_recovery_code(code), False, before_migrate
        )

    @classmethod
    def _open(
        cls,
        folder: Path,
        kind: str,
        secret: bytes,
        read_only: bool,
        before_migrate: BeforeMigrate | None = None,
    ) -> Vault:
        _check_folder(folder)
        header = keys.read_header(folder)
        lock = _FolderLock(folder)
        lock.acquire()
        vault: Vault | None = None
        try:
            # Before SQLite reads the log: saved commits it would drop mean a refusal.
            wal.check_before_open(folder)
            if not read_only:
                remove_leftover_temps(folder, keys.HEADER_NAME)
            opened = header.open(kind, secret)
            try:
                conn, match = _open_with_keysets(folder / DB_NAME, header, opened, kind)
            except BaseException:
                for o in opened:
                    o.zero()
                raise
            for o in opened:
                keys.zero(o.master)
                if o is not match:
                    keys.zero(o.data_key)
            vault = cls(folder, conn, match.data_key, lock, read_only=read_only)
            vault._before_migrate = before_migrate
            vault._check_vault_id(header)
            vault._check_generation(header.vault_id, match.keyset.journal)
            if not read_only:
                # Finish or undo a key change interrupted by a crash; convert a format 1 header.
                keychange.settle(vault, header, match)
            vault._after_open()
        except BaseException:
            if vault is not None and vault.conn is not None:
                vault.conn.close()  # no bookkeeping writes: the open failed
                vault.conn = None
                keys.zero(vault._key)
            lock.release()
            raise
        return vault

    def _check_vault_id(self, header: keys.KeyHeader) -> None:
        try:
            stored = self.get_meta("vault_id")
        except sqlcipher3.DatabaseError:
            # The key opened page 1 but the vault's own records do not read back: damage (a
            # flipped byte, a truncated file), not a key file from another vault.
            raise VaultDamaged(
                "The vault's database is damaged: its pages do not verify. Restore the latest "
                "good backup." + latest_backup_note(self.folder)
            ) from None
        if stored != header.vault_id:
            raise VaultDamaged(
                "The key file and the database belong to different vaults. Restore the vault "
                "from a backup."
            )

    def _check_generation(self, vault_id: str, mark: keys.JournalMark | None) -> None:
        """A journal behind the generation its key file recorded at the last clean close was
        rolled back or replaced by an older copy: entries saved since are missing."""
        if mark is None:
            return
        if not mark.verify(self._key, vault_id):
            raise HeaderDamaged(
                "The vault's key file (vault.key) is damaged: its record of the journal does not "
                "verify. Restore it from a backup: every backup folder holds a copy of it."
            )
        if self.generation() < mark.generation:
            raise VaultDamaged(
                "The vault's journal is older than its key file records: it was rolled back or "
                "replaced by an older copy, and entries saved later are missing. Restore the "
                "latest good backup." + latest_backup_note(self.folder)
            )

    def _bump_generation(self) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', "
            "CAST(coalesce((SELECT value FROM meta WHERE key = 'generation'), '0') AS INTEGER)"
            " + 1)"
        )

    def _mark_journal(self, generation: int) -> None:
        """After a clean close: the key file records the journal's generation (only ever after
        the database has it, so a crash leaves the key file behind, never ahead)."""
        try:
            header = keys.read_header(self.folder)
            current = header.keys.journal
            if header.pending is not None or (
                current is not None and not current.verify(self._key, header.vault_id)
            ):
                return  # not this journal's keyset: leave the key file alone
            mark = keys.JournalMark.make(self._key, header.vault_id, generation)
            keys.write_header(
                self.folder,
                header.replace(keys=header.keys.replace(journal=mark), version=keys.HEADER_VERSION),
            )
        except VaultError as exc:
            log.warning("could not record the journal's generation: %s", type(exc).__name__)

    def _after_open(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > CURRENT_VERSION:
            self.close()
            raise VaultError(
                "This vault was written by a newer version of SRO Journal. Update the app."
            )
        if self.get_meta("open_state") == "open":
            # The last session did not close cleanly: check before trusting the file.
            self.unclean_previous_shutdown = True
            ok = self.conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                self.close()
                raise VaultDamaged(
                    "The vault's database is damaged (the last session ended abruptly). "
                    "Restore the latest good backup."
                )
        if self.read_only:
            if version < CURRENT_VERSION:
                self.close()
                raise VaultError("This vault needs an upgrade: open it in the app first.")
            return
        if version < CURRENT_VERSION:
            self._migrate(backup_first=True)
        with self.transaction():
            self.set_meta("open_state", "open")
            self._bump_generation()

    def _migrate(self, *, backup_first: bool) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= CURRENT_VERSION:
            return
        if backup_first and self._before_migrate is not None:
            self._before_migrate(self)
        for target in range(version + 1, CURRENT_VERSION + 1):
            with self.transaction():
                MIGRATIONS[target - 1](_ScriptConnection(self.conn))
                self.conn.execute(f"PRAGMA user_version = {target}")
            log.info("vault schema migrated to version %d", target)

    @property
    def is_open(self) -> bool:
        return self.conn is not None

    def close(self) -> None:
        """Lock the vault: checkpoint, close, zero the key, release the folder lock."""
        closed_at: int | None = None
        if self.conn is not None:
            try:
                if not self.read_only and not self.conn.in_transaction:
                    with contextlib.suppress(sqlcipher3.Error):
                        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        with self.transaction():
                            self.set_meta("open_state", "closed")
                            self._bump_generation()
                        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        closed_at = self.generation()
            except (VaultError, ConcurrentWrite) as exc:
                log.warning("the vault closed without its bookkeeping: %s", type(exc).__name__)
            finally:
                self.conn.close()
                self.conn = None
        if closed_at is not None:
            self._mark_journal(closed_at)
        keys.zero(self._key)
        self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def key_is_zeroed(self) -> bool:
        return all(b == 0 for b in self._key)

    # -- transactions and meta -----------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """BEGIN IMMEDIATE … COMMIT; rolls back on any error. Disk-full/IO become StorageError.

        The calling thread holds the vault's writer for the whole transaction; another thread's
        write meanwhile raises ``ConcurrentWrite`` rather than joining it.
        """
        conn = self.conn
        if conn is None:
            raise VaultClosed()
        with self._writer.hold():
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlcipher3.OperationalError as exc:
                raise db_error(exc, "start a change") from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlcipher3.OperationalError):
                    raise db_error(exc, "save the change") from None
                raise

    def in_own_transaction(self) -> bool:
        """Whether the calling thread holds the open transaction (and may join it)."""
        return self._writer.held_by_me()

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the writer around a change made outside a transaction (VACUUM, rekey)."""
        return self._writer.hold()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- keys ----------------------------------------------------------------------------------
    def change_passphrase(
        self,
        old_secret: str,
        new_passphrase: str,
        *,
        with_recovery_code: bool = False,
        check_strength: bool = True,
        progress: keychange.Progress | None = None,
    ) -> str | None:
        """Set a new passphrase and re-encrypt the journal under new keys, so the old passphrase
        (with any copy of the key file, say from a backup) no longer opens it. Crash-safe: a kill
        at any moment leaves a vault that opens with the old or the new passphrase.

        ``old_secret`` is the current passphrase, or the recovery code when
        ``with_recovery_code`` is set: using the code replaces it, and the new code is returned
        (to be shown at once, then ``confirm_recovery_code()``). Otherwise the recovery code keeps
        working and None is returned, except for a vault whose recovery slot predates this
        scheme (format 1): it cannot follow the new keys, so a new code is returned.
        ``progress(fraction)`` is called from this thread as the work advances.
        """
        if check_strength:
            check_passphrase(new_passphrase)
        kind = "recovery" if with_recovery_code else "passphrase"
        old = self._open_current(kind, old_secret)
        try:
            return keychange.change_keys(
                self,
                old,
                passphrase=keys.normalize_secret(new_passphrase),
                new_recovery_code=with_recovery_code,
                change="passphrase_changed",
                detail={"via": "recovery_code" if with_recovery_code else "passphrase"},
                progress=progress,
            )
        finally:
            old.zero()

    def replace_recovery_code(
        self, passphrase: str, *, progress: keychange.Progress | None = None
    ) -> str:
        """Issue a new recovery code and re-encrypt under new keys: the old code (with any copy
        of the key file) no longer opens the journal. Show the code, then
        ``confirm_recovery_code()``."""
        old = self._open_current("passphrase", passphrase)
        try:
            code = keychange.change_keys(
                self,
                old,
                passphrase=keys.normalize_secret(passphrase),
                new_recovery_code=True,
                change="recovery_code_replaced",
                detail={"via": "passphrase"},
                progress=progress,
            )
        finally:
            old.zero()
        assert code is not None
        return code

    def rotate_data_key(
        self, passphrase: str, *, progress: keychange.Progress | None = None
    ) -> str | None:
        """Re-encrypt the journal under a new data key (and master key), same passphrase and
        recovery code; crash-safe like ``change_passphrase`` (and like it, returns a new recovery
        code for a format 1 vault)."""
        old = self._open_current("passphrase", passphrase)
        try:
            return keychange.change_keys(
                self,
                old,
                passphrase=keys.normalize_secret(passphrase),
                new_recovery_code=False,
                change="data_key_rotated",
                detail={},
                progress=progress,
            )
        finally:
            old.zero()

    def _open_current(self, kind: str, secret: str) -> keys.Opened:
        """The current keyset opened with ``secret`` (checked before anything changes)."""
        if self.read_only or self.conn is None:
            raise VaultError("The vault is open read-only or locked: its keys cannot change.")
        normalized = (
            keys.normalize_recovery_code(secret)
            if kind == "recovery"
            else keys.normalize_secret(secret)
        )
        opened = keys.read_header(self.folder).open(kind, normalized)
        current = [o for o in opened if not o.pending]
        for o in opened:
            if o not in current[:1]:
                o.zero()
        if not current:
            raise (WrongRecoveryCode if kind == "recovery" else WrongPassphrase)(
                "That is not the current passphrase."
            )
        if not secrets.compare_digest(bytes(current[0].data_key), bytes(self._key)):
            current[0].zero()
            raise VaultDamaged(
                "The key file no longer matches the open journal. Lock the vault and unlock it "
                "again."
            )
        return current[0]

    @property
    def recovery_code_unconfirmed(self) -> bool:
        """A new recovery code was issued but not confirmed as stored (the app or the command
        stopped before it was shown): the officer should issue a new one."""
        return self.get_meta(keychange.UNCONFIRMED_CODE) is not None

    def confirm_recovery_code(self) -> None:
        """The new recovery code was shown (and, in the app, confirmed as stored)."""
        with self.transaction() as c:
            c.execute("DELETE FROM meta WHERE key = ?", (keychange.UNCONFIRMED_CODE,))

    def generation(self) -> int:
        """How many times this journal was opened and closed for writing (``meta``)."""
        try:
            return int(self.get_meta("generation", "0") or 0)
        except ValueError:
            return 0

    def export_key_copy(self) -> bytearray:
        """A copy of the data key for a backup connection; the caller zeroes it."""
        return bytearray(self._key)

    def reopen(self) -> None:
        """Open the connection again with the current key (after a failed key change)."""
        if self.conn is None:
            self.conn = open_connection(self.folder / DB_NAME, self._key)

    def adopt_key(self, data_key: bytearray) -> None:
        """The journal file was swapped for one under ``data_key``: open it, forget the old key."""
        self.conn = open_connection(self.folder / DB_NAME, data_key)
        keys.zero(self._key)
        self._key = data_key


class _ScriptConnection:
    """Gives migrations an ``executescript`` that stays inside the open transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def executescript(self, script: str) -> None:
        for statement in split_sql(script):
            self._conn.execute(statement)

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, seq: Any) -> Any:
        return self._conn.executemany(sql, seq)


def _open_with_keysets(
    path: Path, header: keys.KeyHeader, opened: list[keys.Opened], kind: str
) -> tuple[Connection, keys.Opened]:
    """The first keyset whose data key opens the journal file."""
    for o in opened:
        try:
            return open_connection(path, o.data_key), o
        except VaultDamaged:
            continue
    raise keychange.no_keyset_matches(header, opened, kind)
