"""The vault hardening findings, each attacked from outside through the command line.

Every vault here is made by ``srojournal init`` at the product floor (64 MiB, 3 iterations): the
subprocess is the real entry point and has no test-only switches.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from tests.conftest import CLI_KDF_ARGS, PASSPHRASE, assert_no_traceback

NEW = "a completely different passphrase 77"


def _resum(doc: dict) -> dict:
    """What a forger does after editing the key file: recompute its (unkeyed) checksum."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    body["checksum"] = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return body


@pytest.fixture
def vault_dir(cli, tmp_path: Path) -> tuple[Path, str]:
    v = tmp_path / "v"
    r = cli("init", v, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    return v, r.out.strip().removeprefix("Recovery code: ")


def _verify(cli, v: Path, passphrase: str = PASSPHRASE):
    return cli("verify", v, "--passphrase-stdin", stdin=passphrase + "\n")


# -- 7. the KDF floor is enforced on open ------------------------------------------------------


def _weaken(v: Path, **changes: int) -> None:
    path = v / "vault.key"
    doc = json.loads(path.read_text())

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if "memory_kib" in node:
                node.update(changes)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(doc)
    path.write_text(json.dumps(_resum(doc)))


@pytest.mark.parametrize(
    "changes", [{"memory_kib": 8192}, {"iterations": 2}, {"memory_kib": 8192, "iterations": 1}]
)
def test_header_below_the_kdf_floor_is_tampered_not_a_wrong_passphrase(
    cli, vault_dir, changes
) -> None:
    v, _ = vault_dir
    _weaken(v, **changes)
    start = time.monotonic()
    r = _verify(cli, v)
    assert r.code == 4, r.err
    assert "tampered" in r.err and "Wrong passphrase" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert_no_traceback(r)
    # Refused before any key derivation: the whole command is start-up time only.
    assert time.monotonic() - start < 5
    # Nothing about the attempt is remembered as a failed unlock.
    assert not (v / "unlock-failures").exists()


# -- 10. messages and leftovers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--kdf-memory", "2048"),
        ("--kdf-memory", "32"),
        ("--kdf-iterations", "50"),
        ("--kdf-iterations", "2"),
    ],
)
def test_init_with_kdf_settings_out_of_range_is_a_usage_error(cli, tmp_path: Path, args) -> None:
    r = cli("init", tmp_path / "x", "--passphrase-stdin", *args, stdin=PASSPHRASE + "\n")
    assert r.code == 2, r.err
    assert "damaged" not in r.err and "--kdf-" in r.err
    assert not (tmp_path / "x").exists()


def _backup(cli, v: Path) -> Path:
    r = cli(
        "backup", v, v.with_name(v.name + "-backups"), "--passphrase-stdin", stdin=PASSPHRASE + "\n"
    )
    assert r.code == 0, r.err
    return Path(r.out.strip().split(": ", 1)[1])


def test_flipped_byte_in_page_2_says_damaged_and_names_the_backup(cli, vault_dir) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    db = v / "journal.db"
    data = bytearray(db.read_bytes())
    data[4096 + 200] ^= 0x01  # page 2 holds the vault's own bookkeeping (its id)
    db.write_bytes(bytes(data))
    r = _verify(cli, v)
    assert r.code == 4, r.err
    assert "different vaults" not in r.err and "damaged" in r.err
    assert taken.name in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert_no_traceback(r)


def test_empty_database_says_damaged_not_different_vaults(cli, vault_dir) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    (v / "journal.db").write_bytes(b"")
    for command in ("verify", "backup"):
        args = (v,) if command == "verify" else (v, v.parent / "elsewhere")
        r = cli(command, *args, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert r.code == 4, r.err
        assert "different vaults" not in r.err and "empty" in r.err
        assert taken.name in r.err
        assert_no_traceback(r)
    assert (v / "journal.db").stat().st_size == 0  # nothing was written into it


def test_a_key_file_temp_left_by_a_kill_is_removed_on_the_next_open(cli, vault_dir) -> None:
    v, _ = vault_dir
    leftover = v / ".vault.key.tmp-4242"
    leftover.write_bytes((v / "vault.key").read_bytes()[:100])
    assert _verify(cli, v).code == 0  # a read-only check leaves the folder alone
    assert leftover.exists()
    _backup(cli, v)
    assert not leftover.exists()
    assert _verify(cli, v).code == 0
