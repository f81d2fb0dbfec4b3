"""Child programs of the fault campaigns (``python -m tests.faults.worker MODE ...``).

Each prints one line per durable step (``ack ...``, flushed) so the parent knows exactly what was
acknowledged before it kills the child. Nothing here sleeps: children wait on stdin.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import resource
import signal
import sys
from pathlib import Path

from srojournal.domain.models import ContactFilter
from srojournal.vault.backup import create_backup
from srojournal.vault.errors import VaultError
from srojournal.vault.importer import import_csv
from srojournal.vault.store import Vault
from tests.faults.common import CHEAP_KDF, PASSPHRASE, contact

NOBODY = 65534


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(map(str, parts)) + "\n")
    sys.stdout.flush()


def save_note(trial: str, i: int) -> str:
    return f"kill-save {trial} n{i} " + "mentoring session about attendance and goals " * (i % 7)


def mode_save(folder: Path, trial: str) -> None:
    vault = Vault.open(folder, PASSPHRASE)
    say("opened")
    for i in range(100_000):
        if i % 5 == 0:
            vault.journal.save_draft("quick-entry", f"draft {trial} {i}")
        cid = vault.journal.add_contact(contact(save_note(trial, i)))
        say("ack", cid, i)
    vault.close()


def mode_import(folder: Path, csv_path: str) -> None:
    vault = Vault.open(folder, PASSPHRASE)
    say("opened")
    result = import_csv(vault.journal, Path(csv_path).read_text(encoding="utf-8"))
    say("ack", result.contacts)
    vault.close()


def mode_passwd(folder: Path, old: str, new: str) -> None:
    vault = Vault.open(folder, old)
    say("opened")
    vault.change_passphrase(old, new, check_strength=False)
    say("ack")
    vault.close()


def mode_recover(folder: Path, code: str, new: str) -> None:
    """Use the recovery code: a new passphrase and a new code (printed, then confirmed)."""
    vault = Vault.open_with_recovery(folder, code)
    say("opened")
    new_code = vault.change_passphrase(code, new, with_recovery_code=True, check_strength=False)
    say("ack", new_code)
    vault.confirm_recovery_code()
    say("confirmed")
    vault.close()


def mode_restore(backup: Path, target: str) -> None:
    """`srojournal restore` in this process (the campaign's cheap vaults are accepted)."""
    from srojournal.cli import main as cli_main

    code = cli_main(["restore", str(backup), target, "--passphrase-stdin"])
    say("ack", code)


def example_migration(conn: object) -> None:
    """A schema step of the kind a release ships: a new table filled from the journal, and every
    contact rewritten (so the step takes long enough for a kill to land inside it)."""
    conn.executescript(  # type: ignore[attr-defined]
        "CREATE TABLE example_v2 (contact_id INTEGER PRIMARY KEY, words INTEGER NOT NULL);\n"
        "INSERT INTO example_v2 SELECT id, length(notes) FROM contacts;\n"
        "UPDATE contacts SET updated_at = updated_at;\n"
    )


def with_example_migration():  # type: ignore[no-untyped-def]
    """The real migrations plus ``example_migration`` as one more step (parent and child)."""
    import contextlib
    from unittest import mock

    from srojournal.vault import schema, store

    stack = contextlib.ExitStack()
    stack.enter_context(
        mock.patch.object(store, "MIGRATIONS", (*schema.MIGRATIONS, example_migration))
    )
    stack.enter_context(mock.patch.object(store, "CURRENT_VERSION", schema.CURRENT_VERSION + 1))
    return stack


def mode_migrate(folder: Path, passphrase: str) -> None:
    """Open a vault of the previous format the way both faces do (``ops.access.open_vault``):
    backup, the schema steps, key file format, one entry."""
    from srojournal.ops.access import open_vault

    with with_example_migration():
        vault = open_vault(folder, passphrase)
        say("opened")
        cid = vault.journal.add_contact(contact("written after the migration"))
        say("ack", cid)
        vault.close()


def mode_rotate(folder: Path, passphrase: str) -> None:
    vault = Vault.open(folder, passphrase)
    say("opened")
    vault.rotate_data_key(passphrase)
    say("ack")
    vault.close()


def mode_purge(folder: Path) -> None:
    vault = Vault.open(folder, PASSPHRASE)
    say("opened")
    n = vault.journal.purge_notes_before(dt.date(2100, 1, 1))  # every note, then VACUUM
    say("ack", n)
    vault.close()


def mode_backup(folder: Path, dest: str) -> None:
    vault = Vault.open(folder, PASSPHRASE)
    say("opened")
    info = create_backup(vault, Path(dest))
    say("ack", info.path)
    vault.close()


def mode_hold(folder: Path) -> None:
    vault = Vault.open(folder, PASSPHRASE)
    say("holding")
    sys.stdin.read()  # until the parent closes our stdin (or kills us)
    vault.close()


def mode_diskfull(folder: Path, slack_kib: str) -> None:
    """Save a draft, then try to save an entry with a file-size limit just above the vault."""
    vault = Vault.open(folder, PASSPHRASE)
    vault.journal.save_draft("quick-entry", "typed entry that must survive")
    say("draft")
    sizes = [p.stat().st_size for p in folder.iterdir() if p.is_file()]
    limit = max(sizes) + int(slack_kib) * 1024
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        vault.journal.add_contact(contact("a long entry " + "x" * 4_000_000))
        say("saved")
    except VaultError as exc:
        say("refused", type(exc).__name__, exc.message)
    try:
        vault.close()
        say("closed")
    except VaultError as exc:
        say("close-refused", type(exc).__name__, exc.message)


def mode_fill(folder: Path) -> None:
    """Fill a small file system with entries until the vault refuses one."""
    vault = Vault.open(folder, PASSPHRASE)
    vault.journal.save_draft("quick-entry", "typed entry that must survive")
    say("draft")
    try:
        for i in range(100_000):
            cid = vault.journal.add_contact(contact(f"fill n{i} " + "y" * 20_000))
            say("ack", cid, i)
    except VaultError as exc:
        say("refused", type(exc).__name__, exc.message)
    try:
        vault.close()
        say("closed")
    except VaultError as exc:
        say("close-refused", type(exc).__name__, exc.message)


def _drop_privileges() -> None:
    """Become ``nobody`` (root ignores file modes). Everything needed is imported already."""
    import ctypes  # noqa: F401  (for srojournal.hardening, run by the CLI)

    import srojournal.cli
    import srojournal.hardening
    import srojournal.vault.backup
    import srojournal.vault.importer  # noqa: F401

    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def mode_open(folder: Path) -> None:
    """Open as an unprivileged user and report, for the read-only folder trial."""
    _drop_privileges()
    try:
        vault = Vault.open(folder, PASSPHRASE)
    except VaultError as exc:
        say("refused", type(exc).__name__, exc.message)
        return
    say("opened", "read_only" if vault.read_only else "read_write")
    vault.close()


def mode_cli(folder: Path, *args: str) -> None:
    """Run the command line in this process as an unprivileged user; exit with its code."""
    from srojournal.cli import main as cli_main

    _drop_privileges()
    sys.exit(cli_main([*args[:1], str(folder), *args[1:]]))


def mode_session(folder: Path, aliases: str, notes_file: str) -> None:
    """A library session: create, add students and contacts, search, draft, lock."""
    logging.basicConfig(level=logging.DEBUG)  # every log line goes to stderr, to be scanned
    notes = Path(notes_file).read_text(encoding="utf-8").split("\n---\n")
    vault, _code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    j = vault.journal
    school = j.add_school("Lincoln Middle")
    ids = [j.add_student(a, school, "7", notes=f"private {a}") for a in aliases.split(",")]
    for i, note in enumerate(notes):
        j.add_contact(contact(note, school, [ids[i % len(ids)], ids[(i + 1) % len(ids)]]))
    first_word = notes[0].split()[0]
    hits = j.list_contacts(ContactFilter(text=first_word))
    say("search", len(hits))
    j.save_draft("quick-entry", notes[0])
    vault.close()
    say("locked")


MODES = {
    "save": mode_save,
    "import": mode_import,
    "passwd": mode_passwd,
    "rotate": mode_rotate,
    "recover": mode_recover,
    "restore": mode_restore,
    "migrate": mode_migrate,
    "backup": mode_backup,
    "purge": mode_purge,
    "hold": mode_hold,
    "diskfull": mode_diskfull,
    "fill": mode_fill,
    "open": mode_open,
    "cli-as-nobody": mode_cli,
    "session": mode_session,
}


def main(argv: list[str]) -> None:
    mode, folder, *rest = argv
    MODES[mode](Path(folder), *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
