"""Schema step: one alias key per student, schools merged into others, saved import mappings.

- ``students.alias_key`` (``normalize_alias`` of the alias), unique per school. Students that the
  old lookup kept apart ("Sam  R" and "Sam R", "ÉLAN" and "élan") are merged here, and the audit
  log records how many (counts only).
- ``schools.merged_into``: a school merged into another stays as a retired name that points at
  the school it became, so an old spreadsheet that still uses it lands on the right school.
- ``import_mappings``: column and value mappings the officer saved for spreadsheet imports. They
  live in the vault because a spreadsheet's headers and labels can carry names.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from srojournal.vault.alias_keys import alias_key, merge_colliding_students

DDL = """
ALTER TABLE students ADD COLUMN alias_key TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN merged_into INTEGER REFERENCES schools(id);
CREATE TABLE import_mappings (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
"""


def migrate(conn: Any) -> None:
    conn.executescript(DDL)
    rows = conn.execute("SELECT id, alias FROM students").fetchall()
    conn.executemany(
        "UPDATE students SET alias_key = ? WHERE id = ?",
        [(alias_key(alias), sid) for sid, alias in rows],
    )
    counts = merge_colliding_students(conn)
    conn.execute("CREATE UNIQUE INDEX students_by_alias_key ON students (school_id, alias_key)")
    if counts.merged:
        _audit(
            conn,
            "students_merged",
            {"reason": "alias_normalization", "groups": counts.groups, "merged": counts.merged},
        )


def _audit(conn: Any, action: str, detail: dict[str, Any]) -> None:
    """Append to the hash-chained audit log, exactly as ``Journal.audit`` does."""
    from srojournal.vault.repo.audit import GENESIS_HASH, _audit_hash

    payload = json.dumps(detail, sort_keys=True, separators=(",", ":"))
    row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS_HASH
    at = dt.datetime.now().replace(microsecond=0).isoformat()
    conn.execute(
        "INSERT INTO audit_log (at, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
        (at, action, payload, prev, _audit_hash(prev, at, action, payload)),
    )
