"""The journal's own CSV format: the columns, list cells, and text made safe for spreadsheets.

Shared by the import (which reads it, and maps other files onto it) and the officer's export
(which writes it), so that an export imports back into the same records. docs/cli.md documents
the format.

- A plain file has one contact per row (``COLUMNS``). The officer's export adds a ``record``
  column that says what each row holds (``RECORD_KINDS``: a contact, a custom contact type, a
  student, a follow-up or a conflict case) and the columns those other rows need
  (``EXPORT_COLUMNS``); contact rows keep the columns of a plain file. Follow-up and case rows
  point at contact rows by the contact's ``ref``, a name that is unique in the file.

- Lists (students, grades, roles, referrals, tags, follow-ups) are separated by ``;``. An item
  that holds ``;`` or ``\\`` itself is written with a backslash before it (``A\\;B``).
- A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return) is written with an apostrophe in front, as spreadsheets themselves
  mark text; so is a cell that starts with an apostrophe followed by one of those or by another
  apostrophe. Reading takes exactly that one apostrophe off again, so every text round-trips.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

COLUMNS: Final = (
    "date", "time", "duration_min", "school", "type", "students", "grades", "roles",
    "student_schools", "initiated_by", "outcome", "referrals", "follow_up", "follow_up_what",
    "follow_up_status", "follow_up_done", "notes", "tags", "attendees",
)  # fmt: skip
RECORD_KINDS: Final = ("contact", "contact_type", "student", "follow_up", "case")
# Columns only a file with a ``record`` column uses (see docs/cli.md, "Export").
RECORD_COLUMNS: Final = (
    "notes_purged", "archived", "contacts", "done_contact", "case_title", "case_terms",
    "case_status", "check_date", "type_label", "type_category", "group_activity", "retired",
)  # fmt: skip
EXPORT_COLUMNS: Final = ("record", "ref", *COLUMNS, *RECORD_COLUMNS)
LIST_SEPARATOR: Final = ";"
YES: Final = "yes"
NO: Final = "no"
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_MARK: Final = "'"


def protect(text: str) -> str:
    """The cell as written: a leading formula character is neutralised (reversibly)."""
    if text.startswith(FORMULA_START) or (
        text.startswith(_MARK) and text[1:2] and text[1:2] in (*FORMULA_START, _MARK)
    ):
        return _MARK + text
    return text


def unprotect(text: str) -> str:
    if text.startswith(_MARK) and text[1:2] and text[1:2] in (*FORMULA_START, _MARK):
        return text[1:]
    return text


def join_list(items: Iterable[str], sep: str = LIST_SEPARATOR) -> str:
    return sep.join(i.replace("\\", "\\\\").replace(sep, "\\" + sep) for i in items)


def split_list(text: str, sep: str = LIST_SEPARATOR, *, keep_empty: bool = False) -> list[str]:
    """Items of a list cell, trimmed; ``\\;`` and ``\\\\`` stand for ``;`` and ``\\``."""
    if "\\" not in text:
        parts = [p.strip() for p in text.split(sep)]
    else:
        parts = []
        buf: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and text[i + 1 : i + 1 + len(sep)] == sep:
                buf.append(sep)
                i += 1 + len(sep)
                continue
            if ch == "\\" and text[i + 1 : i + 2] == "\\":
                buf.append("\\")
                i += 2
                continue
            if text.startswith(sep, i):
                parts.append("".join(buf).strip())
                buf = []
                i += len(sep)
                continue
            buf.append(ch)
            i += 1
        parts.append("".join(buf).strip())
    if keep_empty:
        return [] if parts == [""] else parts
    return [p for p in parts if p]
