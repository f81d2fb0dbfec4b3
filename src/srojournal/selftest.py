"""Startup self-test: is this build able to keep the promise at all?

Checks that SQLCipher is present (not plain SQLite) with FTS5, and that Argon2id, AES-GCM and
X25519 (the recovery slot) are available. A broken build fails with a clear message instead of a
crash later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger("srojournal.selftest")


@dataclass(frozen=True, slots=True)
class SelfTestResult:
    ok: bool
    problems: tuple[str, ...]
    cipher_version: str | None
    sqlite_version: str | None


def run_self_test() -> SelfTestResult:
    problems: list[str] = []
    cipher_version: str | None = None
    sqlite_version: str | None = None
    try:
        import sqlcipher3

        conn = sqlcipher3.connect(":memory:")
        try:
            row = conn.execute("PRAGMA cipher_version").fetchone()
            cipher_version = str(row[0]) if row else None
            sqlite_version = str(conn.execute("SELECT sqlite_version()").fetchone()[0])
            if not cipher_version:
                problems.append("The database library is plain SQLite, not SQLCipher.")
            elif not cipher_version.startswith("4."):
                problems.append(f"SQLCipher 4 is required (found {cipher_version}).")
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlcipher3.Error:
            problems.append("The database library lacks full-text search (FTS5).")
        finally:
            conn.close()
    except ImportError:
        problems.append("The SQLCipher library (sqlcipher3) is missing.")
    try:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        Argon2id(salt=b"s" * 16, length=32, iterations=1, lanes=1, memory_cost=64).derive(b"x")
        AESGCM(b"k" * 32).encrypt(b"n" * 12, b"x", None)
        X25519PrivateKey.generate().exchange(X25519PrivateKey.generate().public_key())
    except Exception:  # any failure here means a broken crypto build
        problems.append("Argon2id, AES-GCM or X25519 is not available in the cryptography library.")
    if cipher_version:
        log.info("SQLCipher %s (SQLite %s)", cipher_version, sqlite_version)
    return SelfTestResult(not problems, tuple(problems), cipher_version, sqlite_version)
