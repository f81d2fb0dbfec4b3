"""The repository: every query the GUI, the CLI and the reports use. No SQL lives elsewhere.

Each public write is one transaction (or joins the caller's, e.g. during an import).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from srojournal.domain import taxonomy
from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.domain.models import (
    AuditEntry,
    ConflictCase,
    Contact,
    ContactFilter,
    ContactInput,
    ContactRow,
    ContactStudent,
    FollowUp,
    School,
    Student,
    Template,
)
from srojournal.domain.periods import parse_period
from srojournal.domain.taxonomy import ContactType
from srojournal.vault import alias_keys
from srojournal.vault import schools as school_list
from srojournal.vault.errors import InvalidInput, VaultDamaged

if TYPE_CHECKING:
    from srojournal.vault.store import Connection, Vault

GENESIS_HASH: Final = "0" * 64
FIRST_LINE_CHARS: Final = 160
# Above this many matching notes a search walks the date index instead of the hits.
COMMON_WORD_HITS: Final = 2000
PERIOD_RE: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_WORD_RE: Final = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class StoredRelease:
    period: str
    number: int
    content: bytes
    sha256: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Counts:
    contacts: int
    students: int
    follow_ups: int


def _ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)  # "YYYY-MM-DDTHH:MM"; 20x faster than strptime


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def period_bounds(period: str) -> tuple[str, str]:
    """``YYYY-MM`` → (first day, first day of next month) as ISO dates."""
    m = PERIOD_RE.match(period)
    if not m:
        raise InvalidInput(f"A month must look like YYYY-MM (for example 2026-03), not {period!r}.")
    year, month = int(m.group(1)), int(m.group(2))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, 1).isoformat(), nxt.isoformat()


def _release_period(period: str) -> None:
    """A release is keyed by a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a school year."""
    try:
        parse_period(period)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def fts_query(text: str) -> str | None:
    """Turn what an officer types into a safe FTS5 query: every word must match (last as prefix)."""
    words = _WORD_RE.findall(text)
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def first_line(notes: str) -> str:
    line = notes.strip().split("\n", 1)[0].strip()
    return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"


def _by_student_id(fact: StudentFact) -> int:
    return fact.student_id


class Journal:
    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._type_cache: dict[str, ContactType] | None = None
        # Lookups that only change when we write; dropped after every transaction that could
        # have changed them (and after any rollback, so no id from an undone write survives).
        self._school_ids: set[int] | None = None
        self._tag_ids: dict[str, int] = {}
        self._fts_hits_cache: dict[str, int] = {}

    @property
    def conn(self) -> Connection:
        conn = self._vault.conn
        if conn is None:
            raise VaultDamaged("The vault is locked.")
        return conn

    @contextlib.contextmanager
    def batch(self) -> Iterator[Connection]:
        """One transaction around several writes; nested calls join the open one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            with self._vault.transaction() as conn:
                yield conn
        except BaseException:
            self.invalidate_caches()
            raise
        self._fts_hits_cache.clear()

    @contextlib.contextmanager
    def deferred_notes_index(self) -> Iterator[None]:
        """Inside a transaction: index the notes of the contacts added in the block with one
        statement at its end instead of one trigger call per row (bulk import).

        The trigger is dropped and re-created inside the same transaction, so a rollback
        restores it; a crash at any point leaves the old schema and data.
        """
        c = self.conn
        if not c.in_transaction:
            raise RuntimeError("deferred_notes_index needs an open transaction")
        trigger_sql = c.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'contacts_fts_insert'"
        ).fetchone()[0]
        last_id = c.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0]
        c.execute("DROP TRIGGER contacts_fts_insert")
        yield
        c.execute(
            "INSERT INTO notes_fts (rowid, notes) SELECT id, notes FROM contacts WHERE id > ?",
            (last_id,),
        )
        c.execute(trigger_sql)

    def invalidate_caches(self) -> None:
        """Forget cached lookups (after a rolled-back batch or an import)."""
        self._type_cache = None
        self._school_ids = None
        self._tag_ids.clear()
        self._fts_hits_cache.clear()

    # -- settings and drafts (inside the vault, never in QSettings) ------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        return self._vault.get_meta("setting." + key, default)

    def set_setting(self, key: str, value: str) -> None:
        with self.batch():
            self._vault.set_meta("setting." + key, value)

    def save_draft(self, name: str, payload: str) -> None:
        with self.batch() as c:
            c.execute(
                "INSERT OR REPLACE INTO drafts (name, payload, updated_at) VALUES (?, ?, ?)",
                (name, payload, _now()),
            )

    def load_draft(self, name: str) -> str | None:
        row = self.conn.execute("SELECT payload FROM drafts WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def delete_draft(self, name: str) -> None:
        with self.batch() as c:
            c.execute("DELETE FROM drafts WHERE name = ?", (name,))

    # -- schools -------------------------------------------------------------------------------
    def schools(self, *, include_inactive: bool = False) -> list[School]:
        sql = "SELECT id, name, active FROM schools"
        if not include_inactive:
            sql += " WHERE active = 1"
        rows = self.conn.execute(sql + " ORDER BY name COLLATE NOCASE").fetchall()
        return [School(r[0], r[1], bool(r[2])) for r in rows]

    def school_names(self) -> list[str]:
        return [s.name for s in self.schools(include_inactive=True)]

    # The school list's rules (name shape, comparison, merge) live in vault/schools.py.
    def add_school(self, name: str) -> int:
        return school_list.add_school(self, name)

    def rename_school(self, school_id: int, name: str) -> None:
        school_list.rename_school(self, school_id, name)

    def set_school_active(self, school_id: int, active: bool) -> None:
        school_list.set_active(self, school_id, active)

    def merge_school(self, source_id: int, target_id: int) -> school_list.MergeResult:
        return school_list.merge_school(self, source_id, target_id)

    def school_id_by_name(self, name: str) -> int | None:
        found = school_list.find(self, name)
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
        code = code.strip().lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", code):
            raise InvalidInput(
                "A type code uses 2–40 lowercase letters, digits or underscores, starting with "
                "a letter."
            )
        if category not in taxonomy.CATEGORIES:
            raise InvalidInput(f"Unknown category {category!r}.")
        if code in self._types():
            raise InvalidInput(f"The contact type code {code!r} already exists.")
        label = _clean_label(label, "Type label")
        role = {"education": "educator", "safety": "law_enforcement"}.get(category, "counselor")
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

    # -- students ------------------------------------------------------------------------------
    def add_student(
        self, alias: str, school_id: int, grade: str | None = None, notes: str = ""
    ) -> int:
        alias = _clean_label(alias, "Alias")
        grade = _grade(grade)
        key = alias_keys.alias_key(alias)
        with self.batch() as c:
            alias_keys.check_free(c, school_id, key)
            cur = c.execute(
                "INSERT INTO students (alias, alias_key, school_id, grade, notes)"
                " VALUES (?, ?, ?, ?, ?)",
                (alias, key, school_id, grade, notes),
            )
            return int(cur.lastrowid)

    def update_student(
        self,
        student_id: int,
        *,
        alias: str | None = None,
        grade: str | None = None,
        notes: str | None = None,
        school_id: int | None = None,
    ) -> None:
        s = self.student(student_id)
        new_alias = _clean_label(alias, "Alias") if alias is not None else s.alias
        new_school = school_id if school_id is not None else s.school_id
        key = alias_keys.alias_key(new_alias)
        with self.batch() as c:
            alias_keys.check_free(c, new_school, key, student_id=student_id)
            c.execute(
                "UPDATE students SET alias = ?, alias_key = ?, grade = ?, notes = ?, school_id = ?"
                " WHERE id = ?",
                (
                    new_alias,
                    key,
                    _grade(grade) if grade is not None else s.grade,
                    notes if notes is not None else s.notes,
                    new_school,
                    student_id,
                ),
            )

    def set_student_archived(self, student_id: int, archived: bool) -> None:
        with self.batch() as c:
            c.execute("UPDATE students SET archived = ? WHERE id = ?", (int(archived), student_id))

    def student(self, student_id: int) -> Student:
        row = self.conn.execute(
            "SELECT id, alias, school_id, grade, notes, archived FROM students WHERE id = ?",
            (student_id,),
        ).fetchone()
        if row is None:
            raise InvalidInput("That student does not exist.")
        return _student(row)

    def student_by_alias(self, school_id: int, alias: str) -> Student | None:
        row = self.conn.execute(
            "SELECT id, alias, school_id, grade, notes, archived FROM students"
            " WHERE school_id = ? AND alias_key = ?",
            (school_id, alias_keys.alias_key(alias)),
        ).fetchone()
        return None if row is None else _student(row)

    def students(
        self,
        search: str = "",
        *,
        school_id: int | None = None,
        include_archived: bool = False,
        limit: int | None = None,
    ) -> list[Student]:
        """Students whose alias contains ``search`` (type-ahead: prefix matches first)."""
        sql = "SELECT id, alias, school_id, grade, notes, archived FROM students WHERE 1=1"
        args: list[Any] = []
        if search.strip():
            sql += " AND alias_key LIKE ? ESCAPE '\\'"
            args.append(alias_keys.like_pattern(search))
        if school_id is not None:
            sql += " AND school_id = ?"
            args.append(school_id)
        if not include_archived:
            sql += " AND archived = 0"
        sql += " ORDER BY (alias_key LIKE ? ESCAPE '\\') DESC, alias COLLATE NOCASE"
        args.append(alias_keys.like_pattern(search)[1:])
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_student(r) for r in self.conn.execute(sql, args).fetchall()]

    def student_names(self) -> list[str]:
        return [str(r[0]) for r in self.conn.execute("SELECT alias FROM students").fetchall()]

    def student_contact_count(self, student_id: int) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM contact_students WHERE student_id = ?", (student_id,)
        ).fetchone()
        return int(row[0])

    # -- contacts ------------------------------------------------------------------------------
    def _validate_contact(self, data: ContactInput) -> None:
        self.contact_type(data.type_code)  # retired types stay valid: history and edits keep them
        if data.outcome is not None and data.outcome not in taxonomy.OUTCOME_BY_CODE:
            raise InvalidInput(f"Unknown outcome {data.outcome!r}.")
        for r in data.referrals:
            if r not in taxonomy.REFERRAL_TARGETS:
                raise InvalidInput(f"Unknown referral target {r!r}.")
        if data.initiated_by is not None and data.initiated_by not in taxonomy.INITIATORS:
            raise InvalidInput(f"'Initiated by' must be one of {', '.join(taxonomy.INITIATORS)}.")
        if data.duration_min is not None and not 0 <= data.duration_min <= 24 * 60:
            raise InvalidInput("Duration must be between 0 and 1440 minutes.")
        if data.attendees is not None and not 0 <= data.attendees <= 100_000:
            raise InvalidInput("Attendees must be between 0 and 100,000.")
        seen: set[int] = set()
        for cs in data.students:
            if cs.role not in taxonomy.STUDENT_ROLES:
                raise InvalidInput(f"Unknown student role {cs.role!r}.")
            if cs.student_id in seen:
                raise InvalidInput("A student is listed twice in one contact.")
            seen.add(cs.student_id)
        if self._school_ids is None or data.school_id not in self._school_ids:
            self._school_ids = {int(r[0]) for r in self.conn.execute("SELECT id FROM schools")}
        if data.school_id not in self._school_ids:
            raise InvalidInput("That school does not exist.")

    def add_contact(self, data: ContactInput, *, contact_id: int | None = None) -> int:
        self._validate_contact(data)
        now = _now()
        with self.batch() as c:
            cur = c.execute(
                "INSERT INTO contacts (id, occurred_at, duration_min, school_id, type_code,"
                " initiated_by, outcome, attendees, notes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact_id,
                    _ts(data.occurred_at),
                    data.duration_min,
                    data.school_id,
                    data.type_code,
                    data.initiated_by,
                    data.outcome,
                    data.attendees,
                    data.notes,
                    now,
                    now,
                ),
            )
            cid = int(cur.lastrowid)
            self._write_links(c, cid, data)
        return cid

    def _write_links(self, c: Connection, cid: int, data: ContactInput) -> None:
        if data.students:
            ids = [cs.student_id for cs in data.students]
            current = dict(
                c.execute(
                    "SELECT id, grade FROM students WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(ids),),
                ).fetchall()
            )
            if len(current) != len(set(ids)):
                raise InvalidInput("A student in this contact does not exist.")
            c.executemany(
                "INSERT INTO contact_students (contact_id, student_id, role, grade, position)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (cid, cs.student_id, cs.role, _grade(cs.grade) or current[cs.student_id], pos)
                    for pos, cs in enumerate(data.students)
                ],
            )
        if data.referrals:
            c.executemany(
                "INSERT OR IGNORE INTO contact_referrals (contact_id, target) VALUES (?, ?)",
                [(cid, r) for r in data.referrals],
            )
        tag_ids = [self._tag_id(c, t.strip()) for t in data.tags if t.strip()]
        if tag_ids:
            c.executemany(
                "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?, ?)",
                [(cid, t) for t in tag_ids],
            )

    def _tag_id(self, c: Connection, name: str) -> int:
        tag_id = self._tag_ids.get(name)
        if tag_id is None:
            row = c.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
            tag_id = int(
                row[0]
                if row
                else c.execute("INSERT INTO tags (name) VALUES (?)", (name,)).lastrowid
            )
            self._tag_ids[name] = tag_id
        return tag_id

    def update_contact(self, contact_id: int, data: ContactInput) -> None:
        self._validate_contact(data)
        self.contact(contact_id)  # raises if it was deleted meanwhile
        with self.batch() as c:
            c.execute(
                "UPDATE contacts SET occurred_at = ?, duration_min = ?, school_id = ?,"
                " type_code = ?, initiated_by = ?, outcome = ?, attendees = ?, notes = ?,"
                " updated_at = ? WHERE id = ?",
                (
                    _ts(data.occurred_at),
                    data.duration_min,
                    data.school_id,
                    data.type_code,
                    data.initiated_by,
                    data.outcome,
                    data.attendees,
                    data.notes,
                    _now(),
                    contact_id,
                ),
            )
            for table in ("contact_students", "contact_referrals", "contact_tags"):
                c.execute(f"DELETE FROM {table} WHERE contact_id = ?", (contact_id,))
            self._write_links(c, contact_id, data)

    def delete_contact(self, contact_id: int) -> Contact:
        """Delete a contact; returns it so the caller can undo with ``restore_contact``."""
        old = self.contact(contact_id)
        with self.batch() as c:
            c.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        return old

    def restore_contact(self, contact: Contact) -> int:
        return self.add_contact(contact.to_input(), contact_id=contact.id)

    def contact(self, contact_id: int) -> Contact:
        c = self.conn
        row = c.execute(
            "SELECT id, occurred_at, school_id, type_code, duration_min, initiated_by, outcome,"
            " notes, attendees, redacted FROM contacts WHERE id = ?",
            (contact_id,),
        ).fetchone()
        if row is None:
            raise InvalidInput("That contact does not exist (it may have been deleted).")
        students = tuple(
            ContactStudent(r[0], r[1], r[2])
            for r in c.execute(
                "SELECT student_id, role, grade FROM contact_students WHERE contact_id = ?"
                " ORDER BY position",
                (contact_id,),
            )
        )
        referrals = tuple(
            r[0]
            for r in c.execute(
                "SELECT target FROM contact_referrals WHERE contact_id = ? ORDER BY target",
                (contact_id,),
            )
        )
        tags = tuple(
            r[0]
            for r in c.execute(
                "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
                " WHERE ct.contact_id = ? ORDER BY t.name COLLATE NOCASE",
                (contact_id,),
            )
        )
        return Contact(
            id=row[0],
            occurred_at=_parse_ts(row[1]),
            school_id=row[2],
            type_code=row[3],
            students=students,
            duration_min=row[4],
            initiated_by=row[5],
            outcome=row[6],
            referrals=referrals,
            tags=tags,
            notes=row[7],
            attendees=row[8],
            redacted=bool(row[9]),
        )

    def _fts_hits(self, query: str) -> int:
        hits = self._fts_hits_cache.get(query)
        if hits is None:
            row = self.conn.execute(
                "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", (query,)
            ).fetchone()
            hits = self._fts_hits_cache[query] = int(row[0])
            if len(self._fts_hits_cache) > 64:
                self._fts_hits_cache.pop(next(iter(self._fts_hits_cache)))
        return hits

    def _where(self, f: ContactFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if f.date_from is not None:
            clauses.append("c.occurred_at >= ?")
            args.append(f.date_from.isoformat())
        if f.date_to is not None:
            clauses.append("c.occurred_at < ?")
            args.append((f.date_to + dt.timedelta(days=1)).isoformat())
        if f.school_id is not None:
            clauses.append("c.school_id = ?")
            args.append(f.school_id)
        if f.type_codes:
            clauses.append(f"c.type_code IN ({','.join('?' * len(f.type_codes))})")
            args.extend(f.type_codes)
        if f.category is not None:
            clauses.append("c.type_code IN (SELECT code FROM contact_types WHERE category = ?)")
            args.append(f.category)
        if f.student_id is not None:
            clauses.append("c.id IN (SELECT contact_id FROM contact_students WHERE student_id = ?)")
            args.append(f.student_id)
        if f.outcome is not None:
            clauses.append("c.outcome = ?")
            args.append(f.outcome)
        if f.tag is not None:
            clauses.append(
                "c.id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t"
                " ON t.id = ct.tag_id WHERE t.name = ?)"
            )
            args.append(f.tag)
        if f.text:
            q = fts_query(f.text)
            if q is not None:
                # A common word matches thousands of notes: walk the date index and test each
                # row against the match set ("+c.id" keeps SQLite from probing contacts per
                # hit), stopping after one page. A rare word: look up its few hits directly.
                many = self._fts_hits(q) > COMMON_WORD_HITS
                column = "+c.id" if many else "c.id"
                clauses.append(f"{column} IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)")
                args.append(q)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def count_contacts(self, f: ContactFilter | None = None) -> int:
        f = f or ContactFilter()
        q = fts_query(f.text) if f.text else None
        if q is not None and f == ContactFilter(text=f.text):
            return self._fts_hits(q)  # the index holds exactly one row per contact
        where, args = self._where(f)
        return int(self.conn.execute(f"SELECT count(*) FROM contacts c{where}", args).fetchone()[0])

    def list_contacts(
        self,
        f: ContactFilter | None = None,
        *,
        limit: int = 200,
        offset: int = 0,
        after: ContactRow | None = None,
    ) -> list[ContactRow]:
        """One page of the journal, newest first.

        ``after`` continues below a row already shown (keyset paging: as fast on page 500 as on
        page 1); ``offset`` is for small jumps only.
        """
        where, args = self._where(f or ContactFilter())
        if after is not None:
            where += (" AND " if where else " WHERE ") + "(c.occurred_at, c.id) < (?, ?)"
            args = [*args, _ts(after.occurred_at), after.id]
        # Two steps: the page's ids from the index alone, then the display columns of those
        # rows only (notes, aliases and tags are never read for rows that are skipped).
        ids = [
            r[0]
            for r in self.conn.execute(
                f"SELECT c.id FROM contacts c{where}"
                " ORDER BY c.occurred_at DESC, c.id DESC LIMIT ? OFFSET ?",
                [*args, limit, offset],
            )
        ]
        if not ids:
            return []
        rows = self.conn.execute(
            f"SELECT c.id, c.occurred_at, s.name, c.type_code, c.outcome,"
            # Only the start of each note crosses into Python (notes can be 50 KB).
            f" substr(ltrim(c.notes, ' ' || char(9, 10, 13)), 1, {FIRST_LINE_CHARS + 1}),"
            " (SELECT group_concat(alias, ', ') FROM (SELECT st.alias FROM contact_students cs"
            "   JOIN students st ON st.id = cs.student_id WHERE cs.contact_id = c.id"
            "   ORDER BY cs.position)),"
            " (SELECT group_concat(name, ', ') FROM (SELECT t.name FROM contact_tags ct"
            "   JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id ORDER BY t.name))"
            " FROM contacts c JOIN schools s ON s.id = c.school_id"
            " WHERE c.id IN (SELECT value FROM json_each(?))"
            " ORDER BY c.occurred_at DESC, c.id DESC",
            (json.dumps(ids),),
        ).fetchall()
        types = self._types()
        return [
            ContactRow(
                r[0],  # id
                _parse_ts(r[1]),  # occurred_at
                r[2],  # school
                r[3],  # type_code
                types[r[3]].label if r[3] in types else r[3],  # type_label
                r[6] or "",  # students
                r[4],  # outcome
                first_line(r[5]),
                r[7] or "",  # tags
            )
            for r in rows
        ]

    def timeline(self, student_id: int, *, limit: int = 1000) -> list[ContactRow]:
        return self.list_contacts(ContactFilter(student_id=student_id), limit=limit)

    def tags(self) -> list[str]:
        return [
            str(r[0])
            for r in self.conn.execute("SELECT name FROM tags ORDER BY name COLLATE NOCASE")
        ]

    def last_used(self) -> tuple[int | None, str | None]:
        """School and type of the most recently entered contact (quick-entry defaults)."""
        row = self.conn.execute(
            "SELECT school_id, type_code FROM contacts ORDER BY created_at DESC, id DESC LIMIT 1"
        ).fetchone()
        return (None, None) if row is None else (int(row[0]), str(row[1]))

    def notes_contain_phrase(self, words: Sequence[str]) -> bool:
        """Whether any note contains these words as a phrase (the summaries' leak check)."""
        tokens = [w for word in words for w in _WORD_RE.findall(word)]
        if not tokens:
            return False
        phrase = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
        row = self.conn.execute(
            "SELECT 1 FROM notes_fts WHERE notes_fts MATCH ? LIMIT 1", (phrase,)
        ).fetchone()
        return row is not None

    # -- follow-ups ----------------------------------------------------------------------------
    def add_follow_up(
        self,
        due: dt.date,
        what: str,
        student_ids: Iterable[int] = (),
        *,
        source_contact_id: int | None = None,
    ) -> int:
        with self.batch() as c:
            fid = int(
                c.execute(
                    "INSERT INTO follow_ups (due_date, what, source_contact_id) VALUES (?, ?, ?)",
                    (due.isoformat(), what, source_contact_id),
                ).lastrowid
            )
            c.executemany(
                "INSERT OR IGNORE INTO follow_up_students (follow_up_id, student_id) VALUES (?, ?)",
                [(fid, s) for s in student_ids],
            )
        return fid

    def follow_up(self, follow_up_id: int) -> FollowUp:
        found = self._follow_ups("WHERE f.id = ?", [follow_up_id])
        if not found:
            raise InvalidInput("That follow-up does not exist.")
        return found[0]

    def follow_ups(
        self,
        *,
        status: str | None = "open",
        student_id: int | None = None,
        due_before: dt.date | None = None,
    ) -> list[FollowUp]:
        clauses: list[str] = []
        args: list[Any] = []
        if status is not None:
            clauses.append("f.status = ?")
            args.append(status)
        if student_id is not None:
            clauses.append(
                "f.id IN (SELECT follow_up_id FROM follow_up_students WHERE student_id = ?)"
            )
            args.append(student_id)
        if due_before is not None:
            clauses.append("f.due_date < ?")
            args.append(due_before.isoformat())
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._follow_ups(where, args)

    def _follow_ups(self, where: str, args: list[Any]) -> list[FollowUp]:
        rows = self.conn.execute(
            "SELECT f.id, f.due_date, f.what, f.status, f.completed_on, f.source_contact_id,"
            " f.done_contact_id, (SELECT group_concat(student_id) FROM follow_up_students"
            " WHERE follow_up_id = f.id) FROM follow_ups f " + where + " ORDER BY f.due_date, f.id",
            args,
        ).fetchall()
        return [
            FollowUp(
                id=r[0],
                due=dt.date.fromisoformat(r[1]),
                what=r[2],
                status=r[3],
                student_ids=tuple(sorted(int(x) for x in r[7].split(","))) if r[7] else (),
                completed_on=dt.date.fromisoformat(r[4]) if r[4] else None,
                source_contact_id=r[5],
                done_contact_id=r[6],
            )
            for r in rows
        ]

    def follow_ups_buckets(self, today: dt.date) -> dict[str, list[FollowUp]]:
        """Open follow-ups as overdue / today / this week (next 7 days) / later."""
        buckets: dict[str, list[FollowUp]] = {"overdue": [], "today": [], "week": [], "later": []}
        for f in self.follow_ups(status="open"):
            if f.due < today:
                buckets["overdue"].append(f)
            elif f.due == today:
                buckets["today"].append(f)
            elif f.due <= today + dt.timedelta(days=7):
                buckets["week"].append(f)
            else:
                buckets["later"].append(f)
        return buckets

    def overdue_count(self, today: dt.date) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM follow_ups WHERE status = 'open' AND due_date < ?",
            (today.isoformat(),),
        ).fetchone()
        return int(row[0])

    def complete_follow_up(
        self,
        follow_up_id: int,
        on: dt.date,
        *,
        log_contact: ContactInput | None = None,
    ) -> int | None:
        """Mark a follow-up done; optionally log the follow-up contact in the same transaction."""
        self.follow_up(follow_up_id)
        with self.batch() as c:
            contact_id = self.add_contact(log_contact) if log_contact is not None else None
            c.execute(
                "UPDATE follow_ups SET status = 'done', completed_on = ?, done_contact_id = ?"
                " WHERE id = ?",
                (on.isoformat(), contact_id, follow_up_id),
            )
        return contact_id

    def reschedule_follow_up(self, follow_up_id: int, due: dt.date) -> None:
        with self.batch() as c:
            c.execute(
                "UPDATE follow_ups SET due_date = ?, status = 'open', completed_on = NULL"
                " WHERE id = ?",
                (due.isoformat(), follow_up_id),
            )

    def cancel_follow_up(self, follow_up_id: int) -> None:
        with self.batch() as c:
            c.execute("UPDATE follow_ups SET status = 'cancelled' WHERE id = ?", (follow_up_id,))

    # -- conflict cases ------------------------------------------------------------------------
    def add_conflict_case(
        self,
        title: str,
        party_ids: Iterable[int],
        *,
        terms: str = "",
        opened_on: dt.date,
        check_date: dt.date | None = None,
        contact_ids: Iterable[int] = (),
    ) -> int:
        with self.batch() as c:
            case_id = int(
                c.execute(
                    "INSERT INTO conflict_cases (title, terms, opened_on, check_date)"
                    " VALUES (?, ?, ?, ?)",
                    (
                        title,
                        terms,
                        opened_on.isoformat(),
                        check_date.isoformat() if check_date else None,
                    ),
                ).lastrowid
            )
            c.executemany(
                "INSERT OR IGNORE INTO conflict_parties (case_id, student_id) VALUES (?, ?)",
                [(case_id, s) for s in party_ids],
            )
            c.executemany(
                "INSERT OR IGNORE INTO conflict_contacts (case_id, contact_id) VALUES (?, ?)",
                [(case_id, x) for x in contact_ids],
            )
        return case_id

    def update_conflict_case(
        self,
        case_id: int,
        *,
        title: str | None = None,
        terms: str | None = None,
        check_date: dt.date | None = None,
        status: str | None = None,
    ) -> None:
        case = self.conflict_case(case_id)
        if status is not None and status not in taxonomy.CONFLICT_STATUSES:
            raise InvalidInput(f"Unknown case status {status!r}.")
        check = check_date or case.check_date
        with self.batch() as c:
            c.execute(
                "UPDATE conflict_cases SET title = ?, terms = ?, check_date = ?, status = ?"
                " WHERE id = ?",
                (
                    title if title is not None else case.title,
                    terms if terms is not None else case.terms,
                    check.isoformat() if check else None,
                    status or case.status,
                    case_id,
                ),
            )

    def set_conflict_parties(self, case_id: int, student_ids: Iterable[int]) -> None:
        self.conflict_case(case_id)
        with self.batch() as c:
            c.execute("DELETE FROM conflict_parties WHERE case_id = ?", (case_id,))
            c.executemany(
                "INSERT OR IGNORE INTO conflict_parties (case_id, student_id) VALUES (?, ?)",
                [(case_id, s) for s in student_ids],
            )

    def clear_case_check_date(self, case_id: int) -> None:
        with self.batch() as c:
            c.execute("UPDATE conflict_cases SET check_date = NULL WHERE id = ?", (case_id,))

    def unlink_contact_from_case(self, case_id: int, contact_id: int) -> None:
        with self.batch() as c:
            c.execute(
                "DELETE FROM conflict_contacts WHERE case_id = ? AND contact_id = ?",
                (case_id, contact_id),
            )

    def link_contact_to_case(self, case_id: int, contact_id: int) -> None:
        with self.batch() as c:
            c.execute(
                "INSERT OR IGNORE INTO conflict_contacts (case_id, contact_id) VALUES (?, ?)",
                (case_id, contact_id),
            )

    def conflict_case(self, case_id: int) -> ConflictCase:
        found = self._cases("WHERE k.id = ?", [case_id])
        if not found:
            raise InvalidInput("That conflict case does not exist.")
        return found[0]

    def conflict_cases(self, *, student_id: int | None = None) -> list[ConflictCase]:
        if student_id is None:
            return self._cases("", [])
        return self._cases(
            "WHERE k.id IN (SELECT case_id FROM conflict_parties WHERE student_id = ?)",
            [student_id],
        )

    def _cases(self, where: str, args: list[Any]) -> list[ConflictCase]:
        rows = self.conn.execute(
            "SELECT k.id, k.title, k.terms, k.opened_on, k.check_date, k.status,"
            " (SELECT group_concat(student_id) FROM conflict_parties WHERE case_id = k.id),"
            " (SELECT group_concat(contact_id) FROM conflict_contacts WHERE case_id = k.id)"
            " FROM conflict_cases k " + where + " ORDER BY k.opened_on DESC, k.id DESC",
            args,
        ).fetchall()
        return [
            ConflictCase(
                id=r[0],
                title=r[1],
                terms=r[2],
                opened_on=dt.date.fromisoformat(r[3]),
                check_date=dt.date.fromisoformat(r[4]) if r[4] else None,
                status=r[5],
                party_ids=_ids(r[6]),
                contact_ids=_ids(r[7]),
            )
            for r in rows
        ]

    # -- templates -----------------------------------------------------------------------------
    def add_template(self, t: Template) -> int:
        self.contact_type(t.type_code)
        with self.batch() as c:
            return int(
                c.execute(
                    "INSERT OR REPLACE INTO templates (name, type_code, duration_min, initiated_by,"
                    " outcome, notes, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        _clean_label(t.name, "Template name"),
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

    # -- audit log (hash-chained, never sensitive content) -------------------------------------
    def audit(self, action: str, detail: dict[str, Any]) -> None:
        payload = json.dumps(detail, sort_keys=True, separators=(",", ":"))
        with self.batch() as c:
            row = c.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS_HASH
            at = _now()
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

    # -- releases of summaries (a month, a quarter or a school year) -----------------------------
    def releases(self, period: str) -> list[StoredRelease]:
        _release_period(period)
        return [
            StoredRelease(r[0], r[1], bytes(r[2]), r[3], r[4])
            for r in self.conn.execute(
                "SELECT period, number, content, sha256, created_at FROM releases"
                " WHERE period = ? ORDER BY number",
                (period,),
            )
        ]

    def released_periods(self) -> list[tuple[str, int]]:
        return [
            (str(r[0]), int(r[1]))
            for r in self.conn.execute(
                "SELECT period, max(number) FROM releases GROUP BY period ORDER BY period DESC"
            )
        ]

    def add_release(
        self, period: str, number: int, content: bytes, basis: bytes | None = None
    ) -> None:
        """Store a release; ``basis`` (the coded facts it was made from) stays in the vault."""
        _release_period(period)
        digest = hashlib.sha256(content).hexdigest()
        with self.batch() as c:
            c.execute(
                "INSERT INTO releases (period, number, content, sha256, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (period, number, content, digest, _now()),
            )
            if basis is not None:
                self._vault.set_meta(
                    f"release_basis.{period}.{number}", base64.b64encode(basis).decode("ascii")
                )
            self.audit("summary_released", {"period": period, "release": number, "sha256": digest})

    def release_basis(self, period: str, number: int) -> bytes | None:
        """The private basis stored with a release, or None for a release made before bases."""
        raw = self._vault.get_meta(f"release_basis.{period}.{number}")
        return None if raw is None else base64.b64decode(raw)

    # -- the coded facts of a month ------------------------------------------------------------
    def first_entry_day(self) -> dt.date | None:
        """The day of the earliest contact (None for an empty journal): no summary period
        before it has anything to show."""
        row = self.conn.execute("SELECT min(occurred_at) FROM contacts").fetchone()
        return None if row is None or row[0] is None else _parse_ts(str(row[0])).date()

    def month_facts(self, period: str) -> MonthFacts:
        start, end = period_bounds(period)
        c = self.conn
        types = self._types()
        # One StudentFact per (student, grade band) and one band per grade string: a month has
        # thousands of student-contacts but few distinct values.
        bands: dict[str | None, str] = {}
        facts: dict[tuple[int, str], StudentFact] = {}
        students: dict[int, list[StudentFact]] = {}
        for cid, sid, grade in c.execute(
            "SELECT cs.contact_id, cs.student_id, cs.grade FROM contact_students cs"
            " JOIN contacts c ON c.id = cs.contact_id"
            " WHERE c.occurred_at >= ? AND c.occurred_at < ?",
            (start, end),
        ):
            band = bands.get(grade)
            if band is None:
                band = bands[grade] = taxonomy.grade_band(grade)
            fact = facts.get((sid, band))
            if fact is None:
                fact = facts[(sid, band)] = StudentFact(int(sid), band)
            students.setdefault(cid, []).append(fact)
        referrals: dict[int, list[str]] = {}
        for cid, target in c.execute(
            "SELECT r.contact_id, r.target FROM contact_referrals r"
            " JOIN contacts c ON c.id = r.contact_id"
            " WHERE c.occurred_at >= ? AND c.occurred_at < ?",
            (start, end),
        ):
            referrals.setdefault(cid, []).append(str(target))
        groups: dict[str | None, str] = {}
        schools = {sid: name for sid, name in c.execute("SELECT id, name FROM schools")}
        contacts = []
        for cid, school_id, type_code, outcome, duration, attendees in c.execute(
            "SELECT id, school_id, type_code, outcome, duration_min, attendees FROM contacts"
            " WHERE occurred_at >= ? AND occurred_at < ? ORDER BY id",
            (start, end),
        ):
            t = types[type_code]
            group = groups.get(outcome)
            if group is None:
                group = groups[outcome] = taxonomy.outcome_group(outcome)
            who = students.get(cid, ())
            if len(who) > 1:
                who.sort(key=_by_student_id)
            refs = referrals.get(cid, ())
            if len(refs) > 1:
                refs.sort()
            contacts.append(
                ContactFact(
                    int(cid),
                    str(schools[school_id]),
                    str(type_code),
                    t.category,
                    group,
                    int(duration or 0),
                    tuple(who),
                    tuple(refs),
                    int(attendees or 0),
                    t.group_activity,
                )
            )
        fstudents: dict[int, list[int]] = {}
        for fid, sid in c.execute(
            "SELECT fs.follow_up_id, fs.student_id FROM follow_up_students fs"
            " JOIN follow_ups f ON f.id = fs.follow_up_id WHERE f.due_date >= ? AND f.due_date < ?",
            (start, end),
        ):
            fstudents.setdefault(fid, []).append(int(sid))
        follow_ups = []
        for fid, due, status, completed in c.execute(
            "SELECT id, due_date, status, completed_on FROM follow_ups"
            " WHERE due_date >= ? AND due_date < ? ORDER BY id",
            (start, end),
        ):
            if status == "done":
                state = "done_on_time" if completed and completed <= due else "done_late"
            else:
                state = str(status)
            follow_ups.append(FollowUpFact(int(fid), state, tuple(sorted(fstudents.get(fid, [])))))
        # Every school of the list except those merged into another (their contacts are the
        # other school's now): retired schools keep their rows, merged ones have none left.
        listed = c.execute(
            "SELECT name FROM schools WHERE merged_into IS NULL ORDER BY name COLLATE NOCASE"
        )
        return MonthFacts(
            period=period,
            contacts=tuple(contacts),
            follow_ups=tuple(follow_ups),
            schools=tuple(str(r[0]) for r in listed),
        )

    # -- retention -----------------------------------------------------------------------------
    def purge_notes_before(self, cutoff: dt.date) -> int:
        """Redact narrative text of contacts before ``cutoff``; coded facts stay. Then vacuum."""
        with self.batch() as c:
            n = int(
                c.execute(
                    "UPDATE contacts SET notes = '', redacted = 1, updated_at = ?"
                    " WHERE occurred_at < ? AND (notes != '' OR redacted = 0)",
                    (_now(), cutoff.isoformat()),
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


def _audit_hash(prev: str, at: str, action: str, detail: str) -> str:
    return hashlib.sha256("\x1f".join((prev, at, action, detail)).encode("utf-8")).hexdigest()


def _ids(text: str | None) -> tuple[int, ...]:
    return tuple(sorted(int(x) for x in text.split(","))) if text else ()


def _student(r: Any) -> Student:
    return Student(r[0], r[1], r[2], r[3], r[4], bool(r[5]))


def _grade(value: str | None) -> str | None:
    try:
        return taxonomy.normalize_grade(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _clean_label(value: str, what: str) -> str:
    v = " ".join(value.split())
    if not v:
        raise InvalidInput(f"{what} cannot be empty.")
    if len(v) > 120:
        raise InvalidInput(f"{what} is too long (120 characters at most).")
    return v
