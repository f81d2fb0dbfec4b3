"""Backups: verified before they count, carry the header, rotate, restore into a new folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from srojournal.domain.models import ContactInput
from srojournal.ops import access
from srojournal.vault import backup
from srojournal.vault.errors import VaultDamaged, VaultError
from srojournal.vault.store import Vault
from tests.conftest import PASSPHRASE


def _add(vault: Vault, notes: str = "A private note about lunch") -> None:
    j = vault.journal
    school = j.add_school("Lincoln High")
    j.add_contact(ContactInput(dt.datetime(2026, 3, 1, 9), school, "relationship", notes=notes))


def test_backup_verified_restorable_and_encrypted(vault: Vault, tmp_path: Path) -> None:
    _add(vault)
    info = backup.create_backup(vault, tmp_path / "bk")
    assert info.contacts == 1
    assert {p.name for p in info.path.iterdir()} == {"journal.db", "vault.key", "manifest.json"}
    for f in info.path.iterdir():
        assert b"private note" not in f.read_bytes() and b"Lincoln" not in f.read_bytes()
    assert vault.journal.last_backup_at() is not None
    vault.close()
    assert backup.verify_backup(info.path, PASSPHRASE)["contacts"] == 1
    backup.restore_backup(info.path, tmp_path / "restored")
    with Vault.open(tmp_path / "restored", PASSPHRASE) as v:
        assert v.journal.verify().contacts == 1
    with pytest.raises(VaultError, match="not empty"):
        backup.restore_backup(info.path, tmp_path / "restored")


def test_damaged_backup_refused(vault: Vault, tmp_path: Path) -> None:
    _add(vault)
    info = backup.create_backup(vault, tmp_path / "bk")
    vault.close()
    db = info.path / "journal.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 0xFF
    db.write_bytes(bytes(data))
    with pytest.raises(VaultDamaged):
        backup.verify_backup(info.path, PASSPHRASE)


def test_daily_backup_once_per_day_and_on_unlock(vault: Vault, tmp_path: Path) -> None:
    folder = vault.folder
    _add(vault)
    vault.close()
    v = access.unlock(folder, PASSPHRASE)
    v.close()
    v = access.unlock(folder, PASSPHRASE)
    v.close()
    found = backup.list_backups(backup.default_backup_dir(folder))
    assert len(found) == 1 and found[0].reason == "daily"


def test_rotation_keeps_7_daily_and_4_weekly(vault: Vault, tmp_path: Path) -> None:
    dest = tmp_path / "bk"
    _add(vault)
    first = backup.create_backup(vault, dest)
    made = []
    for i in range(40):  # pretend one backup a day for 40 days
        day = dt.datetime(2026, 1, 1, 12) + dt.timedelta(days=i)
        copy = dest / f"{backup.PREFIX}{day:%Y%m%d-%H%M%S}"
        copy.mkdir()
        for f in first.path.iterdir():
            (copy / f.name).write_bytes(f.read_bytes())
        manifest = (
            (copy / backup.MANIFEST)
            .read_text()
            .replace(first.created_at.isoformat(), day.isoformat())
        )
        (copy / backup.MANIFEST).write_text(manifest)
        made.append(copy)
    import shutil

    shutil.rmtree(first.path)
    backup.rotate_backups(dest, today=dt.date(2026, 2, 9))
    kept = backup.list_backups(dest)
    days = sorted({b.created_at.date() for b in kept})
    assert len(kept) <= 7 + 4
    assert days[-7:] == [dt.date(2026, 2, 3) + dt.timedelta(days=i) for i in range(7)]
    weeks = {d.isocalendar()[:2] for d in days}
    assert len(weeks) >= 4


def test_back_up_now_twice_a_day_keeps_both(vault: Vault, tmp_path: Path) -> None:
    """A second "Back up now" must not take the day's earlier backup away (it used to: the
    rotation kept one per day, the newest)."""
    from srojournal.ops.backups import back_up_now

    dest = tmp_path / "bk"
    _add(vault)
    morning = back_up_now(vault, dest).value
    evening = back_up_now(vault, dest).value
    kept = {b.path for b in backup.list_backups(dest)}
    assert {morning.path, evening.path} <= kept
    # Older days still keep only their newest.
    old = dest / f"{backup.PREFIX}20200101-080000"
    older = dest / f"{backup.PREFIX}20200101-090000"
    for folder, at in ((old, "2020-01-01T08:00:00"), (older, "2020-01-01T09:00:00")):
        folder.mkdir()
        for f in morning.path.iterdir():
            (folder / f.name).write_bytes(f.read_bytes())
        text = (folder / backup.MANIFEST).read_text()
        (folder / backup.MANIFEST).write_text(text.replace(morning.created_at.isoformat(), at))
    backup.rotate_backups(dest)
    kept = {b.path for b in backup.list_backups(dest)}
    assert {morning.path, evening.path, older} <= kept and old not in kept
