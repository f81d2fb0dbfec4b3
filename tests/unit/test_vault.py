"""The vault: keys, unlock, passphrase changes, recovery, rotation, locking, integrity."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.vault import keys
from srojournal.vault.errors import (
    HeaderDamaged,
    NotAVault,
    VaultDamaged,
    VaultError,
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


def test_recovery_code_sets_new_passphrase_and_is_replaced(make_vault, tmp_path: Path) -> None:
    vault, code = make_vault()
    _fill(vault)
    vault.close()
    with pytest.raises(WrongRecoveryCode):
        Vault.open_with_recovery(tmp_path / "vault", "AAAA-" * 7 + "AAAA")
    # Lower case, spaces instead of dashes, and the look-alike letter O for 0 are accepted.
    sloppy = code.lower().replace("-", " ").replace("0", "o")
    with Vault.open_with_recovery(tmp_path / "vault", sloppy) as v:
        new_code = v.change_passphrase(code, "brand new passphrase here", with_recovery_code=True)
        assert new_code is not None and new_code != code
        assert v.recovery_code_unconfirmed
        v.confirm_recovery_code()
        assert not v.recovery_code_unconfirmed
        assert v.journal.verify().contacts == 1
    with pytest.raises(WrongPassphrase):
        Vault.open(tmp_path / "vault", PASSPHRASE)
    with pytest.raises(WrongRecoveryCode):  # using the code used it up
        Vault.open_with_recovery(tmp_path / "vault", code)
    Vault.open(tmp_path / "vault", "brand new passphrase here").close()
    Vault.open_with_recovery(tmp_path / "vault", new_code).close()


def test_passphrase_change_revokes_old_key_file_copies(make_vault) -> None:
    """The old passphrase with an old copy of vault.key (a backup holds one) opens nothing new."""
    vault, code = make_vault()
    _fill(vault)
    folder = vault.folder
    old_header = (folder / keys.HEADER_NAME).read_bytes()
    assert vault.change_passphrase(PASSPHRASE, "a different long phrase 42") is None
    vault.journal.add_school("After The Change")
    vault.close()
    (folder / keys.HEADER_NAME).write_bytes(old_header)
    with pytest.raises(VaultDamaged, match="older copy"):
        Vault.open(folder, PASSPHRASE, read_only=True)
    with pytest.raises(VaultDamaged, match="older copy"):
        Vault.open_with_recovery(folder, code)


def test_recovery_code_survives_a_passphrase_change(make_vault) -> None:
    vault, code = make_vault()
    folder = vault.folder
    before = json.loads((folder / keys.HEADER_NAME).read_text())["keys"]["recovery"]
    vault.change_passphrase(PASSPHRASE, "a different long phrase 42")
    vault.close()
    after = json.loads((folder / keys.HEADER_NAME).read_text())["keys"]["recovery"]
    assert after["public_key"] == before["public_key"]  # resealed, not re-issued
    assert after["wrapped_key"] != before["wrapped_key"]
    with Vault.open_with_recovery(folder, code) as v:
        assert not v.recovery_code_unconfirmed


def test_new_recovery_code_kills_the_old_one(make_vault) -> None:
    vault, code = make_vault()
    _fill(vault)
    folder = vault.folder
    old_header = (folder / keys.HEADER_NAME).read_bytes()
    with pytest.raises(WrongPassphrase):
        vault.replace_recovery_code("not the passphrase at all")
    new_code = vault.replace_recovery_code(PASSPHRASE)
    assert new_code != code
    vault.confirm_recovery_code()
    vault.close()
    with pytest.raises(WrongRecoveryCode):
        Vault.open_with_recovery(folder, code)
    Vault.open_with_recovery(folder, new_code).close()
    Vault.open(folder, PASSPHRASE).close()  # the passphrase stays
    (folder / keys.HEADER_NAME).write_bytes(old_header)  # the old code with the old key file
    with pytest.raises(VaultDamaged):
        Vault.open_with_recovery(folder, code)


def test_key_change_reports_progress_and_audits_first(make_vault) -> None:
    vault, _ = make_vault()
    _fill(vault)
    seen: list[float] = []
    vault.change_passphrase(PASSPHRASE, "a different long phrase 42", progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 4
    assert vault.journal.audit_entries()[-1].action == "passphrase_changed"
    assert vault.journal.verify().contacts == 1


def test_failed_re_encryption_rolls_back(make_vault, monkeypatch) -> None:
    from srojournal.vault import rekey
    from srojournal.vault.errors import StorageError

    vault, code = make_vault()
    _fill(vault)
    folder = vault.folder

    def disk_full(*_a: object, **_k: object) -> None:
        raise StorageError("The disk is full: the journal could not be re-encrypted.")

    monkeypatch.setattr(rekey, "prepare", disk_full)
    with pytest.raises(StorageError):
        vault.change_passphrase(PASSPHRASE, "a different long phrase 42")
    assert keys.read_header(folder).pending is None
    assert vault.journal.verify().contacts == 1
    assert [e.action for e in vault.journal.audit_entries()][-2:] == [
        "passphrase_changed",
        "key_change_undone",
    ]
    vault.close()
    Vault.open(folder, PASSPHRASE).close()
    Vault.open_with_recovery(folder, code).close()


def _interrupted_change(make_vault, *, swapped: bool) -> Path:
    """A passphrase change as a kill leaves it: both keysets in the key file, and the journal
    file under the old keys (not swapped yet) or the new ones."""
    vault, _ = make_vault()
    _fill(vault)
    folder = vault.folder
    vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    old_header = keys.read_header(folder)
    old_db = (folder / DB_NAME).read_bytes()
    vault.change_passphrase(PASSPHRASE, "a different long phrase 42")
    vault.close()
    new_keys = keys.read_header(folder).keys
    pending = new_keys.replace(change="passphrase_changed")
    keys.write_header(folder, old_header.replace(pending=pending))
    if not swapped:
        (folder / DB_NAME).write_bytes(old_db)
    return folder


def test_kill_after_the_swap_opens_with_the_new_passphrase(make_vault) -> None:
    folder = _interrupted_change(make_vault, swapped=True)
    with pytest.raises(WrongPassphrase, match="replaced"):
        Vault.open(folder, PASSPHRASE)
    with Vault.open(folder, "a different long phrase 42") as v:
        assert v.journal.verify().contacts == 1
    assert keys.read_header(folder).pending is None
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, PASSPHRASE)


def test_kill_before_the_swap_opens_with_the_old_passphrase(make_vault) -> None:
    folder = _interrupted_change(make_vault, swapped=False)
    (folder / ".journal.db.rekey").write_bytes(b"half a copy")
    with pytest.raises(WrongPassphrase, match="did not finish"):
        Vault.open(folder, "a different long phrase 42")
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.verify().contacts == 1
        assert v.journal.audit_entries()[-1].action == "key_change_undone"
    assert keys.read_header(folder).pending is None
    assert not (folder / ".journal.db.rekey").exists()


def test_swapped_recovery_key_is_refused_before_anything_is_sealed_to_it(make_vault) -> None:
    """Someone with write access puts their own public key in the recovery slot, hoping the
    next passphrase change seals the new master key to it."""
    a, _ = make_vault("a")
    b, _ = make_vault("b")
    fa, fb = a.folder, b.folder
    a.close()
    b.close()
    doc = json.loads((fa / keys.HEADER_NAME).read_text())
    doc["keys"]["recovery"] = json.loads((fb / keys.HEADER_NAME).read_text())["keys"]["recovery"]
    doc.pop("checksum")
    doc["checksum"] = keys._checksum(doc)
    (fa / keys.HEADER_NAME).write_text(json.dumps(doc))
    with pytest.raises(HeaderDamaged):
        Vault.open(fa, PASSPHRASE)


def test_rotate_data_key(vault: Vault) -> None:
    _fill(vault)
    folder = vault.folder
    before = (folder / keys.HEADER_NAME).read_bytes()
    assert vault.rotate_data_key(PASSPHRASE) is None
    assert vault.journal.verify().contacts == 1
    vault.close()
    after = (folder / keys.HEADER_NAME).read_bytes()
    assert json.loads(before)["keys"]["database"] != json.loads(after)["keys"]["database"]
    assert json.loads(after)["pending"] is None
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.verify().contacts == 1


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


def test_header_below_the_floor_needs_the_test_opt_in(vault: Vault, monkeypatch) -> None:
    """Without this process's explicit opt-in, a cheap header is a tampered one (exit 4)."""
    folder = vault.folder
    vault.close()
    monkeypatch.setattr(keys, "_accept_weak_kdf", False)
    with pytest.raises(HeaderDamaged, match="tampered") as caught:
        Vault.open(folder, PASSPHRASE)
    assert caught.value.exit_code == 4


def test_kdf_caps_refuse_a_new_vault_as_bad_input(tmp_path: Path) -> None:
    for params in (keys.KdfParams(2048 * 1024, 3, 1), keys.KdfParams(64 * 1024, 21, 1)):
        with pytest.raises(ValueError, match="range"):
            Vault.create(tmp_path / "w", PASSPHRASE, kdf=params)
    assert not (tmp_path / "w").exists()


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
        lambda d: d["keys"]["passphrase"].update(memory_kib=64 * 1024 * 1024),
        lambda d: d["keys"]["passphrase"].update(iterations=10**9),
        lambda d: d["keys"]["recovery"].update(salt=5),
        lambda d: d["keys"].pop("database"),
        lambda d: d.update(keys="nope"),
        lambda d: d["keys"]["recovery"].update(public_key="AAAA"),
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


def test_full_fsync_on_macos(vault: Vault, monkeypatch) -> None:
    """On macOS fsync() stops at the drive's cache: every connection asks for F_FULLFSYNC."""
    from srojournal.vault import connection

    assert vault.conn.execute("PRAGMA fullfsync").fetchone()[0] == (sys.platform == "darwin")
    monkeypatch.setattr(sys, "platform", "darwin")
    conn = connection.open_connection(vault.folder / "other.db", bytearray(os.urandom(32)))
    try:
        assert conn.execute("PRAGMA fullfsync").fetchone()[0] == 1
        assert conn.execute("PRAGMA checkpoint_fullfsync").fetchone()[0] == 1
    finally:
        conn.close()


FIXTURE_V1 = Path(__file__).resolve().parents[1] / "fixtures" / "vault-v1"


def _fixture_v1(tmp_path: Path) -> tuple[Path, str]:
    import shutil

    folder = tmp_path / "v1"
    shutil.copytree(FIXTURE_V1, folder)
    folder.chmod(0o700)
    return folder, (FIXTURE_V1.parent / "vault-v1.recovery-code").read_text().strip()


def test_format_1_key_file_is_converted_on_open(tmp_path: Path) -> None:
    folder, code = _fixture_v1(tmp_path)
    assert json.loads((folder / keys.HEADER_NAME).read_text())["version"] == 1
    # A read-only open passes where a writable one converts the key file, then stops at the
    # schema (this fixture predates the current schema): it wrote nothing.
    with pytest.raises(VaultError, match="needs an upgrade"):
        Vault.open(folder, PASSPHRASE, read_only=True)
    assert json.loads((folder / keys.HEADER_NAME).read_text())["version"] == 1  # read-only
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.verify().contacts == 60
    doc = json.loads((folder / keys.HEADER_NAME).read_text())
    assert doc["version"] == 2 and doc["pending"] is None
    assert doc["keys"]["recovery"]["legacy"] is True  # wrapped by format 1, still valid
    Vault.open_with_recovery(folder, code).close()
    Vault.open(folder, PASSPHRASE).close()


def test_format_1_vault_gets_a_new_code_at_its_first_passphrase_change(tmp_path: Path) -> None:
    """Its recovery slot cannot be sealed to without the code: the change issues a new one."""
    folder, code = _fixture_v1(tmp_path)
    with Vault.open(folder, PASSPHRASE) as v:
        new_code = v.change_passphrase(PASSPHRASE, "a different long phrase 42")
        assert new_code is not None and v.recovery_code_unconfirmed
        v.confirm_recovery_code()
        assert v.journal.verify().contacts == 60
    doc = json.loads((folder / keys.HEADER_NAME).read_text())
    assert "legacy" not in doc["keys"]["recovery"] and doc["keys"]["recovery"]["public_key"]
    with pytest.raises(WrongRecoveryCode):
        Vault.open_with_recovery(folder, code)
    Vault.open_with_recovery(folder, new_code).close()
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, PASSPHRASE)


def test_format_1_rotation_in_flight_is_settled(tmp_path: Path) -> None:
    """A format 1 key file holding database_next (a data-key rotation a crash interrupted)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    folder, code = _fixture_v1(tmp_path)
    path = folder / keys.HEADER_NAME
    doc = json.loads(path.read_text())
    header = keys.read_header(folder)
    [opened] = header.open("passphrase", keys.normalize_secret(PASSPHRASE))
    nonce = os.urandom(12)
    aad = f"srojournal-keyheader/1/{header.vault_id}/db".encode()
    wrapped = AESGCM(bytes(opened.master)).encrypt(nonce, os.urandom(32), aad)
    opened.zero()
    import base64

    doc["database_next"] = {
        "nonce": base64.b64encode(nonce).decode(),
        "wrapped_key": base64.b64encode(wrapped).decode(),
    }
    doc.pop("checksum")
    doc["checksum"] = keys._checksum(doc)
    path.write_text(json.dumps(doc))
    with Vault.open(folder, PASSPHRASE) as v:  # the old data key still opens the journal
        assert v.journal.verify().contacts == 60
        undone = v.journal.audit_entries()[-1]
        assert undone.action == "key_change_undone"
        assert json.loads(undone.detail) == {"change": "data_key_rotated", "reason": "interrupted"}
    settled = json.loads(path.read_text())
    assert settled["version"] == 2 and settled["pending"] is None
    Vault.open_with_recovery(folder, code).close()
