"""The data key reaches SQLCipher from a buffer that is zeroed after: the same key as SQLCipher's
own ``x'<hex>'`` text, on real database files in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlcipher3

from srojournal.vault import keymaterial


def _pragma_key(conn: sqlcipher3.Connection, key: bytes) -> None:
    """The usual way, as SQLCipher documents it: the raw key as hex text in the statement."""
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")


def _database(path: Path, key: bytes) -> None:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    _pragma_key(conn, key)
    conn.execute("PRAGMA journal_mode = WAL")  # as the vault's journal
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("INSERT INTO t VALUES ('kept')")
    conn.close()


def _reads_with(path: Path, key: bytes) -> bool:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        _pragma_key(conn, key)
        return conn.execute("SELECT x FROM t").fetchall() == [("kept",)]
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


@pytest.mark.parametrize("key", [bytes(range(32)), b"\xff" * 32, b"\x0f\xf0\xa5\x5a" * 8])
def test_raw_key_text_is_x_quote_hex_quote_and_zeroed_after(key: bytes) -> None:
    with keymaterial.raw_key_text(bytearray(key)) as text:
        assert bytes(text) == b"x'" + key.hex().encode() + b"'"
        kept = text
    assert kept == bytearray(len(kept))  # no copy of the key left in the buffer


def test_a_key_set_from_a_buffer_opens_what_the_hex_text_made(tmp_path: Path) -> None:
    key = os.urandom(32)
    _database(tmp_path / "a.db", key)
    conn = sqlcipher3.connect(str(tmp_path / "a.db"), isolation_level=None)
    keymaterial.set_key(conn, bytearray(key))
    assert conn.execute("SELECT x FROM t").fetchall() == [("kept",)]
    conn.close()


def test_rekey_from_a_buffer_leaves_the_file_under_the_new_key(tmp_path: Path) -> None:
    old, new = os.urandom(32), os.urandom(32)
    _database(tmp_path / "a.db", old)
    conn = sqlcipher3.connect(str(tmp_path / "a.db"), isolation_level=None)
    keymaterial.set_key(conn, bytearray(old))
    keymaterial.rekey(conn, bytearray(new))
    conn.close()
    assert _reads_with(tmp_path / "a.db", new)
    assert not _reads_with(tmp_path / "a.db", old)


def test_an_attached_copy_is_encrypted_under_the_bound_key(tmp_path: Path) -> None:
    key, copy_key = os.urandom(32), os.urandom(32)
    _database(tmp_path / "a.db", key)
    conn = sqlcipher3.connect(str(tmp_path / "a.db"), isolation_level=None)
    keymaterial.set_key(conn, bytearray(key))
    keymaterial.attach(conn, tmp_path / "copy.db", "copy", bytearray(copy_key))
    conn.execute("SELECT sqlcipher_export('copy')")
    conn.execute("DETACH DATABASE copy")
    conn.close()
    assert _reads_with(tmp_path / "copy.db", copy_key)
    assert not _reads_with(tmp_path / "copy.db", key)


@pytest.mark.parametrize("schema", ["copy; DROP TABLE t", "1copy", "", "co py"])
def test_attach_takes_only_an_identifier_as_schema_name(tmp_path: Path, schema: str) -> None:
    conn = sqlcipher3.connect(str(tmp_path / "a.db"), isolation_level=None)
    with pytest.raises(ValueError, match=r"^schema must be an identifier$"):
        keymaterial.attach(conn, tmp_path / "copy.db", schema, bytearray(32))
    conn.close()
    assert not (tmp_path / "copy.db").exists()


def test_the_read_only_uri_reads_and_writes_nothing_beside_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "back up #1 ?x=1"  # the characters a URI gives a meaning to
    folder.mkdir()
    key = os.urandom(32)
    _database(folder / "a.db", key)
    before = (folder / "a.db").read_bytes()
    uri = keymaterial.read_only_uri(folder / "a.db")
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None)
    keymaterial.set_key(conn, bytearray(key))
    assert conn.execute("SELECT x FROM t").fetchall() == [("kept",)]
    with pytest.raises(sqlcipher3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO t VALUES ('new')")
    conn.close()
    assert sorted(p.name for p in folder.iterdir()) == ["a.db"]
    assert (folder / "a.db").read_bytes() == before


def test_zero_overwrites_a_secret_in_place() -> None:
    buf = bytearray(b"secret key bytes")
    keymaterial.zero(buf)
    assert buf == bytearray(16)
