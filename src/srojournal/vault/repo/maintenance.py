"""Retention (purging old notes) and integrity (counts, the full check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from srojournal.vault.errors import VaultDamaged
from srojournal.vault.repo.audit import AuditLog
from srojournal.vault.repo.core import now_text


@dataclass(frozen=True, slots=True)
class Counts:
    contacts: int
    students: int
    follow_ups: int


class Maintenance(AuditLog):
    def purge_notes_before(self, cutoff: dt.date) -> int:
        """Redact narrative text of contacts before ``cutoff``; coded facts stay. Then vacuum."""
        with self.batch() as c:
            n = int(
                c.execute(
                    "UPDATE contacts SET notes = '', redacted = 1, updated_at = ?"
                    " WHERE occurred_at < ? AND (notes != '' OR redacted = 0)",
                    (now_text(), cutoff.isoformat()),
                ).rowcount
            )
            c.execute(
                "UPDATE follow_ups SET what = '' WHERE due_date < ? AND status != 'open'",
                (cutoff.isoformat(),),
            )
            self.audit("notes_purged", {"before": cutoff.isoformat()[:7], "contacts": n})
        self.compact()
        return n

    def compact(self) -> None:
        """Merge the notes index and rebuild the file without free or half-empty pages.

        Bulk writes (an import, a purge) leave b-tree pages half full; ``VACUUM`` rewrites the
        file compactly (freed pages were already overwritten: ``secure_delete``).
        """
        c = self.conn
        with self._vault.writing():
            c.execute("INSERT INTO notes_fts (notes_fts) VALUES ('optimize')")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            c.execute("VACUUM")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- integrity -----------------------------------------------------------------------------
    def counts(self) -> Counts:
        c = self.conn
        return Counts(
            contacts=int(c.execute("SELECT count(*) FROM contacts").fetchone()[0]),
            students=int(c.execute("SELECT count(*) FROM students").fetchone()[0]),
            follow_ups=int(c.execute("SELECT count(*) FROM follow_ups").fetchone()[0]),
        )

    def verify(self) -> Counts:
        """Full check: page HMACs, b-trees, foreign keys, the notes index, the audit chain."""
        import sqlcipher3

        damaged = VaultDamaged(
            "The vault's database is damaged or was tampered with. Restore the latest good backup."
        )
        c = self.conn
        try:
            if c.execute("PRAGMA cipher_integrity_check").fetchall():
                raise damaged
            if [r[0] for r in c.execute("PRAGMA integrity_check").fetchall()] != ["ok"]:
                raise damaged
            if c.execute("PRAGMA foreign_key_check").fetchall():
                raise damaged
            c.execute("INSERT INTO notes_fts (notes_fts, rank) VALUES ('integrity-check', 1)")
        except sqlcipher3.DatabaseError:
            raise damaged from None
        if not self.verify_audit_chain():
            raise VaultDamaged(
                "The vault's audit log was altered (its hash chain does not verify). "
                "Restore the latest good backup."
            )
        return self.counts()
