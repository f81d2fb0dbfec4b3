"""The private basis of a release: the coded facts it was computed from, kept inside the vault.

The gate needs them to model what a reader knows about earlier releases — which of their hidden
cells are non-empty, which records changed since — and a revision needs them to see what changed.
They never leave the vault: codes, school names and opaque student ids only (no notes, aliases or
dates), zlib-compressed JSON.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact

from .errors import ReportRejected

VERSION = 1


_HEAD = attrgetter("contact_id", "school", "contact_type", "category", "outcome_group")


def _month_doc(f: MonthFacts) -> dict[str, Any]:
    # Tuples are written as JSON arrays, like lists.
    return {
        "schools": f.schools,
        "contacts": [
            (
                *_HEAD(c),
                c.duration_min,
                [(s.student_id, s.grade_band) for s in c.students],
                c.referrals,
                c.attendees,
                c.group_activity,
            )
            for c in f.contacts
        ],
        "follow_ups": [(u.follow_up_id, u.status, u.student_ids) for u in f.follow_ups],
    }


def _dumps(doc: object) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


class Interner:
    """One object per distinct month of facts, across the bases of many releases.

    Releases made from the same facts store the same month; decoding them to one shared object
    lets everything derived from it (its tables, the reader's unknowns) be computed once. It
    also remembers each month's JSON text, which the new release's basis is written from.
    """

    def __init__(self) -> None:
        self._by_text: dict[tuple[str, str], MonthFacts] = {}
        self._text: dict[int, tuple[MonthFacts, str]] = {}
        self._texts: dict[str, list[str]] = {}  # the texts known for each month

    def add(self, facts: MonthFacts) -> MonthFacts:
        """Register facts read from the journal; returns the shared object for their content."""
        text = _dumps(_month_doc(facts))
        shared = self._register(facts.period, text, facts)
        self._text[id(shared)] = (shared, text)
        return shared

    def _register(self, month: str, text: str, facts: MonthFacts) -> MonthFacts:
        shared = self._by_text.get((month, text))
        if shared is None:
            shared = self._by_text[(month, text)] = facts
            self._texts.setdefault(month, []).append(text)
        return shared

    def known(self, month: str, text: str, at: int) -> tuple[MonthFacts, int] | None:
        """A month whose JSON text stands in ``text`` at ``at``, and where that text ends."""
        for candidate in self._texts.get(month, ()):
            if text.startswith(candidate, at):
                return self._by_text[(month, candidate)], at + len(candidate)
        return None

    def text(self, facts: MonthFacts) -> str:
        """The JSON text of a month's facts (as its basis stores them)."""
        known = self._text.get(id(facts))
        if known is not None and known[0] is facts:
            return known[1]
        return _dumps(_month_doc(facts))

    def get(self, month: str, doc: object) -> MonthFacts:
        text = _dumps(doc)
        facts = self._by_text.get((month, text))
        if facts is None:
            facts = self._register(month, text, _decode_month(month, doc))
        return facts


def encode_basis(
    months: Mapping[str, MonthFacts],
    sequence: int | None = None,
    interner: Interner | None = None,
) -> bytes:
    """The basis of a release; ``sequence`` orders it among the vault's releases (the clock
    only has seconds, and the facts of a month in two releases must be read in the order they
    were taken). The same bytes as ``{"version": …, "months": {…}, "sequence": …}`` written in
    one go; each month's text comes from ``interner`` when it has it."""
    texts = interner or Interner()
    body = ",".join(f"{_dumps(m)}:{texts.text(f)}" for m, f in sorted(months.items()))
    tail = "" if sequence is None else f',"sequence":{_dumps(sequence)}'
    text = f'{{"version":{VERSION},"months":{{{body}}}{tail}}}'
    # Level 1: a third of the time of level 6, for bases about 40 % larger (a few hundred
    # kilobytes a school year, inside the vault).
    return zlib.compress(text.encode("utf-8"), 1)


def _decode_month(m: str, f: Any) -> MonthFacts:
    contacts = tuple(
        ContactFact(
            int(c[0]),
            str(c[1]),
            str(c[2]),
            str(c[3]),
            str(c[4]),
            int(c[5]),
            tuple(StudentFact(int(s[0]), str(s[1])) for s in c[6]),
            tuple(str(r) for r in c[7]),
            int(c[8]),
            bool(c[9]),
        )
        for c in f["contacts"]
    )
    follow_ups = tuple(
        FollowUpFact(int(u[0]), str(u[1]), tuple(int(i) for i in u[2])) for u in f["follow_ups"]
    )
    return MonthFacts(str(m), contacts, follow_ups, tuple(map(str, f["schools"])))


@dataclass(frozen=True, slots=True)
class Basis:
    months: dict[str, MonthFacts]
    sequence: int | None  # None for a basis stored before releases were numbered in sequence


_BASIS_HEAD = f'{{"version":{VERSION},"months":{{'
_MONTH_KEY = re.compile(r'"(\d{4}-\d{2})":')
_TAIL = re.compile(r'\}(?:,"sequence":(0|[1-9]\d*))?\}')


def _decode_known(text: str, interner: Interner) -> Basis | None:
    """The basis without parsing it, when it is in the form :func:`encode_basis` writes and
    every month in it is one the interner holds, byte for byte (most bases of a school year
    hold the same months as the journal today); None otherwise."""
    if not text.startswith(_BASIS_HEAD):
        return None
    at = len(_BASIS_HEAD)
    months: dict[str, MonthFacts] = {}
    while True:
        key = _MONTH_KEY.match(text, at)
        if key is None:
            return None
        # A month's text is a JSON object: if a known one starts here, it is the whole value.
        found = interner.known(key.group(1), text, key.end())
        if found is None:
            return None
        months[key.group(1)], at = found
        if not text.startswith(",", at):
            break
        at += 1
    tail = _TAIL.fullmatch(text, at)
    if tail is None:
        return None
    return Basis(months, None if tail.group(1) is None else int(tail.group(1)))


def decode_basis(data: bytes, interner: Interner | None = None) -> Basis:
    interner = interner or Interner()
    try:
        text = zlib.decompress(data).decode("utf-8")
        known = _decode_known(text, interner)
        if known is not None:
            return known
        doc: Any = json.loads(text)
        if doc["version"] != VERSION:
            raise ValueError
        months = {str(m): interner.get(str(m), f) for m, f in doc["months"].items()}
        sequence = doc.get("sequence")
        return Basis(months, None if sequence is None else int(sequence))
    except (ValueError, KeyError, TypeError, IndexError, zlib.error):
        raise ReportRejected("the stored basis of a release cannot be read back") from None
