"""The officer's own export: the journal (or one student's records) as CSV in the import format.

This is the one path by which notes and names leave the vault unencrypted, on purpose: to move
to another tool, or to answer a records request. So it is deliberate and visible:

- the passphrase is entered again first (the command line asks for it to open the vault; the
  app asks again, see ``confirm_passphrase``);
- the officer is told the file is not encrypted (``NOT_ENCRYPTED``), and that the checks that
  guard summaries (suppression, leak check) do not apply to it (``NOT_CHECKED``);
- the file is written atomically with mode 0600 (readable by the officer's account only);
- the audit log records that an export happened, its scope and its size, never its content.

For one student's records the other students of shared contacts are not named: they appear as
"Other student 1", "Other student 2"… (notes may still mention them: the officer reads the file
before handing it over). Exporting everything and importing the file into a new vault gives the
same contacts, students and follow-ups (docs/cli.md lists what the format does not carry).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from srojournal.domain.models import Student
from srojournal.domain.text import normalize_alias
from srojournal.importing.journal_csv import COLUMNS, join_list, protect
from srojournal.vault.errors import InvalidInput
from srojournal.vault.export_rows import ExportRow, export_rows
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
OTHER_STUDENT: Final = "Other student"


@dataclass(frozen=True, slots=True)
class ExportCounts:
    contacts: int
    students: int  # distinct students named in the file
    follow_ups: int


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
    w.writerow(COLUMNS)
    others: dict[int, str] = {}
    named: set[int] = set()
    contacts = follow_ups = 0
    for row in export_rows(journal, student_id=student_id):
        w.writerow([protect(v) for v in _cells(row, student_id, others, named)])
        contacts += 1
        follow_ups += len(row.follow_ups)
    data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    return data, ExportCounts(contacts, len(named), follow_ups)


def _cells(
    row: ExportRow, student_id: int | None, others: dict[int, str], named: set[int]
) -> list[str]:
    aliases: list[str] = []
    grades: list[str] = []
    roles: list[str] = []
    schools: list[str] = []
    for s in row.students:
        if student_id is not None and s.student_id != student_id:
            # Another student in one student's records: not named.
            label = others.setdefault(s.student_id, f"{OTHER_STUDENT} {len(others) + 1}")
            aliases.append(label)
            grades.append("")
            schools.append("")
        else:
            named.add(s.student_id)
            aliases.append(s.alias)
            grades.append(s.grade or "")
            schools.append("" if s.school == row.school else s.school)
        roles.append(s.role)
    fus = row.follow_ups
    return [
        row.occurred_at.date().isoformat(),
        row.occurred_at.strftime("%H:%M"),
        "" if row.duration_min is None else str(row.duration_min),
        row.school,
        row.type_code,
        join_list(aliases),
        join_list(grades) if any(grades) else "",
        join_list(roles),
        join_list(schools) if any(schools) else "",
        row.initiated_by or "",
        row.outcome or "",
        join_list(row.referrals),
        join_list(f.due for f in fus),
        join_list(f.what for f in fus) if any(f.what for f in fus) else "",
        join_list(f.status for f in fus),
        join_list(f.completed_on or "" for f in fus) if any(f.completed_on for f in fus) else "",
        row.notes,
        join_list(row.tags),
        "" if row.attendees is None else str(row.attendees),
    ]


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
                },
            )
            atomic_write(out, data, mode=0o600)
            written = True
    except BaseException:
        if written:  # the audit entry did not commit: the file must not stay either
            out.unlink(missing_ok=True)
        raise
    return counts
