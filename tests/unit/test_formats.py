"""Every released vault format opens and verifies; migrations back up first and run stepwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from srojournal.ops import access
from srojournal.vault import backup, schema, store
from srojournal.vault.errors import VaultError
from srojournal.vault.store import Vault
from tests.conftest import PASSPHRASE, REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures"
# Add a fixture for every released schema: each is vault-v1 opened (migrated) by that version.
RELEASED_FORMATS = {
    1: FIXTURES / "vault-v1",
    2: FIXTURES / "vault-v2",  # one alias key per student, the school list, import mappings
    3: FIXTURES / "vault-v3",  # program contributions (the budget ledger)
}
NEXT = len(schema.MIGRATIONS) + 1  # the version a test migration moves to


def _copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest)
    dest.chmod(0o700)
    return dest


@pytest.mark.parametrize("version", sorted(RELEASED_FORMATS))
def test_released_format_opens(version: int, tmp_path: Path) -> None:
    folder = _copy(RELEASED_FORMATS[version], tmp_path)
    code = (FIXTURES / f"vault-v{version}.recovery-code").read_text().strip()
    with Vault.open(folder, PASSPHRASE) as v:
        counts = v.journal.verify()
        assert (counts.contacts, counts.students, counts.follow_ups) == (60, 20, 9)
        assert v.conn.execute("PRAGMA user_version").fetchone()[0] == schema.CURRENT_VERSION
    Vault.open_with_recovery(folder, code).close()


def test_every_schema_version_has_a_fixture() -> None:
    assert set(RELEASED_FORMATS) == set(range(1, schema.CURRENT_VERSION + 1))


def test_migration_backs_up_first_and_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(RELEASED_FORMATS[1], tmp_path)
    seen: list[int] = []

    def next_step(conn: store.Connection) -> None:
        # The backup exists before the first statement of the migration runs.
        seen.append(len(backup.list_backups(backup.default_backup_dir(folder))))
        conn.executescript("CREATE TABLE example_v2 (x INTEGER);")

    monkeypatch.setattr(store, "MIGRATIONS", (*schema.MIGRATIONS, next_step))
    monkeypatch.setattr(store, "CURRENT_VERSION", NEXT)
    with access.open_vault(folder, PASSPHRASE) as v:
        assert v.conn.execute("PRAGMA user_version").fetchone()[0] == NEXT
        assert v.conn.execute("SELECT count(*) FROM example_v2").fetchone()[0] == 0
        assert v.journal.verify().contacts == 60
    assert seen == [1]
    [taken] = backup.list_backups(backup.default_backup_dir(folder))
    assert taken.reason == "migration" and taken.contacts == 60


def test_failed_migration_leaves_vault_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(RELEASED_FORMATS[max(RELEASED_FORMATS)], tmp_path)

    def broken(conn: store.Connection) -> None:
        conn.executescript("CREATE TABLE half_done (x INTEGER);")
        raise RuntimeError("simulated failure in a migration")

    monkeypatch.setattr(store, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(store, "CURRENT_VERSION", NEXT)
    with pytest.raises(RuntimeError):
        access.open_vault(folder, PASSPHRASE)
    monkeypatch.undo()
    assert backup.list_backups(backup.default_backup_dir(folder))  # taken before it failed
    with Vault.open(folder, PASSPHRASE) as v:
        # Each step commits on its own: the steps before the broken one stay done.
        assert v.conn.execute("PRAGMA user_version").fetchone()[0] == NEXT - 1
        names = {r[0] for r in v.conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names


def test_newer_vault_refused_clearly(tmp_path: Path) -> None:
    folder = _copy(RELEASED_FORMATS[1], tmp_path)
    with Vault.open(folder, PASSPHRASE) as v:
        v.conn.execute("PRAGMA user_version = 99")
    with pytest.raises(VaultError, match="newer version"):
        Vault.open(folder, PASSPHRASE)
