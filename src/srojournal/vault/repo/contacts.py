"""Contacts (journal entries): writing them with their links, reading one, and the journal list."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any, Final

from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import (
    Contact,
    ContactFilter,
    ContactInput,
    ContactRow,
    ContactStudent,
)
from srojournal.domain.validation import check_contact, checked_grade
from srojournal.vault.connection import Connection
from srojournal.vault.repo.core import now_text, parse_ts, ts
from srojournal.vault.repo.schools import SchoolsAndTypes

FIRST_LINE_CHARS: Final = 160
# Above this many matching notes a search walks the date index instead of the hits.
COMMON_WORD_HITS: Final = 2000
_WORD_RE: Final = re.compile(r"\w+", re.UNICODE)


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


class Contacts(SchoolsAndTypes):
    def _validate_contact(self, data: ContactInput) -> None:
        """The rules of domain/validation.py, then what only the vault can check."""
        self.contact_type(data.type_code)  # retired types stay valid: history and edits keep them
        check_contact(data)
        if self._school_ids is None or data.school_id not in self._school_ids:
            self._school_ids = {int(r[0]) for r in self.conn.execute("SELECT id FROM schools")}
        if data.school_id not in self._school_ids:
            raise InvalidInput("That school does not exist.")

    def add_contact(self, data: ContactInput, *, contact_id: int | None = None) -> int:
        self._validate_contact(data)
        now = now_text()
        with self.batch() as c:
            cur = c.execute(
                "INSERT INTO contacts (id, occurred_at, duration_min, school_id, type_code,"
                " initiated_by, outcome, attendees, notes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact_id,
                    ts(data.occurred_at),
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
                    (
                        cid,
                        cs.student_id,
                        cs.role,
                        checked_grade(cs.grade) or current[cs.student_id],
                        pos,
                    )
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
                    ts(data.occurred_at),
                    data.duration_min,
                    data.school_id,
                    data.type_code,
                    data.initiated_by,
                    data.outcome,
                    data.attendees,
                    data.notes,
                    now_text(),
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
        """Put a deleted contact back as it was: its id, links, grades and purge mark. Returns
        its id: a new one when an entry saved after the delete took the old one (a new contact
        takes the id after the highest, which a deleted newest entry frees)."""
        taken = self.conn.execute("SELECT 1 FROM contacts WHERE id = ?", (contact.id,)).fetchone()
        cid = self.add_contact(contact.to_input(), contact_id=None if taken else contact.id)
        if contact.redacted:
            with self.batch() as c:
                c.execute("UPDATE contacts SET redacted = 1 WHERE id = ?", (cid,))
        return cid

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
            occurred_at=parse_ts(row[1]),
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
            args = [*args, ts(after.occurred_at), after.id]
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
                parse_ts(r[1]),  # occurred_at
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
        """School and type of the newest entry (quick-entry defaults).

        The newest entry is the highest id: new contacts always get the next id, and a contact
        put back by undo keeps its old one, so it does not become the default. The rowid gives
        it at once; ordering by ``created_at`` (no index) read the whole table on every Ctrl+N.
        """
        row = self.conn.execute(
            "SELECT school_id, type_code FROM contacts ORDER BY id DESC LIMIT 1"
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
