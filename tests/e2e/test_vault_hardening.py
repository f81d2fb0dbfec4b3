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
