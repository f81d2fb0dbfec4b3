"""Templates: prefilled quick entries for the contacts an officer logs most often."""

from __future__ import annotations

import json

from srojournal.domain.models import Template
from srojournal.domain.validation import clean_label
from srojournal.vault.repo.schools import SchoolsAndTypes


class Templates(SchoolsAndTypes):
    def add_template(self, t: Template) -> int:
        self.contact_type(t.type_code)
        with self.batch() as c:
            return int(
                c.execute(
                    "INSERT OR REPLACE INTO templates (name, type_code, duration_min, initiated_by,"
                    " outcome, notes, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        clean_label(t.name, "Template name"),
                        t.type_code,
                        t.duration_min,
                        t.initiated_by,
                        t.outcome,
                        t.notes,
                        json.dumps(list(t.tags)),
                    ),
                ).lastrowid
            )

    def templates(self) -> list[Template]:
        rows = self.conn.execute(
            "SELECT id, name, type_code, duration_min, initiated_by, outcome, notes, tags"
            " FROM templates ORDER BY name COLLATE NOCASE"
        ).fetchall()
        return [
            Template(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7] or "[]")))
            for r in rows
        ]

    def delete_template(self, template_id: int) -> None:
        with self.batch() as c:
            c.execute("DELETE FROM templates WHERE id = ?", (template_id,))
