"""Product failures found by the fault campaigns, one regression test each.

Each failed before its fix in the product; each stays as a regression test.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from srojournal.vault import keys
from srojournal.vault.errors import HeaderDamaged, VaultError
from srojournal.vault.importer import import_csv, read_csv_file
from tests.faults.common import PASSPHRASE, cli_cmd, make_vault, one_clear_line, opened, run


def test_header_with_huge_integer_is_damaged_not_internal_error(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    make_vault(folder)
    text = (folder / keys.HEADER_NAME).read_text()
    (folder / keys.HEADER_NAME).write_text(
        text.replace('"iterations": 1', '"iterations": ' + "9" * 5000)
    )
    with pytest.raises(HeaderDamaged):
        keys.read_header(folder)
    r = run(cli_cmd("verify", folder, "--passphrase-stdin"), stdin=PASSPHRASE + "\n")
    assert r.code == 4 and one_clear_line(r) is None, r.err


def test_csv_with_100k_columns_is_rejected_quickly(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    make_vault(folder)
    src = tmp_path / "wide.csv"
    src.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n", encoding="utf-8")
    r = run(
        cli_cmd("import", folder, src, "--dry-run", "--passphrase-stdin"),
        stdin=PASSPHRASE + "\n",
        timeout=8,
    )
    assert r.code == 5, r.err[:300]
    assert all(len(line) <= 1000 for line in r.err.splitlines())


def test_long_note_imports_or_gets_a_clear_reason(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    make_vault(folder)
    note = "word " * 40_000  # 200 KB, under the importer's own 1 MB field limit
    src = tmp_path / "long.csv"
    src.write_text(f"date,type,notes\n2026-03-09,mentoring,{note}\n", encoding="utf-8")
    with opened(folder) as v:
        try:
            result = import_csv(v.journal, read_csv_file(src))
        except VaultError as exc:
            pytest.fail(f"rejected: {exc.message} {getattr(exc, 'errors', '')}")
        assert result.contacts == 1
        assert v.conn.execute("SELECT notes FROM contacts").fetchone()[0] == note


def test_hostile_header_refused_before_key_derivation(tmp_path: Path) -> None:
    """Absurd KDF parameters (with a valid checksum) are refused at once, not after minutes."""
    folder = tmp_path / "v"
    make_vault(folder)
    doc = json.loads((folder / keys.HEADER_NAME).read_bytes())
    for s in (doc["keys"]["passphrase"], doc["keys"]["recovery"]):
        s["memory_kib"] = 64 * 1024 * 1024
        s["iterations"] = 10**9
    doc.pop("checksum")
    doc["checksum"] = keys._checksum(doc)
    (folder / keys.HEADER_NAME).write_text(json.dumps(doc))
    start = time.monotonic()
    with pytest.raises(HeaderDamaged), opened(folder):
        pass
    assert time.monotonic() - start < 1.0
