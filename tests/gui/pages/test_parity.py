"""The window and the command line are two faces of the same use cases (``ops/``).

Backing up rotates old backups, restoring verifies the backup and records the restore, and
recovery is one function: both faces, the same result.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from tests.conftest import CHEAP_KDF, REPO_ROOT

from conftest import PASSPHRASE
from srojournal.domain.settings import BACKUP_DIR
from srojournal.ui.backups.page import BackupsPage
from srojournal.vault import backup
from srojournal.vault.errors import WrongRecoveryCode
from srojournal.vault.store import Vault

NEW = "meadow copper violin harbor 12"


@pytest.fixture
def cli(cheap_cli):
    """The vaults here are made in this process with the cheap KDF: the command line opts in to
    opening them (see ``cheap_cli`` in tests/conftest.py)."""
    return cheap_cli


def _old_backups(vault: Vault, dest: Path, days: int) -> None:
    """``days`` backups, one a day before today (copies of a real one with an older date)."""
    first = backup.create_backup(vault, dest.parent / "seed")
    for i in range(1, days + 1):
        day = dt.datetime.combine(dt.date.today() - dt.timedelta(days=i), dt.time(12))
        copy = dest / f"{backup.PREFIX}{day:%Y%m%d-%H%M%S}"
        shutil.copytree(first.path, copy)
        manifest = (copy / backup.MANIFEST).read_text()
        (copy / backup.MANIFEST).write_text(
            manifest.replace(first.created_at.isoformat(), day.isoformat())
        )


def _kept_days(dest: Path) -> list[dt.date]:
    return sorted(b.created_at.date() for b in backup.list_backups(dest))


def test_backup_rotates_from_the_window_and_the_command_line(
    qtbot, cli, session, vault, data, show, tmp_path
):
    in_app, on_cli = tmp_path / "app" / "bk", tmp_path / "cli" / "bk"
    for dest in (in_app, on_cli):
        dest.mkdir(parents=True)
        _old_backups(vault, dest, 40)
    BACKUP_DIR.write(vault.journal, in_app)
    page = show(BackupsPage(session))
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "verified" in page.message.text(), timeout=20000)
    page.clear()
    vault.close()
    r = cli("backup", vault.folder, on_cli, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    assert _kept_days(in_app) == _kept_days(on_cli)
    assert len(_kept_days(on_cli)) <= 1 + 7 + 4  # today, 7 daily, 4 weekly
    assert dt.date.today() - dt.timedelta(days=40) not in _kept_days(on_cli)


def test_restore_verifies_and_audits_from_both_faces(qtbot, cli, session, vault, data, show):
    page = show(BackupsPage(session))
    page.back_up_now()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20000)
    page.table.selectRow(0)
    b = page.selected_backup()
    assert b is not None
    app_target, cli_target = vault.folder.parent / "app", vault.folder.parent / "cli"
    page.restore(b, app_target, "not the passphrase at all")
    qtbot.waitUntil(lambda: "passphrase" in page.message.text(), timeout=20000)
    r = cli("restore", b.path, cli_target, "--passphrase-stdin", stdin="not the passphrase\n")
    assert r.code == 3
    assert not app_target.exists() and not cli_target.exists()  # refused before any copy

    page.restore(b, app_target, PASSPHRASE)
    qtbot.waitUntil(lambda: "Restored" in page.message.text(), timeout=20000)
    r = cli("restore", b.path, cli_target, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    for target in (app_target, cli_target):
        with Vault.open(target, PASSPHRASE) as v:
            assert v.journal.audit_entries()[-1].action == "restored_from_backup"
            assert v.journal.counts().students == 3


def test_recovery_is_written_once(qtbot, cli, tmp_path, settings):
    from srojournal.ui.unlock import UnlockScreen

    results = []
    for face in ("window", "cli"):
        folder = tmp_path / face
        v, code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
        v.close()
        if face == "window":
            screen = UnlockScreen(settings)
            qtbot.addWidget(screen)
            screen.open_path(folder)
            screen.show_recover()
            screen.recovery_code.setText(code)
            qtbot.keyClicks(screen.recover_new, NEW)
            qtbot.keyClicks(screen.recover_confirm, NEW)
            screen.recover_go.click()
            # Using the code replaces it: the new one is shown, then stored, then the journal.
            qtbot.waitUntil(lambda s=screen: s.current_view() == "code", timeout=20000)
            new_code = screen.code_label.text().replace("\n", "-")
            screen.stored_check.setChecked(True)
            with qtbot.waitSignal(screen.unlocked, timeout=20000) as opened:
                screen.code_continue.click()
            opened.args[0].close()
        else:
            r = cli("recover", folder, "--passphrase-stdin", stdin=f"{code}\n{NEW}\n")
            assert r.code == 0, r.err
            [new_code] = [
                line.removeprefix("Recovery code: ")
                for line in r.out.splitlines()
                if line.startswith("Recovery code: ")
            ]
        with Vault.open(folder, NEW) as v:
            assert not v.recovery_code_unconfirmed  # shown (and stored) on both faces
            results.append([(e.action, e.detail) for e in v.journal.audit_entries()][1:])
        with pytest.raises(WrongRecoveryCode):  # the code used is used up
            Vault.open_with_recovery(folder, code)
        Vault.open_with_recovery(folder, new_code).close()
    assert (
        results[0]
        == results[1]
        == [("passphrase_changed", '{"recovery_code":"replaced","via":"recovery_code"}')]
    )
    # One place opens a vault with the recovery code: ops/access.py.
    sources = (REPO_ROOT / "src" / "srojournal").rglob("*.py")
    callers = {p.name for p in sources if "open_with_recovery(" in p.read_text(encoding="utf-8")}
    assert callers == {"access.py", "store.py"}
