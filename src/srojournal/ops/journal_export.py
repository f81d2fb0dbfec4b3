"""The officer's own export: the journal (or one student's records) as CSV in the import format.

This is the one path by which notes and names leave the vault unencrypted, on purpose: to move
to another tool, or to answer a records request. So it is deliberate and visible:

- the passphrase is entered again first (the command line asks for it to open the vault; the
  app asks again, see ``confirm_passphrase``);
- the officer is told the file is not encrypted (``NOT_ENCRYPTED``), and that the checks that
  guard summaries (suppression, leak check) do not apply to it (``NOT_CHECKED``);
- the file is written atomically with mode 0600 (readable by the officer's account only);
- the audit log records that an export happened, its scope and its size, never its content.

The file carries everything the officer wrote (docs/cli.md, "Export", says what and what not):
the officer's contact types, every student (private notes and archived ones too), every contact,
every follow-up and every conflict case, one row each, in the import format with a ``record``
column. Exporting everything and importing the file into a new vault gives the same records.

For one student's records (a records request) the file holds that student's own record, the
contacts they took part in, the follow-ups that name them and the cases they are a party to.
Other students are not named anywhere in it: they appear as "Other student 1", "Other student
2"…, also where a note or a case's title spells their alias (``domain/pseudonyms.py``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from srojournal.domain.models import Student
from srojournal.domain.pseudonyms import Pseudonyms
from srojournal.domain.text import normalize_alias
from srojournal.importing.journal_csv import EXPORT_COLUMNS, NO, YES, join_list, protect
from srojournal.vault.errors import InvalidInput
from srojournal.vault.export_rows import (
    ExportCase,
    ExportFollowUp,
    ExportPerson,
    ExportRow,
    ExportStudentRecord,
    ExportType,
    export_cases,
    export_follow_ups,
    export_rows,
    export_students,
    export_types,
)
from srojournal.vault.fsutil import atomic_write

if TYPE_CHECKING:
    from srojournal.vault.repo import Journal
    from srojournal.vault.store import Vault

NOT_ENCRYPTED: Final = (
    "The exported file is NOT encrypted: it holds your notes and students' names in plain text. "
    "Keep it on an encrypted drive, hand it over only as the records request requires, and "
    "delete it when you are done."
)
NOT_CHECKED: Final = (
    "Summaries are checked for names and notes before they leave the vault; this export is not "
    "checked, because it is your journal itself."
)


@dataclass(frozen=True, slots=True)
class ExportCounts:
    contacts: int
    students: int  # distinct students named in the file
    follow_ups: int
    cases: int = 0


def confirm_passphrase(vault: Vault, passphrase: str) -> None:
    """Raise WrongPassphrase unless ``passphrase`` opens this vault now (slow: Argon2id)."""
    from srojournal.vault import keys
    from srojournal.vault.errors import WrongPassphrase

    opened = keys.read_header(vault.folder).open("passphrase", keys.normalize_secret(passphrase))
    current = any(not o.pending for o in opened)  # not the half of an unfinished key change
    for o in opened:
        o.zero()
    if not current:
        raise WrongPassphrase("That is not the current passphrase.")


def find_student(journal: Journal, alias: str, school: str | None = None) -> Student:
    """The one student with this alias (compared as aliases are), optionally at ``school``."""
    key = normalize_alias(alias)
    if not key:
        raise InvalidInput("Give the alias of the student whose records to export.")
    found = [
        s for s in journal.students(alias, include_archived=True) if normalize_alias(s.alias) == key
    ]
    if school is not None:
        school_id = journal.school_id_by_name(school)
        found = [s for s in found if s.school_id == school_id]
    if not found:
        raise InvalidInput("No student has that alias" + (" at that school." if school else "."))
    if len(found) > 1:
        raise InvalidInput(
            f"{len(found)} students at different schools have that alias; name the school too."
        )
    return found[0]


def build_csv(journal: Journal, *, student_id: int | None = None) -> tuple[bytes, ExportCounts]:
    """The export's bytes: UTF-8 with a BOM and CRLF line ends, as spreadsheet programs read."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(EXPORT_COLUMNS)
    rows = _Rows(journal, student_id)
    contacts: Iterable[ExportRow] = export_rows(journal, student_id=student_id)
    if student_id is None:
        types = export_types(journal)
    else:  # a records request: only the types its contacts use
        contacts = list(contacts)
        types = export_types(journal, codes={c.type_code for c in contacts})
    for t in types:
        w.writerow(rows.contact_type(t))
    for s in export_students(journal, student_id=student_id):
        w.writerow(rows.student(s))
    for c in contacts:
        w.writerow(rows.contact(c))
    follow_ups = export_follow_ups(journal, student_id=student_id)
    for f in follow_ups:
        w.writerow(rows.follow_up(f))
    cases = export_cases(journal, student_id=student_id)
    for k in cases:
        w.writerow(rows.case(k))
    data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    return data, ExportCounts(len(rows.refs), len(rows.named), len(follow_ups), len(cases))


class _Rows:
    """Records as rows of ``EXPORT_COLUMNS``, every cell safe for spreadsheets (``protect``).

    Contacts are numbered in the ``ref`` column as they are written; follow-ups and cases point
    at them by that number. In one student's records, other students are numbered instead of
    named, and their aliases are taken out of the texts (``Pseudonyms``).
    """

    def __init__(self, journal: Journal, student_id: int | None) -> None:
        self.student_id = student_id
        self.refs: dict[int, str] = {}  # contact id -> its ref in the file
        self.named: set[int] = set()
        self.others: Pseudonyms | None = None
        if student_id is not None:
            everyone = journal.students(include_archived=True)
            self.others = Pseudonyms(student_id, ((s.id, s.alias) for s in everyone))

    def _row(self, kind: str, cells: dict[str, str]) -> list[str]:
        cells["record"] = kind
        return [protect(cells.get(name, "")) for name in EXPORT_COLUMNS]

    def _text(self, text: str) -> str:
        return text if self.others is None else self.others.text(text)

    def _person(self, student_id: int, alias: str) -> str:
        if self.others is None or student_id == self.student_id:
            self.named.add(student_id)
            return alias
        return self.others.label(student_id)

    def _people(self, people: tuple[ExportPerson, ...], cells: dict[str, str]) -> None:
        """``students``, and ``school`` with ``student_schools`` as a contact row has them."""
        if not people:
            return
        cells["students"] = join_list(self._person(p.student_id, p.alias) for p in people)
        # Another student's school is not said either (in one student's records).
        school = next((p.school for p in people if self._shown(p)), "")
        cells["school"] = school
        schools = ["" if p.school == school or not self._shown(p) else p.school for p in people]
        if any(schools):
            cells["student_schools"] = join_list(schools)

    def _shown(self, p: ExportPerson) -> bool:
        return self.others is None or p.student_id == self.student_id

    def contact_type(self, t: ExportType) -> list[str]:
        return self._row(
            "contact_type",
            {
                "type": t.code,
                "type_label": t.label,
                "type_category": t.category,
                "group_activity": YES if t.group_activity else NO,
                "retired": YES if t.retired else NO,
            },
        )

    def student(self, s: ExportStudentRecord) -> list[str]:
        self.named.add(s.student_id)
        return self._row(
            "student",
            {
                "students": join_list([s.alias]),
                "school": s.school,
                "grades": s.grade or "",
                "notes": self._text(s.notes),
                "archived": YES if s.archived else NO,
            },
        )

    def contact(self, row: ExportRow) -> list[str]:
        ref = self.refs[row.contact_id] = str(len(self.refs) + 1)
        aliases: list[str] = []
        grades: list[str] = []
        roles: list[str] = []
        schools: list[str] = []
        for s in row.students:
            aliases.append(self._person(s.student_id, s.alias))
            shown = self.others is None or s.student_id == self.student_id
            grades.append((s.grade or "") if shown else "")
            schools.append("" if s.school == row.school or not shown else s.school)
            roles.append(s.role)
        return self._row(
            "contact",
            {
                "ref": ref,
                "date": row.occurred_at.date().isoformat(),
                "time": row.occurred_at.strftime("%H:%M"),
                "duration_min": "" if row.duration_min is None else str(row.duration_min),
                "school": row.school,
                "type": row.type_code,
                "students": join_list(aliases),
                "grades": join_list(grades) if any(grades) else "",
                "roles": join_list(roles),
                "student_schools": join_list(schools) if any(schools) else "",
                "initiated_by": row.initiated_by or "",
                "outcome": row.outcome or "",
                "referrals": join_list(row.referrals),
                "notes": self._text(row.notes),
                "tags": join_list(self._text(t) for t in row.tags),
                "attendees": "" if row.attendees is None else str(row.attendees),
                "notes_purged": YES if row.redacted else "",
            },
        )

    def follow_up(self, f: ExportFollowUp) -> list[str]:
        cells = {
            "follow_up": f.due,
            "follow_up_what": self._text(f.what),
            "follow_up_status": f.status,
            "follow_up_done": f.completed_on or "",
            "contacts": self.refs.get(f.source_contact_id or 0, ""),
            "done_contact": self.refs.get(f.done_contact_id or 0, ""),
        }
        self._people(f.students, cells)
        return self._row("follow_up", cells)

    def case(self, k: ExportCase) -> list[str]:
        cells = {
            "date": k.opened_on,
            "case_title": self._text(k.title),
            "case_terms": self._text(k.terms),
            "check_date": k.check_date or "",
            "case_status": k.status,
            # Only contacts in the file: a records request leaves out the other parties' own.
            "contacts": join_list(self.refs[c] for c in k.contact_ids if c in self.refs),
        }
        self._people(k.parties, cells)
        return self._row("case", cells)


def export_to_file(journal: Journal, out: Path, *, student_id: int | None = None) -> ExportCounts:
    """Write the export to ``out`` (0600, atomically) and audit it, or neither."""
    data, counts = build_csv(journal, student_id=student_id)
    out = Path(out)
    written = False
    try:
        with journal.batch():
            journal.audit(
                "journal_exported",
                {
                    "scope": "all" if student_id is None else "one_student",
                    "contacts": counts.contacts,
                    "students": counts.students,
                    "follow_ups": counts.follow_ups,
                    "cases": counts.cases,
                },
            )
            atomic_write(out, data, mode=0o600)
            written = True
    except BaseException:
        if written:  # the audit entry did not commit: the file must not stay either
            out.unlink(missing_ok=True)
        raise
    return counts
