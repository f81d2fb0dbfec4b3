"""Other students in one student's records: "Other student 1", "Other student 2", …

A records request hands one student's records over (to the student, a parent, a court). Other
students who took part in the same contacts, follow-ups and cases are not named there: each one
gets a number, the same number everywhere in the file. Where a text the officer wrote (a note, a
case's title or terms, a follow-up, a tag) spells another student's alias, the alias is replaced
by that student's number too.

An alias is found as whole words (so "Sam" is not found inside "Samuel"), ignoring case, width
and spacing as aliases are compared ("sam  r" is "Sam R"); one of two characters only with the
case it is written in (initials such as "JD", not the word "jd"), and one of a single character
not at all (it would take every "a" and "I"). The student's own alias is never replaced, even
where another student has the same alias at another school. A nickname or a misspelling the
officer used instead of the alias is not found: the officer reads the file before handing it
over (docs/cli.md says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from srojournal.domain.text import normalize_alias

OTHER_STUDENT: Final = "Other student"
_WORD: Final = re.compile(r"\w+")
_EDGES: Final = re.compile(r"^\W+|\W+$")
_CASE_SENSITIVE_UP_TO: Final = 2  # characters: initials are found only as written


def _key(alias: str) -> str:
    return _EDGES.sub("", normalize_alias(alias))


class Pseudonyms:
    """Numbers for the students other than ``subject_id``, and texts with their aliases replaced.

    ``students`` is every student of the journal as ``(id, alias)``: an alias in a note may be
    that of a student who shares no record with the subject.
    """

    def __init__(self, subject_id: int, students: Iterable[tuple[int, str]]) -> None:
        self.subject_id = subject_id
        self.labels: dict[int, str] = {}
        everyone = list(students)
        own = {_key(alias) for sid, alias in everyone if sid == subject_id}
        self._ids: dict[str, list[int]] = {}
        self._spelled: dict[str, set[str]] = {}  # short keys -> the aliases as written
        self._max_words = 1
        for sid, alias in everyone:
            key = _key(alias)
            if sid == subject_id or key in own or len(key) < _CASE_SENSITIVE_UP_TO:
                continue
            self._ids.setdefault(key, []).append(sid)
            if len(key) <= _CASE_SENSITIVE_UP_TO:
                self._spelled.setdefault(key, set()).add(_EDGES.sub("", alias.strip()))
            self._max_words = max(self._max_words, len(_WORD.findall(key)))

    def label(self, student_id: int) -> str:
        """The student's number in this file ("Other student 3"), given in order of first use."""
        found = self.labels.get(student_id)
        if found is None:
            found = self.labels[student_id] = f"{OTHER_STUDENT} {len(self.labels) + 1}"
        return found

    def text(self, text: str) -> str:
        """``text`` with every other student's alias replaced by their number."""
        if not self._ids or not text:
            return text
        words = list(_WORD.finditer(text))
        out: list[str] = []
        pos = i = 0
        while i < len(words):
            start = words[i].start()
            for n in range(min(self._max_words, len(words) - i), 0, -1):
                end = words[i + n - 1].end()
                span = text[start:end]
                key = normalize_alias(span)
                ids = self._ids.get(key)
                if ids is None or (key in self._spelled and span not in self._spelled[key]):
                    continue
                out += (text[pos:start], self.label(self._pick(ids)))
                pos = end
                i += n
                break
            else:
                i += 1
        out.append(text[pos:])
        return "".join(out)

    def _pick(self, ids: list[int]) -> int:
        """Of students with the same alias (at different schools), one already numbered."""
        for sid in ids:
            if sid in self.labels:
                return sid
        return ids[0]
