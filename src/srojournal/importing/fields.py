"""Our import fields and the header names spreadsheets use for them.

A header matches a field when its normalised text (NFKC, case folded, every run of punctuation
and spaces made one space) is the field's name or one of its synonyms. Matching is exact on that
normal form: "Student(s)", "STUDENT S" and "student_s" are the same header, but "Student notes"
is not "Students". The officer confirms or changes the result before anything is imported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the column name of our own format (docs/cli.md)
    label: str  # what the import wizard calls it
    synonyms: tuple[str, ...] = ()
    required: bool = False


FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "date",
        "Date",
        ("contact date", "date of contact", "day", "when", "date time", "timestamp", "datetime"),
        required=True,
    ),
    Field("time", "Time", ("time in", "start time", "start", "time of contact", "contact time")),
    Field(
        "duration_min",
        "Duration (minutes)",
        ("duration", "minutes", "mins", "min", "length", "time spent", "duration minutes"),
    ),
    Field("school", "School", ("school name", "campus", "building", "site")),
    Field(
        "type",
        "Contact type",
        ("contact type", "type of contact", "activity", "kind", "contact kind", "activity type"),
        required=True,
    ),
    Field(
        "students",
        "Students",
        (
            *("student", "student s", "name", "names", "student name", "student names"),
            *("alias", "aliases", "initials", "student initials", "juvenile", "juveniles"),
        ),
    ),
    Field("grades", "Grades", ("grade", "grade s", "grade level", "grade levels", "gr")),
    Field("roles", "Student roles", ("role", "role s", "student role", "student roles")),
    Field("student_schools", "Students' schools", ("student school", "student schools")),
    Field(
        "initiated_by",
        "Initiated by",
        ("initiated", "initiator", "who initiated", "requested by", "initiated by who"),
    ),
    Field(
        "outcome",
        "Outcome",
        ("result", "results", "disposition", "resolution", "action taken", "outcome result"),
    ),
    Field(
        "referrals",
        "Referrals",
        ("referral", "referral s", "referred to", "referrals made", "referred"),
    ),
    Field(
        "follow_up",
        "Follow-up due",
        ("follow up date", "follow up due", "next follow up", "followup", "follow up by"),
    ),
    Field("follow_up_what", "Follow-up: what", ("follow up task", "follow up note")),
    Field("follow_up_status", "Follow-up: status", ()),
    Field("follow_up_done", "Follow-up: done on", ("follow up completed", "follow up done date")),
    Field(
        "notes",
        "Notes",
        ("note", "narrative", "comments", "comment", "details", "description", "summary"),
    ),
    Field("tags", "Tags", ("tag", "labels", "keywords")),
    Field(
        "attendees",
        "Attendees",
        ("attendance", "head count", "headcount", "number attending", "number of students"),
    ),
)
# The fields of the officer's export (docs/cli.md, "Export"): ``record`` says what a row holds.
# The others are read only from a file that has a ``record`` column, so that a spreadsheet of
# contacts with, say, an "Archived" column imports exactly as before.
RECORD: Final = "record"
RECORD_FIELDS: Final[tuple[Field, ...]] = (
    Field(RECORD, "Kind of record", ("record kind", "kind of record")),
    Field("ref", "Contact reference"),
    Field("notes_purged", "Notes purged"),
    Field("archived", "Student archived"),
    Field("contacts", "Linked contacts"),
    Field("done_contact", "Follow-up: done by contact"),
    Field("case_title", "Case: title"),
    Field("case_terms", "Case: agreement terms"),
    Field("case_status", "Case: status"),
    Field("check_date", "Case: check date"),
    Field("type_label", "Contact type: label"),
    Field("type_category", "Contact type: category"),
    Field("group_activity", "Contact type: group activity"),
    Field("retired", "Contact type: retired"),
)
ALL_FIELDS: Final = FIELDS + RECORD_FIELDS
FIELD_BY_NAME: Final = {f.name: f for f in ALL_FIELDS}
FIELD_NAMES: Final = tuple(f.name for f in ALL_FIELDS)
RECORD_ONLY: Final = frozenset(f.name for f in RECORD_FIELDS if f.name != RECORD)
REQUIRED: Final = tuple(f.name for f in FIELDS if f.required)

_NON_WORD: Final = re.compile(r"[\W_]+")


def normalize_header(text: str) -> str:
    """'Student(s)' -> 'student s'; '# of students' -> 'number of students'."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("#", " number ")
    return _NON_WORD.sub(" ", folded).strip()


def _synonym_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in ALL_FIELDS:
        for name in (f.name, f.label, *f.synonyms):
            key = normalize_header(name)
            if table.setdefault(key, f.name) != f.name:
                raise AssertionError(f"header {key!r} names two fields")
    return table


_SYNONYMS: Final = _synonym_table()


def field_for_header(header: str) -> str | None:
    return _SYNONYMS.get(normalize_header(header))


def guess_columns(header: Sequence[str]) -> dict[str, int]:
    """Our field -> the index of the first column whose header names it."""
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        name = field_for_header(h)
        if name is not None and name not in found:
            found[name] = i
    return found


def header_score(cells: Sequence[object]) -> int:
    """How many cells of a row name a field: picks the header row under a title row."""
    return sum(1 for c in cells if isinstance(c, str) and field_for_header(c) is not None)


def fields_for(chosen: Iterable[str]) -> tuple[Field, ...]:
    """The fields a column can be read as: the export's own only for a file with ``record``."""
    return ALL_FIELDS if RECORD in chosen else FIELDS
