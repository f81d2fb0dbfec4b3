"""The audit log: what happened and when (never sensitive content), hash-chained so that an
edited log is detected."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Final

from srojournal.domain.models import AuditEntry
from srojournal.vault.repo.core import JournalCore, now_text

GENESIS_HASH: Final = "0" * 64


class AuditLog(JournalCore):
    def audit(self, action: str, detail: dict[str, Any]) -> None:
        payload = json.dumps(detail, sort_keys=True, separators=(",", ":"))
        with self.batch() as c:
            row = c.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS_HASH
            at = now_text()
            digest = _audit_hash(prev, at, action, payload)
            c.execute(
                "INSERT INTO audit_log (at, action, detail, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?)",
                (at, action, payload, prev, digest),
            )

    def last_backup_at(self) -> dt.datetime | None:
        """When the last verified backup was taken (from the audit log)."""
        row = self.conn.execute(
            "SELECT at FROM audit_log WHERE action = 'backup_created' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else dt.datetime.fromisoformat(row[0])

    def audit_entries(self) -> list[AuditEntry]:
        return [
            AuditEntry(r[0], r[1], r[2], r[3])
            for r in self.conn.execute("SELECT id, at, action, detail FROM audit_log ORDER BY id")
        ]

    def verify_audit_chain(self) -> bool:
        prev = GENESIS_HASH
        for at, action, detail, prev_hash, digest in self.conn.execute(
            "SELECT at, action, detail, prev_hash, hash FROM audit_log ORDER BY id"
        ):
            if prev_hash != prev or digest != _audit_hash(prev, at, action, detail):
                return False
            prev = digest
        return True


def _audit_hash(prev: str, at: str, action: str, detail: str) -> str:
    return hashlib.sha256("\x1f".join((prev, at, action, detail)).encode("utf-8")).hexdigest()
