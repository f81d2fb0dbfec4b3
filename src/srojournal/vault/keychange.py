"""Key changes that revoke: a new passphrase, a new recovery code, a new data key.

Each one makes a whole new keyset (new master key, new data key) and re-encrypts the journal under
it, so the old passphrase or code, with any old copy of the key file, no longer opens the live
journal. The order is what makes a kill at any moment harmless:

1. the change is written to the audit log first (so a kill can never lose it), together with a
   marker when a new recovery code is about to be issued;
2. the key file gets the new keyset as ``pending`` next to the current one (atomic write): from
   here the vault opens with whichever keyset matches the journal file;
3. the journal is written again under the new data key and swapped in (``rekey.py``): that
   rename is the commit point;
4. the key file keeps only the new keyset.

A kill before 3 leaves the journal under the old keys: the next writable open drops the pending
keyset and logs that the change was undone. A kill after it leaves the journal under the new keys:
the next open (with the new passphrase) finishes step 4. ``settle`` does both.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Final, Protocol

from srojournal.vault import keys, rekey
from srojournal.vault.connection import Connection
from srojournal.vault.errors import VaultDamaged, VaultError, WrongPassphrase

log = logging.getLogger("srojournal.vault.keychange")

UNDONE: Final = "key_change_undone"
UNCONFIRMED_CODE: Final = "recovery_code_unconfirmed"
Progress = Callable[[float], None]


class _Audit(Protocol):
    def audit(self, action: str, detail: dict[str, Any]) -> None: ...


class KeyedVault(Protocol):
    """What a key change needs from the open vault (``store.Vault``)."""

    folder: Path
    conn: Connection | None

    @property
    def journal(self) -> _Audit: ...
    def transaction(self) -> AbstractContextManager[Connection]: ...
    def writing(self) -> AbstractContextManager[None]: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def generation(self) -> int: ...
    def reopen(self) -> None: ...
    def adopt_key(self, data_key: bytearray) -> None: ...


def change_keys(
    vault: KeyedVault,
    old: keys.Opened,
    *,
    passphrase: bytes,
    new_recovery_code: bool,
    change: str,
    detail: dict[str, Any],
    progress: Progress | None = None,
) -> str | None:
    """Replace ``vault``'s keys (see the module doc). ``old`` is the current keyset, opened with
    the secret the officer just gave; ``passphrase`` the (new or same) passphrase. Returns the new
    recovery code when one was issued: asked for, or because the vault's recovery slot (format 1)
    cannot follow a new master key.

    The calling thread holds the vault's writer throughout: a write from another thread cannot
    slip in between the copy and the swap (it would be lost with the old file)."""
    with vault.writing():
        return _change_keys(
            vault,
            old,
            passphrase=passphrase,
            new_recovery_code=new_recovery_code,
            change=change,
            detail=detail,
            progress=progress,
        )


def _change_keys(
    vault: KeyedVault,
    old: keys.Opened,
    *,
    passphrase: bytes,
    new_recovery_code: bool,
    change: str,
    detail: dict[str, Any],
    progress: Progress | None,
) -> str | None:
    report = _reporter(progress)
    folder = vault.folder
    header = keys.read_header(folder)
    if header.pending is not None or old.pending:
        raise VaultError("A key change is already in progress; lock and unlock the vault first.")
    vault_id = header.vault_id
    current = header.keys
    master = bytearray(secrets.token_bytes(keys.KEY_BYTES))
    data_key = bytearray(secrets.token_bytes(keys.KEY_BYTES))
    code: str | None = None
    try:
        pass_slot = keys.wrap_passphrase_slot(
            passphrase, master, current.passphrase.params, vault_id
        )
        report(0.08)
        if new_recovery_code or current.recovery.legacy:
            code = keys.new_recovery_code()
            rec_slot = keys.new_recovery_slot(
                keys.normalize_recovery_code(code), master, current.recovery.params, vault_id
            )
        else:
            rec_slot = keys.reseal_recovery_slot(current.recovery, master, vault_id)
        report(0.15)
        database = keys.wrap_data_key(master, data_key, rec_slot, vault_id)
    except BaseException:
        keys.zero(data_key)
        raise
    finally:
        keys.zero(master)
    generation = vault.generation()
    pending = keys.Keyset(
        pass_slot,
        rec_slot,
        database,
        keys.JournalMark.make(data_key, vault_id, generation) if generation else None,
        change,
    )
    # 1. The change is on record before anything else happens.
    with vault.transaction():
        vault.journal.audit(change, {**detail, "recovery_code": "replaced" if code else "kept"})
        if code is not None:
            vault.set_meta(UNCONFIRMED_CODE, "1")
    # 2. From here on the vault opens with whichever keyset matches the journal file.
    try:
        keys.write_header(folder, header.replace(pending=pending))
        # 3. The journal under the new data key, swapped in.
        rekey.prepare(vault.conn, folder, data_key, lambda f: report(0.15 + 0.75 * f))
        report(0.92)
        conn = vault.conn
        vault.conn = None
        try:
            rekey.swap(conn, folder)
        except BaseException:
            if (folder / rekey.TEMP_NAME).exists():  # not swapped: the old file is in place
                vault.reopen()
                raise
            log.warning("re-encrypted journal swapped in, but the folder sync failed")
    except BaseException:
        keys.zero(data_key)
        if vault.conn is not None:
            _roll_back(vault, header, change, "error")
        raise
    # 4. Only the new keyset remains.
    vault.adopt_key(data_key)
    keys.write_header(folder, header.replace(pending=pending).settled(to_pending=True))
    report(1.0)
    return code


def _roll_back(vault: KeyedVault, header: keys.KeyHeader, change: str, reason: str) -> None:
    """The journal is still under the current keys: forget the pending keyset, say so."""
    try:
        keys.write_header(vault.folder, header.settled(to_pending=False))
        rekey.remove_leftover(vault.folder)
        with vault.transaction() as conn:
            vault.journal.audit(UNDONE, {"change": change, "reason": reason})
            conn.execute("DELETE FROM meta WHERE key = ?", (UNCONFIRMED_CODE,))
    except VaultError as exc:  # the original failure is what the officer needs to hear about
        log.error("could not roll back the key change: %s", type(exc).__name__)


def settle(vault: KeyedVault, header: keys.KeyHeader, opened: keys.Opened) -> None:
    """At a writable open: finish or undo a key change a crash interrupted, convert a format 1
    key file, remove a stray re-encryption copy."""
    rekey.remove_leftover(vault.folder)
    if header.pending is not None:
        if opened.pending:  # the new journal file was swapped in before the crash
            keys.write_header(vault.folder, header.settled(to_pending=True))
            log.info("finished a key change interrupted after its commit point")
        else:
            _roll_back(vault, header, header.pending.change or "unknown", "interrupted")
            log.info("undid a key change interrupted before its commit point")
    elif header.version < keys.HEADER_VERSION:
        keys.write_header(vault.folder, header.replace(version=keys.HEADER_VERSION))
        log.info("key file converted to format %d", keys.HEADER_VERSION)


class KeyChangeInterrupted(WrongPassphrase):
    """The secret belongs to the other side of a key change a crash interrupted (exit 3); the
    message says which passphrase opens the journal now."""


def no_keyset_matches(header: keys.KeyHeader, opened: list[keys.Opened], kind: str) -> VaultError:
    """Why the journal opened with none of the keysets the secret unlocked."""
    what = "This recovery code" if kind == "recovery" else "This passphrase"
    wrong = KeyChangeInterrupted
    kinds = {o.pending for o in opened}
    if header.pending is not None and kinds == {False}:
        return wrong(
            f"{what} was replaced by a key change that finished just before SRO Journal "
            "stopped. Unlock with the new passphrase (or the new recovery code)."
        )
    if header.pending is not None and kinds == {True}:
        return wrong(
            f"{what} belongs to a key change that did not finish, so it is not valid yet. Unlock "
            "with the previous passphrase."
        )
    return VaultDamaged(
        "The journal does not open with this key file: the key file is an older copy (every "
        "backup holds one, for the passphrase of its time) or the journal is damaged. Restore "
        "the latest good backup."
    )


def _reporter(progress: Progress | None) -> Progress:
    def report(fraction: float) -> None:
        if progress is None:
            return
        try:
            progress(max(0.0, min(1.0, fraction)))
        except Exception:
            log.exception("progress callback failed")

    return report
