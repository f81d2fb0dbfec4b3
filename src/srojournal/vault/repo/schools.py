"""Schools and contact types: the officer's school list and the built-in and custom types."""

from __future__ import annotations

from typing import cast

from srojournal.domain import taxonomy
from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import School
from srojournal.domain.taxonomy import ContactType
from srojournal.domain.validation import (
    checked_category,
    checked_type_code,
    clean_label,
    triad_role_for,
)
from srojournal.vault import schools as school_list
from srojournal.vault.repo.core import JournalCore


class SchoolsAndTypes(JournalCore):
    def schools(self, *, include_inactive: bool = False) -> list[School]:
        sql = "SELECT id, name, active FROM schools"
        if not include_inactive:
            sql += " WHERE active = 1"
        rows = self.conn.execute(sql + " ORDER BY name COLLATE NOCASE").fetchall()
        return [School(r[0], r[1], bool(r[2])) for r in rows]

    def school_names(self) -> list[str]:
        return [s.name for s in self.schools(include_inactive=True)]

    def _journal(self) -> school_list.Journal:
        """This mixin is always part of a ``Journal``; the school list's functions take one."""
        return cast("school_list.Journal", self)

    # The school list's rules (name shape, comparison, merge) live in vault/schools.py.
    def add_school(self, name: str) -> int:
        return school_list.add_school(self._journal(), name)

    def rename_school(self, school_id: int, name: str) -> None:
        school_list.rename_school(self._journal(), school_id, name)

    def set_school_active(self, school_id: int, active: bool) -> None:
        school_list.set_active(self._journal(), school_id, active)

    def merge_school(self, source_id: int, target_id: int) -> school_list.MergeResult:
        return school_list.merge_school(self._journal(), source_id, target_id)

    def school_id_by_name(self, name: str) -> int | None:
        found = school_list.find(self._journal(), name)
        return None if found is None else found.id

    # -- contact types -------------------------------------------------------------------------
    def contact_types(self, *, include_retired: bool = True) -> list[ContactType]:
        types = list(self._types().values())
        return [t for t in types if include_retired or not t.retired]

    def contact_type(self, code: str) -> ContactType:
        t = self._types().get(code)
        if t is None:
            raise InvalidInput(f"Unknown contact type {code!r}.")
        return t

    def _types(self) -> dict[str, ContactType]:
        if self._type_cache is None:
            rows = self.conn.execute(
                "SELECT code, label, category, triad_role, builtin, retired, group_activity"
                " FROM contact_types ORDER BY builtin DESC, code"
            ).fetchall()
            order = {t.code: i for i, t in enumerate(taxonomy.BUILTIN_CONTACT_TYPES)}
            rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1]))
            self._type_cache = {
                r[0]: ContactType(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), bool(r[6]))
                for r in rows
            }
        return self._type_cache

    def add_contact_type(
        self, code: str, label: str, category: str, *, group_activity: bool = False
    ) -> None:
        code = checked_type_code(code)
        checked_category(category)
        if code in self._types():
            raise InvalidInput(f"The contact type code {code!r} already exists.")
        label = clean_label(label, "Type label")
        role = triad_role_for(category)
        with self.batch() as c:
            c.execute(
                "INSERT INTO contact_types (code, label, category, triad_role, builtin,"
                " group_activity) VALUES (?, ?, ?, ?, 0, ?)",
                (code, label, category, role, int(group_activity)),
            )
        self._type_cache = None

    def set_type_retired(self, code: str, retired: bool) -> None:
        self.contact_type(code)
        with self.batch() as c:
            c.execute("UPDATE contact_types SET retired = ? WHERE code = ?", (int(retired), code))
        self._type_cache = None
