"""Key derivation and wrapping fail when they are wrong: tests written against the mutants of
``vault/keys.py`` that survived `make mutation` (tests/mutation/run.py). Each test states the
behaviour it pins down, on real key files in tmp_path."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from srojournal.vault import keys, rekey
from srojournal.vault.connection import open_connection
from srojournal.vault.errors import (
    HeaderDamaged,
    NotAVault,
    VaultError,
    WrongPassphrase,
    WrongRecoveryCode,
)
from srojournal.vault.store import DB_NAME, Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIB = 1024


def _header(code: str, params: keys.KdfParams = CHEAP_KDF) -> tuple[keys.KeyHeader, bytearray]:
    """A header like ``new_header`` makes, for a recovery code the test chooses; and its data
    key."""
    vault_id = uuid.uuid4().hex
    master = bytearray(os.urandom(keys.KEY_BYTES))
    data_key = bytearray(os.urandom(keys.KEY_BYTES))
    secret = keys.normalize_secret(PASSPHRASE)
    passphrase = keys.wrap_passphrase_slot(secret, master, params, vault_id)
    recovery = keys.new_recovery_slot(keys.normalize_recovery_code(code), master, params, vault_id)
    database = keys.wrap_data_key(master, data_key, recovery, vault_id)
    return keys.KeyHeader(vault_id, keys.Keyset(passphrase, recovery, database)), data_key


def _rewrite(folder: Path, edit: Callable[[dict], object]) -> None:
    """Edit the key file as a forger would: change fields, then recompute the checksum."""
    path = folder / keys.HEADER_NAME
    doc = json.loads(path.read_text())
    edit(doc)
    doc.pop("checksum", None)
    doc["checksum"] = keys._checksum(doc)
    path.write_text(json.dumps(doc))


# -- the recovery code ---------------------------------------------------------------------------

SYMBOL = f"[{keys.RECOVERY_ALPHABET}]"


def test_a_recovery_code_is_eight_dashed_groups_of_four_crockford_symbols() -> None:
    codes = {keys.new_recovery_code() for _ in range(200)}
    assert len(codes) == 200  # 160 random bits: never the same code twice
    for code in codes:
        assert re.fullmatch(rf"{SYMBOL}{{4}}(-{SYMBOL}{{4}}){{7}}", code), code
    # Every symbol of the alphabet is drawn, and only those (no I, L, O or U to misread), each
    # about as often as the others: 6,400 draws, about 200 of each (never 400 by chance).
    drawn = Counter("".join(codes).replace("-", ""))
    assert set(drawn) == set(keys.RECOVERY_ALPHABET)
    assert max(drawn.values()) < 400


def test_the_code_a_new_vault_shows_is_the_one_that_opens_it(tmp_path: Path) -> None:
    vault, code = Vault.create(tmp_path / "v", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    assert re.fullmatch(rf"{SYMBOL}{{4}}(-{SYMBOL}{{4}}){{7}}", code)
    header = keys.read_header(tmp_path / "v")
    [opened] = header.open("recovery", keys.normalize_recovery_code(code))
    opened.zero()


def test_recovery_code_normal_form_is_upper_case_symbols_without_separators() -> None:
    assert keys.normalize_recovery_code(" abcd-efgh\tjkmn  pqrs_") == b"ABCDEFGHJKMNPQRS"
    # Crockford's look-alikes: I and L read as 1, O as 0, U as V.
    assert keys.normalize_recovery_code("i L o U 1 0 v") == b"110V10V"
    # A letter outside ASCII is kept as a mismatch, never dropped and never a crash.
    assert keys.normalize_recovery_code("ABCé") == b"ABC?"


def test_a_code_typed_with_look_alike_letters_opens_the_vault(tmp_path: Path) -> None:
    code = "V0V1-10VV-ABCD-EFGH-0000-1111-VVVV-2345"
    header, data_key = _header(code)
    keys.write_header(tmp_path, header)
    typed = "u0Ui LOuV abcd efgh oOOo IlLi uUuU 2345"  # as read off paper, I/L for 1, O for 0
    [opened] = keys.read_header(tmp_path).open("recovery", keys.normalize_recovery_code(typed))
    assert opened.data_key == data_key
    opened.zero()
    for wrong in (
        "W" + code[1:],  # one symbol off
        code[:-1] + "6",
        code[:-1] + "é",  # a non-ASCII letter is a wrong code (exit 3), not a crash
    ):
        with pytest.raises(WrongRecoveryCode):
            keys.read_header(tmp_path).open("recovery", keys.normalize_recovery_code(wrong))


# -- the floor and the caps of a key file's KDF parameters -----------------------------------


@pytest.fixture
def product_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process opens key files as the app does: nothing below the product floor."""
    monkeypatch.setattr(keys, "_accept_weak_kdf", False)


def _key_file_with(tmp_path: Path, slot: str, memory: int, iterations: int, lanes: int) -> Path:
    header, _ = _header(keys.new_recovery_code())
    tmp_path.mkdir(exist_ok=True)
    keys.write_header(tmp_path, header)
    slots = ("passphrase", "recovery") if slot == "both" else (slot,)

    def edit(doc: dict) -> None:
        for name in slots:
            doc["keys"][name].update(memory_kib=memory, iterations=iterations, lanes=lanes)

    _rewrite(tmp_path, edit)
    return tmp_path


@pytest.mark.parametrize(
    ("memory", "iterations", "lanes"),
    [
        (64 * MIB, 3, 1),  # the floor itself
        (256 * MIB, 20, 4),  # the most calibration writes: a fast machine's 20 iterations
        (1024 * MIB, 20, 16),  # the caps themselves
    ],
)
def test_a_key_file_at_the_floor_or_the_caps_is_read(
    tmp_path: Path, product_only: None, memory: int, iterations: int, lanes: int
) -> None:
    header = keys.read_header(_key_file_with(tmp_path, "both", memory, iterations, lanes))
    for slot in (header.keys.passphrase, header.keys.recovery):
        assert slot.params == keys.KdfParams(memory, iterations, lanes)


@pytest.mark.parametrize("slot", ["passphrase", "recovery"])
@pytest.mark.parametrize(
    ("memory", "iterations"),
    [
        (64 * MIB - 1, 3),  # only the memory is below the floor
        (64 * MIB, 2),  # only the iterations are
        (1, 3),  # 1 KiB: in range, far below the floor
        (1024 * MIB, 1),
        (8 * MIB, 20),
    ],
)
def test_a_key_file_below_the_floor_in_one_parameter_is_tampered(
    tmp_path: Path, product_only: None, slot: str, memory: int, iterations: int
) -> None:
    folder = _key_file_with(tmp_path, slot, memory, iterations, 1)
    with pytest.raises(HeaderDamaged) as caught:
        keys.read_header(folder)
    assert caught.value.exit_code == 4
    assert str(caught.value) == (
        "The vault's key file asks for weaker key derivation than SRO Journal ever writes "
        "(below 64 MiB or 3 iterations): it was tampered with. Restore the key file "
        "(vault.key) from a backup."
    )


@pytest.mark.parametrize("slot", ["passphrase", "recovery"])
@pytest.mark.parametrize(
    ("memory", "iterations", "lanes"),
    [
        (1024 * MIB + 1, 3, 1),
        (64 * MIB, 21, 1),
        (64 * MIB, 3, 17),
        (64 * MIB, 3, 0),
        (64 * MIB, 0, 1),
        (0, 3, 1),
    ],
)
def test_a_key_file_outside_the_range_is_refused_before_any_derivation(
    tmp_path: Path, slot: str, memory: int, iterations: int, lanes: int
) -> None:
    """Also with the test suites' opt-in: the range holds for every process."""
    folder = _key_file_with(tmp_path, slot, memory, iterations, lanes)
    with pytest.raises(HeaderDamaged) as caught:
        keys.read_header(folder)
    assert str(caught.value) == (
        "The vault's key file asks for key-derivation settings outside the allowed range; "
        "it is damaged or was tampered with. Restore the key file from a backup."
    )


def test_the_test_opt_in_opens_cheap_key_files_down_to_8_mib_only(tmp_path: Path) -> None:
    keys.read_header(_key_file_with(tmp_path / "a", "both", 8 * MIB, 1, 1))
    with pytest.raises(HeaderDamaged, match="weaker key derivation"):
        keys.read_header(_key_file_with(tmp_path / "b", "recovery", 8 * MIB - 1, 1, 1))


def test_a_vault_at_the_floor_opens_without_the_test_opt_in(
    tmp_path: Path, product_only: None
) -> None:
    floor = keys.KdfParams(64 * MIB, 3, 1)
    vault, code = Vault.create(tmp_path / "v", PASSPHRASE, kdf=floor)
    vault.close()
    Vault.open(tmp_path / "v", PASSPHRASE).close()
    Vault.open_with_recovery(tmp_path / "v", code).close()


@pytest.mark.parametrize(
    ("params", "allowed"),
    [
        (keys.KdfParams(64 * MIB, 3, 1), True),
        (keys.KdfParams(64 * MIB - 1, 3, 1), False),
        (keys.KdfParams(64 * MIB, 2, 1), False),
        (keys.KdfParams(256 * MIB, 20, 4), True),
    ],
)
def test_a_new_vault_below_the_floor_is_refused(params: keys.KdfParams, allowed: bool) -> None:
    if allowed:
        params.check_product_floor()
    else:
        with pytest.raises(ValueError, match="floor"):
            params.check_product_floor()


@pytest.mark.parametrize(
    "params",
    [
        keys.KdfParams(8 * MIB - 1, 1, 1),  # below what even a test suite may open
        keys.KdfParams(64 * MIB, 3, 0),
        keys.KdfParams(64 * MIB, 3, 17),
    ],
)
def test_a_new_vault_that_could_not_be_opened_again_is_refused(
    tmp_path: Path, params: keys.KdfParams
) -> None:
    with pytest.raises(ValueError) as caught:
        Vault.create(tmp_path / "w", PASSPHRASE, kdf=params, allow_weak_kdf=True)
    assert str(caught.value) == (
        "KDF parameters outside the allowed range (memory up to 1024 MiB, up to 20 iterations, "
        "up to 16 lanes)"
    )
    assert not (tmp_path / "w").exists()


# -- an unfinished rotation of a format 1 key file -------------------------------------------


def test_format_1_rotation_after_the_journal_was_re_encrypted_opens_with_the_next_key(
    tmp_path: Path,
) -> None:
    """A crash after the journal was written again under the next data key, before the key file
    dropped the old one: only ``database_next`` opens the journal, and the open settles on it."""
    folder = tmp_path / "v1"
    shutil.copytree(FIXTURES / "vault-v1", folder)
    folder.chmod(0o700)
    code = (FIXTURES / "vault-v1.recovery-code").read_text().strip()
    [opened] = keys.read_header(folder).open("passphrase", keys.normalize_secret(PASSPHRASE))
    next_key = bytearray(os.urandom(keys.KEY_BYTES))
    conn = open_connection(folder / DB_NAME, opened.data_key)
    rekey.prepare(conn, folder, next_key)
    rekey.swap(conn, folder)
    nonce = os.urandom(12)
    vault_id = keys.read_header(folder).vault_id
    aad = f"{keys.HEADER_FORMAT}/1/{vault_id}/db".encode()
    wrapped = AESGCM(bytes(opened.master)).encrypt(nonce, bytes(next_key), aad)
    opened.zero()

    def edit(doc: dict) -> None:
        doc["database_next"] = {
            "nonce": base64.b64encode(nonce).decode(),
            "wrapped_key": base64.b64encode(wrapped).decode(),
        }

    _rewrite(folder, edit)
    with Vault.open(folder, PASSPHRASE) as v:
        assert v.journal.verify().contacts == 60
        assert v.export_key_copy() == next_key
    settled = keys.read_header(folder)
    assert settled.pending is None and settled.version == keys.HEADER_VERSION
    for kind, secret in (
        ("passphrase", keys.normalize_secret(PASSPHRASE)),
        ("recovery", keys.normalize_recovery_code(code)),
    ):
        [again] = settled.open(kind, secret)
        assert again.data_key == next_key
        again.zero()


# -- calibration ---------------------------------------------------------------------------------


def _machine(*seconds: float) -> Callable[[], float]:
    """A clock for ``calibrate``: the derivations take these times, in turn (it runs the real
    derivations; only their measured times are the test's)."""
    times = iter(t for s in seconds for t in (0.0, s))

    def clock() -> float:
        return next(times)  # StopIteration: calibrate derived more often than the test expects

    return clock


LANES = keys.KdfParams.product_default().lanes


@pytest.mark.parametrize(
    ("seconds", "target", "expected"),
    [
        # 1.5 times the target is still close enough: 256 MiB, and never under 3 iterations.
        ((1.5,), 1.0, (256 * MIB, 3)),
        # A slower machine halves the memory first, then sets iterations for the target.
        ((1.6, 0.8), 1.0, (128 * MIB, 4)),
        # A very slow one stops halving at 64 MiB, and keeps 3 iterations even over the target.
        ((4.0, 4.0, 4.0), 1.0, (64 * MIB, 3)),
        # Iterations are rounded to the nearest (2 / (0.52 / 3) = 11.5…), for the target given.
        ((0.52,), 2.0, (256 * MIB, 12)),
    ],
)
def test_calibration_fits_the_machine_within_the_floor(
    seconds: tuple[float, ...], target: float, expected: tuple[int, int]
) -> None:
    params = keys.calibrate(target, _machine(*seconds))
    assert (params.memory_kib, params.iterations, params.lanes) == (*expected, LANES)


def test_calibration_on_a_fast_machine_stops_at_20_iterations() -> None:
    # A clock that does not move: the derivation took no measurable time.
    assert keys.calibrate(1.0, lambda: 5.0) == keys.KdfParams(256 * MIB, 20, LANES)


# -- what the officer reads, and the switches for test suites -----------------------------------


def test_a_damaged_key_file_says_so_and_where_the_copies_are(tmp_path: Path) -> None:
    (tmp_path / keys.HEADER_NAME).write_text('{"format": "srojournal-keyheader", "version": 2}')
    with pytest.raises(HeaderDamaged) as caught:
        keys.read_header(tmp_path)
    assert str(caught.value) == (
        "The vault's key file (vault.key) is damaged. Restore it from a backup: every backup "
        "folder holds a copy of it."
    )


def test_a_new_vault_below_the_floor_is_refused_with_the_floor_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        Vault.create(tmp_path / "w", PASSPHRASE, kdf=CHEAP_KDF)
    assert str(caught.value) == "KDF parameters below the product floor (64 MiB, 3 iterations)"


@pytest.mark.parametrize(("cpus", "lanes"), [(8, 4), (4, 4), (3, 3), (1, 1), (None, 1)])
def test_the_default_lanes_follow_the_cores_up_to_four(
    monkeypatch: pytest.MonkeyPatch, cpus: int | None, lanes: int
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert keys.KdfParams.product_default() == keys.KdfParams(256 * MIB, 3, lanes)


def test_the_test_opt_in_is_switched_on_by_default_and_off_on_request(tmp_path: Path) -> None:
    folder = _key_file_with(tmp_path, "both", 8 * MIB, 1, 1)
    try:
        keys.accept_weak_kdf_for_tests(False)
        with pytest.raises(HeaderDamaged, match="weaker key derivation"):
            keys.read_header(folder)
        keys.accept_weak_kdf_for_tests()
        keys.read_header(folder)
    finally:
        keys.accept_weak_kdf_for_tests(True)  # as tests/conftest.py set it for this process


# -- format 1 key files ------------------------------------------------------------------------


def _v1(tmp_path: Path) -> Path:
    folder = tmp_path / "v1"
    shutil.copytree(FIXTURES / "vault-v1", folder)
    folder.chmod(0o700)
    return folder


def test_a_format_1_key_file_is_read_as_format_1_and_converted_at_open(tmp_path: Path) -> None:
    folder = _v1(tmp_path)
    header = keys.read_header(folder)
    assert header.version == 1 and header.pending is None
    assert header.keys.passphrase.legacy and header.keys.recovery.legacy
    assert header.keys.database.legacy
    with Vault.open(folder, PASSPHRASE):
        # Converted by the open itself, before anything is written to the journal.
        assert json.loads((folder / keys.HEADER_NAME).read_text())["version"] == 2


@pytest.mark.parametrize(
    "slots",
    [
        lambda s: ["passphrase slot as text", s[1]],
        lambda s: [s[0], 7],
        lambda s: [s[0], {**s[1], "type": "fingerprint"}],
        lambda s: [s[0], s[0]],
        lambda s: [s[0], s[1], s[1]],
        lambda s: [s[1]],
        lambda s: [],
        lambda s: {"passphrase": s[0], "recovery": s[1]},
        lambda s: 5,
        lambda s: None,
        # A sealed recovery slot (format 2) in a format 1 key file.
        lambda s: [
            s[0],
            {**s[1], "kdf": "argon2id+x25519", "public_key": _b64(32), "ephemeral_key": _b64(32)},
        ],
    ],
)
def test_a_format_1_key_file_with_other_slots_is_damaged(
    tmp_path: Path, slots: Callable[[list], object]
) -> None:
    folder = _v1(tmp_path)
    _rewrite(folder, lambda doc: doc.update(slots=slots(doc["slots"])))
    with pytest.raises(HeaderDamaged):
        keys.read_header(folder)


# -- reading the key file: every field checked before any derivation --------------------------


def _b64(n: int) -> str:
    """``n`` bytes as base64; fixed bytes, so that the tests' names are the same in every run."""
    return base64.b64encode(bytes((7 * i + n) % 256 for i in range(n))).decode()


def _pending_header(tmp_path: Path) -> Path:
    """A key file with a key change in flight and a journal mark, as a crash leaves it."""
    header, data_key = _header(keys.new_recovery_code())
    mark = keys.JournalMark.make(data_key, header.vault_id, 7)
    keys.write_header(
        tmp_path,
        header.replace(
            keys=header.keys.replace(journal=mark),
            pending=header.keys.replace(change="passphrase_changed"),
        ),
    )
    return tmp_path


def test_a_key_file_reads_back_as_it_was_written(tmp_path: Path) -> None:
    header, data_key = _header(keys.new_recovery_code())
    mark = keys.JournalMark.make(data_key, header.vault_id, 7)
    full = header.replace(
        keys=header.keys.replace(journal=mark), pending=header.keys.replace(change="x")
    )
    keys.write_header(tmp_path, full)
    data = (tmp_path / keys.HEADER_NAME).read_bytes()
    assert keys.read_header(tmp_path) == full
    # The file is the documented JSON: sorted keys, two-space indents, one line end at the end.
    assert data == (json.dumps(json.loads(data), indent=2, sort_keys=True) + "\n").encode()
    doc = json.loads(data)
    assert set(doc) == {"format", "version", "vault_id", "keys", "pending", "checksum"}
    assert set(doc["keys"]) == {"passphrase", "recovery", "database", "journal"}
    assert doc["keys"]["recovery"]["kdf"] == "argon2id+x25519"
    assert "legacy" not in json.dumps(doc)
    # A format 1 key file keeps its legacy wraps through a write and a read.
    v1 = keys.read_header(_v1(tmp_path))
    assert keys.KeyHeader.from_bytes(v1.to_bytes()) == v1.replace(version=keys.HEADER_VERSION)


def _edit(path: str, value: object) -> Callable[[dict], None]:
    """Set (or with ``...``, remove) the field at ``path`` ("keys.passphrase.salt")."""

    def edit(doc: dict) -> None:
        *parents, name = path.split(".")
        for p in parents:
            doc = doc[p]
        if value is ...:
            doc.pop(name)
        else:
            doc[name] = value

    return edit


READABLE = [
    ("vault_id", "v" * 64),
    ("keys.passphrase.salt", _b64(16)),
    ("keys.passphrase.salt", _b64(32)),
    ("keys.passphrase.legacy", False),
    ("keys.recovery.salt", _b64(16)),
    ("keys.journal", None),
    ("keys.journal.generation", 0),
    ("keys.journal.generation", 2**53 - 1),
    ("pending", None),
    ("pending.change", "c" * 64),
    ("pending.change", ...),
]

DAMAGED = [
    ("version", True),
    ("version", "2"),
    ("version", 0),
    ("vault_id", "v" * 65),
    ("vault_id", 12),
    ("keys", "keys"),
    ("keys.change", "passphrase_changed"),  # only a pending keyset names a change
    ("pending.change", "c" * 65),
    ("pending.change", 5),
    ("pending", "pending"),
    ("keys.passphrase", "slot"),
    ("keys.passphrase.kdf", "scrypt"),
    ("keys.passphrase.memory_kib", "65536"),
    ("keys.passphrase.memory_kib", True),
    ("keys.passphrase.iterations", ...),
    ("keys.passphrase.salt", _b64(15)),
    ("keys.passphrase.salt", 16),
    ("keys.passphrase.salt", "not base64!"),
    ("keys.passphrase.salt", "ÄÖÜ="),
    ("keys.passphrase.salt", "*" + _b64(16)),  # base64 with a character outside its alphabet
    ("keys.passphrase.nonce", _b64(11)),
    ("keys.passphrase.nonce", _b64(13)),
    ("keys.passphrase.wrapped_key", _b64(47)),
    ("keys.passphrase.wrapped_key", _b64(49)),
    ("keys.passphrase.legacy", "yes"),
    ("keys.recovery", ["slot"]),
    ("keys.recovery.kdf", "argon2id"),  # a format 1 slot's kdf, without its legacy flag
    ("keys.recovery.legacy", True),  # the legacy flag on a sealed slot
    ("keys.recovery.kdf", "x25519"),
    ("keys.recovery.salt", _b64(15)),
    ("keys.recovery.nonce", _b64(13)),
    ("keys.recovery.wrapped_key", _b64(47)),
    ("keys.recovery.public_key", _b64(31)),
    ("keys.recovery.public_key", _b64(33)),
    ("keys.recovery.ephemeral_key", _b64(31)),
    ("keys.recovery.ephemeral_key", ...),
    ("keys.database", 5),
    ("keys.database.nonce", _b64(11)),
    ("keys.database.wrapped_key", _b64(49)),
    ("keys.database.legacy", 1),
    ("keys.journal", [7]),
    ("keys.journal.generation", -1),
    ("keys.journal.generation", 2**53),
    ("keys.journal.generation", False),
    ("keys.journal.mac", _b64(31)),
    ("keys.journal.mac", _b64(33)),
]


@pytest.mark.parametrize(("path", "value"), READABLE)
def test_a_key_file_with_every_field_in_range_is_read(
    tmp_path: Path, path: str, value: object
) -> None:
    folder = _pending_header(tmp_path)
    _rewrite(folder, _edit(path, value))
    keys.read_header(folder)


@pytest.mark.parametrize(("path", "value"), DAMAGED)
def test_a_key_file_with_a_field_out_of_range_is_damaged(
    tmp_path: Path, path: str, value: object
) -> None:
    folder = _pending_header(tmp_path)
    _rewrite(folder, _edit(path, value))
    with pytest.raises(HeaderDamaged):
        keys.read_header(folder)


@pytest.mark.parametrize("checksum", [..., 5, "0" * 64])
def test_a_key_file_without_its_checksum_is_damaged(tmp_path: Path, checksum: object) -> None:
    path = _pending_header(tmp_path) / keys.HEADER_NAME
    doc = json.loads(path.read_text())
    _edit("checksum", checksum)(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(HeaderDamaged):
        keys.read_header(tmp_path)


def test_a_key_file_from_a_newer_version_asks_for_an_update(tmp_path: Path) -> None:
    folder = _pending_header(tmp_path)
    _rewrite(folder, _edit("version", keys.HEADER_VERSION + 1))
    with pytest.raises(VaultError) as caught:
        keys.read_header(folder)
    assert not isinstance(caught.value, HeaderDamaged) and caught.value.exit_code == 4
    assert str(caught.value) == (
        "This vault was created by a newer version of SRO Journal. Update the app to open it."
    )


def test_a_key_file_of_another_format_is_not_a_vault(tmp_path: Path) -> None:
    folder = _pending_header(tmp_path)
    _rewrite(folder, _edit("format", "other-keyheader"))
    with pytest.raises(NotAVault) as caught:
        keys.read_header(folder)
    assert str(caught.value) == "This folder's vault.key is not an SRO Journal key file."
    (folder / keys.HEADER_NAME).write_text("[1, 2]")
    with pytest.raises(NotAVault):
        keys.read_header(folder)


def test_a_key_file_is_read_up_to_64_kib(tmp_path: Path) -> None:
    folder = _pending_header(tmp_path)
    data = (folder / keys.HEADER_NAME).read_bytes()
    (folder / keys.HEADER_NAME).write_bytes(data + b" " * (64 * 1024 - len(data)))
    keys.read_header(folder)
    (folder / keys.HEADER_NAME).write_bytes(data + b" " * (64 * 1024 + 1 - len(data)))
    with pytest.raises(HeaderDamaged):
        keys.read_header(folder)
    with pytest.raises(HeaderDamaged):
        keys.KeyHeader.from_bytes(data + b" " * (64 * 1024 + 1 - len(data)))


# -- opening -------------------------------------------------------------------------------------


def test_a_wrong_secret_is_named_for_what_was_typed(tmp_path: Path) -> None:
    header, _ = _header("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789")
    with pytest.raises(WrongPassphrase) as caught:
        header.open("passphrase", keys.normalize_secret("not the passphrase at all"))
    assert not isinstance(caught.value, WrongRecoveryCode)
    assert str(caught.value) == "Wrong passphrase. Check Caps Lock and try again."
    with pytest.raises(WrongRecoveryCode) as caught:
        header.open("recovery", keys.normalize_recovery_code("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01"))
    assert str(caught.value) == "That recovery code is not right for this vault."


@pytest.mark.parametrize(
    ("kind", "secret"),
    [
        ("passphrase", keys.normalize_secret(PASSPHRASE)),
        ("recovery", keys.normalize_recovery_code("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789")),
    ],
)
def test_a_key_change_in_flight_costs_one_derivation_per_distinct_slot(
    monkeypatch: pytest.MonkeyPatch, kind: str, secret: bytes
) -> None:
    """Both keysets of an interrupted change share the slot: the unlock derives once, not twice
    (at the product's settings each derivation is about a second)."""
    header, data_key = _header("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789")
    header = header.replace(pending=header.keys.replace(change="data_key_rotated"))
    derived: list[bytes] = []
    real = keys.derive

    def counted(secret: bytes, salt: bytes, params: keys.KdfParams) -> bytearray:
        derived.append(salt)
        return real(secret, salt, params)

    monkeypatch.setattr(keys, "derive", counted)
    opened = header.open(kind, secret)
    assert [(o.pending, o.data_key == data_key) for o in opened] == [(False, True), (True, True)]
    assert len(derived) == 1
    for o in opened:
        o.zero()


def test_the_journal_mark_is_an_hmac_of_the_generation_under_a_key_of_this_vault() -> None:
    """Computed here from the construction in docs/vault.md, not with the code under test."""
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    data_key, vault_id = bytes(range(32)), "0f" * 16
    info = f"srojournal-keyheader/journal-mark/{vault_id}".encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key)
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(b"17")
    mark = keys.JournalMark.make(bytearray(data_key), vault_id, 17)
    assert mark == keys.JournalMark(17, h.finalize())
    assert mark.verify(data_key, vault_id)
    assert not keys.JournalMark(16, mark.mac).verify(data_key, vault_id)
    assert not mark.verify(data_key, "1f" * 16)
    assert not mark.verify(bytes(32), vault_id)


def test_a_journal_mark_lowered_in_the_key_file_is_refused(tmp_path: Path) -> None:
    """Someone hiding a rolled-back journal lowers the generation the key file recorded."""
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    vault = Vault.open(tmp_path / "v", PASSPHRASE)
    vault.close()
    generation = keys.read_header(tmp_path / "v").keys.journal.generation
    assert generation >= 2
    _rewrite(tmp_path / "v", _edit("keys.journal.generation", generation - 1))
    with pytest.raises(HeaderDamaged, match="record of the journal does not verify"):
        Vault.open(tmp_path / "v", PASSPHRASE)


def test_a_missing_or_unreadable_key_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(HeaderDamaged) as caught:
        keys.read_header(tmp_path)
    assert str(caught.value) == (
        "The vault's key file (vault.key) is missing. Restore it from a backup: every backup "
        "folder holds a copy of it."
    )
    (tmp_path / keys.HEADER_NAME).mkdir()
    with pytest.raises(VaultError) as caught:
        keys.read_header(tmp_path)
    assert not isinstance(caught.value, HeaderDamaged)
    assert str(caught.value) == "Could not read the vault's key file: Is a directory."


def test_a_new_key_file_has_fresh_16_byte_salts_and_12_byte_nonces() -> None:
    first = keys.new_header(PASSPHRASE, bytearray(32), CHEAP_KDF)[0]
    second = keys.new_header(PASSPHRASE, bytearray(32), CHEAP_KDF)[0]
    slots = [h.keys.passphrase for h in (first, second)] + [
        h.keys.recovery for h in (first, second)
    ]
    assert [len(s.salt) for s in slots] == [16] * 4
    assert len({s.salt for s in slots}) == 4
    assert [
        len(n)
        for h in (first, second)
        for n in (h.keys.passphrase.nonce, h.keys.recovery.nonce, h.keys.database.nonce)
    ] == [12] * 6
    assert first.vault_id != second.vault_id and len(first.vault_id) == 32


# -- the construction, from outside ------------------------------------------------------------


def test_a_key_file_opens_by_the_documented_construction(tmp_path: Path) -> None:
    """An attacker (or a later version) who knows only docs/vault.md opens a key file: every
    derivation, seal and associated data here is written from the format, not taken from the
    code under test, so the format cannot change by accident."""
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    data_key = os.urandom(32)
    header, code = keys.new_header(PASSPHRASE, bytearray(data_key), CHEAP_KDF)
    keys.write_header(tmp_path, header)
    doc = json.loads((tmp_path / keys.HEADER_NAME).read_text())
    b = base64.b64decode
    base = f"srojournal-keyheader/2/{doc['vault_id']}"

    def argon2(secret: bytes, slot: dict) -> bytes:
        kdf = Argon2id(
            salt=b(slot["salt"]),
            length=32,
            iterations=slot["iterations"],
            lanes=slot["lanes"],
            memory_cost=slot["memory_kib"],
        )
        return kdf.derive(secret)

    def cost(slot: dict) -> str:
        return f"{slot['memory_kib']}/{slot['iterations']}/{slot['lanes']}"

    p = doc["keys"]["passphrase"]
    master = AESGCM(argon2(PASSPHRASE.encode(), p)).decrypt(
        b(p["nonce"]), b(p["wrapped_key"]), f"{base}/passphrase/argon2id/{cost(p)}".encode()
    )

    r = doc["keys"]["recovery"]
    private = X25519PrivateKey.from_private_bytes(argon2(code.replace("-", "").encode(), r))
    public, ephemeral = b(r["public_key"]), b(r["ephemeral_key"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    kek = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + public,
        info=b"srojournal recovery slot v2",
    ).derive(shared)
    aad = f"{base}/recovery/argon2id+x25519/{cost(r)}/{public.hex()}/{ephemeral.hex()}"
    assert AESGCM(kek).decrypt(b(r["nonce"]), b(r["wrapped_key"]), aad.encode()) == master

    binding = hashlib.sha256(json.dumps(r, sort_keys=True, separators=(",", ":")).encode())
    d = doc["keys"]["database"]
    aad = f"{base}/db/{binding.hexdigest()}"
    assert AESGCM(master).decrypt(b(d["nonce"]), b(d["wrapped_key"]), aad.encode()) == data_key


def test_a_format_1_recovery_slot_cannot_be_resealed() -> None:
    """Its key pair is not in the key file: a new master key cannot be sealed to it (the key
    change issues a new code instead)."""
    v1 = keys.KeyHeader.from_bytes((FIXTURES / "vault-v1" / keys.HEADER_NAME).read_bytes())
    with pytest.raises(ValueError) as caught:
        keys.reseal_recovery_slot(v1.keys.recovery, bytearray(32), v1.vault_id)
    assert str(caught.value) == "a format 1 recovery slot cannot be resealed"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_key_file_that_never_ends_is_refused_after_64_kib(tmp_path: Path) -> None:
    """A key file replaced by a pipe (or a device) that never ends: reading stops after 64 KiB
    and one byte, it does not wait for an end or fill the memory."""
    os.mkfifo(tmp_path / keys.HEADER_NAME)
    release = threading.Event()

    def writer() -> None:
        with (tmp_path / keys.HEADER_NAME).open("wb") as f:
            f.write(b" " * (64 * 1024 + 1))
            f.flush()
            release.wait(10)  # the pipe stays open: the file has no end until then

    thread = threading.Thread(target=writer)
    thread.start()
    start = time.monotonic()
    try:
        with pytest.raises(HeaderDamaged):
            keys.read_header(tmp_path)
        assert time.monotonic() - start < 5
    finally:
        release.set()
        thread.join()
