"""The vault: keys, unlock, passphrase changes, recovery, rotation, locking, integrity."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.vault import keys
from srojournal.vault.errors import (
    HeaderDamaged,
    NotAVault,
    VaultDamaged,
    VaultInUse,
    WeakPassphrase,
    WrongPassphrase,
    WrongRecoveryCode,
)
from srojournal.vault.store import DB_NAME, Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE

NOTE = "Talked with the student about the bus incident and a plan for Friday"


def _fill(vault: Vault) -> int:
    j = vault.journal
    school = j.add_school("Lincoln High School")
    sid = j.add_student("Zebediah Quill", school, "10")
    return j.add_contact(
        ContactInput(
            occurred_at=dt.datetime(2026, 3, 4, 10, 5),
            school_id=school,
            type_code="mentoring",
            students=(ContactStudent(sid),),
            duration_min=25,
            notes=NOTE,
        )
    )


def test_create_unlock_and_key_checked_at_once(make_vault, tmp_path: Path) -> None:
    vault, code = make_vault()
    _fill(vault)
    vault.close()
    assert vault.key_is_zeroed
    assert len(code.replace("-", "")) * 5 >= 128
    with Vault.open(tmp_path / "vault", PASSPHRASE) as v:
        assert v.journal.counts().contacts == 1
    with pytest.raises(WrongPassphrase):
        Vault.open(tmp_path / "vault", PASSPHRASE + "x")


def test_passphrase_with_quotes_backslashes_and_non_ascii(make_vault, tmp_path: Path) -> None:
    tricky = "Zürich \"quoted\" 'single' back\\slash – ñandú 🦆 x;DROP"
    vault, _ = make_vault("tricky", tricky)
    _fill(vault)
    vault.close()
    with Vault.open(tmp_path / "tricky", tricky) as v:
        assert v.journal.counts().contacts == 1
    # The same visible text typed as decomposed Unicode still opens (NFC normalisation).
    import unicodedata

    with Vault.open(tmp_path / "tricky", unicodedata.normalize("NFD", tricky)) as v:
        assert v.journal.counts().students == 1


def test_no_plaintext_in_vault_folder(vault: Vault) -> None:
    _fill(vault)
    folder = vault.folder
    vault.close()
    for f in folder.iterdir():
        data = f.read_bytes()
        for secret in (NOTE, "Zebediah", "Lincoln High", "bus incident", PASSPHRASE):
            assert secret.encode() not in data, f.name
            assert secret.encode("utf-16-le") not in data, f.name


def test_change_passphrase_old_stops_working(vault: Vault) -> None:
    folder = vault.folder
    vault.change_passphrase(PASSPHRASE, "a different long phrase 42", check_strength=False)
    vault.close()
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, PASSPHRASE)
    Vault.open(folder, "a different long phrase 42").close()


def test_change_passphrase_needs_the_old_one(vault: Vault) -> None:
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not the passphrase at all", "a different long phrase 42")


def test_recovery_code_sets_new_passphrase_and_stays_valid(make_vault, tmp_path: Path) -> None:
    vault, code = make_vault()
    _fill(vault)
    vault.close()
    with pytest.raises(WrongRecoveryCode):
        Vault.open_with_recovery(tmp_path / "vault", "AAAA-" * 7 + "AAAA")
    # Lower case, spaces instead of dashes, and the look-alike letter O for 0 are accepted.
    sloppy = code.lower().replace("-", " ").replace("0", "o")
    with Vault.open_with_recovery(tmp_path / "vault", sloppy) as v:
        v.change_passphrase(code, "brand new passphrase here", with_recovery_code=True)
    with pytest.raises(WrongPassphrase):
        Vault.open(tmp_path / "vault", PASSPHRASE)
    Vault.open(tmp_path / "vault", "brand new passphrase here").close()
    Vault.open_with_recovery(tmp_path / "vault", code).close()


def test_rotate_data_key(vault: Vault) -> None:
    _fill(vault)
    folder = vault.folder
    before = (folder / keys.HEADER_NAME).read_bytes()
    vault.rotate_data_key(PASSPHRASE)
    assert vault.journal.verify().contacts == 1
    vault.close()
    after = (folder / keys.HEADER_NAME).read_bytes()
    assert json.loads(before)["database"] != json.loads(after)["database"]
    assert json.loads(after)["database_next"] is None
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.verify().contacts == 1


def test_interrupted_rotation_still_opens(vault: Vault) -> None:
    """A crash after the header gained the next key but before rekey: old key still works."""
    _fill(vault)
    folder = vault.folder
    vault.close()
    header = keys.read_header(folder)
    master = header.unwrap("passphrase", keys.normalize_secret(PASSPHRASE))
    pending = header.replace(
        database_next=keys.wrap_data_key(master, bytearray(os.urandom(32)), header.vault_id)
    )
    keys.write_header(folder, pending)
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.counts().contacts == 1
    assert keys.read_header(folder).database_next is None


def test_second_instance_refused(vault: Vault) -> None:
    with pytest.raises(VaultInUse):
        Vault.open(vault.folder, PASSPHRASE)


def test_lock_released_on_close(vault: Vault) -> None:
    folder = vault.folder
    with pytest.raises(VaultInUse):  # held while open
        Vault.open(folder, PASSPHRASE)
    vault.close()
    again = Vault.open(folder, PASSPHRASE)  # released by close ...
    try:
        with pytest.raises(VaultInUse):  # ... and taken again by the new owner
            Vault.open(folder, PASSPHRASE)
    finally:
        again.close()
    Vault.open(folder, PASSPHRASE).close()


def test_weak_passphrase_rejected(tmp_path: Path) -> None:
    for weak in ("short", "password1234", "aaaaaaaaaaaaaaaa"):
        with pytest.raises(WeakPassphrase):
            Vault.create(tmp_path / "w", weak, kdf=CHEAP_KDF, allow_weak_kdf=True)
    assert not (tmp_path / "w").exists()


def test_product_floor_for_kdf(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="floor"):
        Vault.create(tmp_path / "w", PASSPHRASE, kdf=CHEAP_KDF)


def test_product_default_parameters() -> None:
    d = keys.KdfParams.product_default()
    assert d.memory_kib == 256 * 1024
    assert d.iterations >= 3
    assert d.lanes == min(4, os.cpu_count() or 1)


def test_not_a_vault(tmp_path: Path) -> None:
    with pytest.raises(NotAVault):
        Vault.open(tmp_path / "missing", PASSPHRASE)
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotAVault):
        Vault.open(tmp_path / "empty", PASSPHRASE)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotAVault):
        Vault.open(tmp_path / "file", PASSPHRASE)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(version=99),
        lambda d: d.update(checksum="0" * 64),
        lambda d: d["slots"][0].update(memory_kib=64 * 1024 * 1024),
        lambda d: d["slots"][0].update(iterations=10**9),
        lambda d: d["slots"][0].update(salt=5),
        lambda d: d.pop("database"),
        lambda d: d.update(slots="nope"),
    ],
)
def test_hostile_header_refused_before_work(vault: Vault, mutate, monkeypatch) -> None:
    folder = vault.folder
    vault.close()
    path = folder / keys.HEADER_NAME
    doc = json.loads(path.read_text())
    mutate(doc)
    if "checksum" in doc and doc["checksum"] != "0" * 64:
        body = {k: v for k, v in doc.items() if k != "checksum"}
        doc["checksum"] = keys._checksum(body)  # a forger who recomputes the checksum
    path.write_text(json.dumps(doc))

    def no_derivation(*args, **kwargs):
        # Before any work: a hostile key file must cost no Argon2id memory or time.
        raise AssertionError("a key was derived from a hostile key file")

    monkeypatch.setattr(keys, "derive", no_derivation)
    with pytest.raises(keys.VaultError) as caught:
        Vault.open(folder, PASSPHRASE)
    # Refused as a bad key file (exit 4), not as a wrong passphrase (exit 3).
    assert not isinstance(caught.value, WrongPassphrase)
    assert caught.value.exit_code == 4


def test_header_missing_or_garbage(vault: Vault) -> None:
    folder = vault.folder
    vault.close()
    (folder / keys.HEADER_NAME).write_bytes(b"\x00garbage")
    with pytest.raises(HeaderDamaged):
        Vault.open(folder, PASSPHRASE)
    (folder / keys.HEADER_NAME).unlink()
    with pytest.raises(HeaderDamaged, match="missing"):
        Vault.open(folder, PASSPHRASE)


def test_header_from_other_vault(make_vault) -> None:
    a, _ = make_vault("a")
    b, _ = make_vault("b")
    fa, fb = a.folder, b.folder
    a.close()
    b.close()
    (fa / keys.HEADER_NAME).write_bytes((fb / keys.HEADER_NAME).read_bytes())
    with pytest.raises(VaultDamaged):
        Vault.open(fa, PASSPHRASE)


def test_byte_flips_in_database_detected(vault: Vault) -> None:
    _fill(vault)
    folder = vault.folder
    vault.close()
    db = folder / DB_NAME
    original = db.read_bytes()
    size = len(original)
    # Every page, at its start, its middle, and in its IV / HMAC reserve; plus the salt.
    offsets = sorted(
        {0, 5, 15, 16, 20}
        | {
            p + d
            for p in range(0, size, 4096)
            for d in (0, 24, 2048, 4096 - 80, 4095)
            if p + d < size
        }
    )
    for off in offsets:
        data = bytearray(original)
        data[off] ^= 0x01
        db.write_bytes(bytes(data))
        with pytest.raises(VaultDamaged):
            v = Vault.open(folder, PASSPHRASE, read_only=True)
            try:
                v.journal.verify()
            finally:
                v.close()
    db.write_bytes(original)
    with Vault.open(folder, PASSPHRASE, read_only=True) as v:
        assert v.journal.verify().contacts == 1


def test_truncated_database_detected(vault: Vault) -> None:
    _fill(vault)
    folder = vault.folder
    vault.close()
    db = folder / DB_NAME
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    with pytest.raises(VaultDamaged):
        v = Vault.open(folder, PASSPHRASE, read_only=True)
        try:
            v.journal.verify()
        finally:
            v.close()


def test_audit_chain_detects_edits(vault: Vault) -> None:
    vault.journal.audit("export", {"period": "2026-03"})
    vault.journal.audit("backup_created", {"reason": "manual"})
    assert vault.journal.verify_audit_chain()
    vault.conn.execute("UPDATE audit_log SET detail = '{}' WHERE action = 'export'")
    assert not vault.journal.verify_audit_chain()
    with pytest.raises(VaultDamaged, match="audit"):
        vault.journal.verify()


def test_unclean_shutdown_runs_a_check(vault: Vault) -> None:
    folder = vault.folder
    _fill(vault)
    # Simulate a crash: drop the connection and lock without the clean-close bookkeeping.
    vault.conn.close()
    vault.conn = None
    vault._lock.release()
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.unclean_previous_shutdown
        assert v.journal.counts().contacts == 1
    with Vault.open(folder, PASSPHRASE) as v:
        assert not v.unclean_previous_shutdown


def test_connection_settings(vault: Vault) -> None:
    c = vault.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert c.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert c.execute("PRAGMA cipher_log_level").fetchone()[0] == "NONE"


def test_folder_permissions_private(vault: Vault) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    assert (vault.folder.stat().st_mode & 0o077) == 0
    for f in vault.folder.iterdir():
        assert (f.stat().st_mode & 0o077) == 0, f.name


def test_failed_creation_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    from srojournal.vault.errors import StorageError

    def full_disk(*_args: object) -> None:
        raise StorageError("The disk is full: could not write vault.key.")

    monkeypatch.setattr(keys, "write_header", full_disk)
    with pytest.raises(StorageError):
        Vault.create(tmp_path / "new", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    assert not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(StorageError):
        Vault.create(tmp_path / "empty", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    assert list((tmp_path / "empty").iterdir()) == []
