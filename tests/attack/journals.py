"""Journals with known truth: a seeded generator, the CSV import format, and the vault API.

`school_year(seed)` makes one officer's year at three schools the way the demo and the field
look: hallway contacts most days, mentoring series, a few conflicts, lessons and drills without
students, and a thin tail of citations, arrests and sensitive referrals. The same seed gives
the same journal. `write_csv` renders visits in the import format (docs/cli.md); `fill_vault`
writes them through the vault API (faster where a year is needed, and able to complete
follow-ups).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from srojournal.domain.models import ContactInput, ContactStudent
from tests.attack.truth import FollowUp, Visit, student_id

SCHOOLS = {  # name: grades
    "Lincoln Elementary": ("K", "1", "2", "3", "4", "5"),
    "Jefferson Middle School": ("6", "7", "8"),
    "Roosevelt High School": ("9", "10", "11", "12"),
}
FIRST = (
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Eli", "Ivy", "Owen", "Lena", "Jude", "Rosa", "Kai",
    "Nora", "Theo", "Aria", "Milo", "Ella", "Finn", "Lucy", "Omar", "Sana", "Remy", "Tess", "Ben",
)  # fmt: skip
_TEXT = (
    "talked about lunch table seating and the new schedule after the assembly in the gym "
    "worried about a friend at home brother bus ride rumor online group chat locker "
    "teacher asked me to check in grades improving practice tryouts apology hallway"
)
WORDS = _TEXT.split()


@dataclass
class Journal:
    """What the officer recorded, as truth: visits and follow-ups (keys = vault ids)."""

    schools: list[str]
    visits: list[Visit] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


def _pick(rng: random.Random, table: Sequence[tuple[object, float]]) -> object:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


OUTCOMES: dict[str, Sequence[tuple[object, float]]] = {
    "relationship": [("resolved", 50), ("no_action", 25), ("parent_notified", 10),
                     ("follow_up_scheduled", 8), ("referred", 4), (None, 3)],
    "mentoring": [("follow_up_scheduled", 40), ("resolved", 45), ("referred", 10),
                  ("parent_notified", 5)],
    "conflict": [("agreement_reached", 40), ("agreement_partial", 15), ("no_agreement", 10),
                 ("admin_notified", 10), ("warning", 10), ("referred", 8), ("citation", 4),
                 ("diversion", 3)],
    "investigation": [("citation", 20), ("arrest", 8), ("warning", 20), ("diversion", 7),
                      ("admin_notified", 20), ("referred", 10), ("resolved", 15)],
    "welfare_assist": [("referred", 40), ("parent_notified", 40), ("resolved", 20)],
    "threat_assessment": [("referred", 50), ("admin_notified", 30),
                          ("follow_up_scheduled", 20)],
    "group": [(None, 75), ("resolved", 25)],
}  # fmt: skip
REFERRAL_WEIGHTS = [
    ("counselor", 30), ("social_worker", 20), ("nurse", 15), ("crisis_mental_health", 8),
    ("chemical_health", 5), ("child_protection", 5), ("threat_team", 5),
    ("community_mentoring", 5), ("iep_504", 3), ("victim_services", 2),
]  # fmt: skip
TYPES = [  # (type, weight, students per contact)
    ("relationship", 28, (1, 1, 1, 2, 2, 3)), ("student_consult", 8, (1,)),
    ("parent_contact", 4, (1,)), ("staff_consult", 4, (0, 0, 1)),
    ("mentoring", 8, (1,)), ("mentoring_followup", 4, (1,)),
    ("mediation", 5, (2, 2, 2, 3)), ("restorative", 2, (2, 3, 4, 5)),
    ("deescalation", 3, (1, 1, 2)),
    ("classroom", 7, (0,)), ("small_group", 2, (0,)), ("staff_training", 1, (0,)),
    ("community_event", 1, (0,)),
    ("safety_check", 4, (0,)), ("event_duty", 4, (0,)), ("welfare_assist", 3, (1,)),
    ("investigation", 5, (1, 1, 1, 2)), ("threat_assessment", 1, (1,)),
]  # fmt: skip
CATEGORY = {
    "relationship": "relationship", "student_consult": "relationship",
    "parent_contact": "relationship", "staff_consult": "relationship",
    "mentoring": "mentoring", "mentoring_followup": "mentoring", "mediation": "conflict",
    "restorative": "conflict", "deescalation": "conflict",
}  # fmt: skip
ATTENDEES = {
    "classroom": (18, 32), "small_group": (4, 10), "staff_training": (8, 40),
    "community_event": (30, 250), "safety_check": (150, 700), "event_duty": (80, 900),
}  # fmt: skip


def _school_day(d: dt.date) -> bool:
    if d.weekday() >= 5:
        return False
    breaks = [((12, 22), (12, 31)), ((1, 1), (1, 2)), ((3, 16), (3, 20)), ((6, 13), (8, 26))]
    return not any((a <= (d.month, d.day) <= b) for a, b in breaks)


def school_year(seed: int, start_year: int = 2025) -> Journal:
    """One officer's school year (July to June) at three schools; repeatable per seed."""
    rng = random.Random(seed)
    j = Journal(list(SCHOOLS))
    roster: dict[str, list[tuple[str, str]]] = {}
    weights: dict[str, list[float]] = {}
    for school, grades in SCHOOLS.items():
        size = {"Lincoln Elementary": 90, "Jefferson Middle School": 110}.get(school, 150)
        names: set[str] = set()
        while len(names) < size:
            names.add(f"{rng.choice(FIRST)} {rng.choice('ABCDEFGHJKLMNPRSTW')}.")
        roster[school] = [(a, rng.choice(grades)) for a in sorted(names)]
        weights[school] = [1 / (i + 1) ** 0.7 for i in range(size)]  # a few frequent flyers
    day = dt.date(start_year, 7, 1)
    key = 0
    while day < dt.date(start_year + 1, 7, 1):
        per_day = rng.randint(4, 8) if _school_day(day) else (rng.random() < 0.08) * 1
        for _ in range(per_day):
            key += 1
            school = rng.choices(list(SCHOOLS), (3, 3, 4))[0]
            type_, _w, sizes = rng.choices(TYPES, [t[1] for t in TYPES])[0]
            n = rng.choice(sizes)
            kids: list[tuple[str, str]] = []
            while len(kids) < n:
                kid = rng.choices(roster[school], weights[school])[0]
                if kid not in kids:
                    kids.append(kid)
            if type_ in ATTENDEES:
                outcome = _pick(rng, OUTCOMES["group"])
                attendees: int | None = rng.randint(*ATTENDEES[type_])
                minutes = rng.choice((30, 45, 60, 90))
            else:
                table = OUTCOMES.get(type_) or OUTCOMES[CATEGORY[type_]]
                outcome = _pick(rng, table)
                attendees = None
                minutes = rng.choice((5, 10, 15, 20, 30, 45, 60))
            refs = _referrals(rng, outcome)
            follow = None
            if outcome == "follow_up_scheduled" or (n and rng.random() < 0.06):
                follow = day + dt.timedelta(days=rng.randint(3, 14))
            notes = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))
            if kids and rng.random() < 0.3:
                notes = f"{kids[0][0]} {notes}"
            clock = f"{rng.randint(7, 16):02d}:{rng.choice((0, 15, 30, 45)):02d}"
            j.visits.append(
                Visit(
                    key, day, school, type_, tuple(kids), outcome, refs, minutes, attendees,
                    notes.capitalize() + ".", follow, clock,
                )
            )  # fmt: skip
        day += dt.timedelta(days=1)
    return j


def _referrals(rng: random.Random, outcome: object) -> tuple[str, ...]:
    if outcome == "referred":
        first = str(_pick(rng, REFERRAL_WEIGHTS))
        second = str(_pick(rng, REFERRAL_WEIGHTS)) if rng.random() < 0.15 else first
        return tuple(dict.fromkeys((first, second)))
    if outcome == "diversion":
        return ("diversion_program",)
    if outcome in ("arrest", "citation") and rng.random() < (0.6 if outcome == "arrest" else 0.3):
        return ("juvenile_court",)
    return ()


# -- into a vault ---------------------------------------------------------------------------
CSV_COLUMNS = (
    "date", "time", "duration_min", "school", "type", "students", "grades", "outcome",
    "referrals", "follow_up", "notes", "attendees",
)  # fmt: skip


def csv_rows(visits: Iterable[Visit]) -> list[dict[str, str]]:
    return [
        {
            "date": v.day.isoformat(), "time": v.time, "duration_min": str(v.minutes),
            "school": v.school, "type": v.type,
            "students": ";".join(a for a, _g in v.students),
            "grades": ";".join(g or "" for _a, g in v.students),
            "outcome": v.outcome or "", "referrals": ";".join(v.referrals),
            "follow_up": v.follow_up.isoformat() if v.follow_up else "", "notes": v.notes,
            "attendees": "" if v.attendees is None else str(v.attendees),
        }
        for v in visits
    ]  # fmt: skip


def write_csv(
    path: Path, rows: Iterable[dict[str, str]], columns: Sequence[str] = CSV_COLUMNS
) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow(row)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def import_follow_ups(visits: Iterable[Visit], first_key: int = 1) -> list[FollowUp]:
    """The open follow-ups an import of ``visits`` creates (one per row with a date)."""
    return [
        FollowUp(first_key + i, v.follow_up, v.student_ids())
        for i, v in enumerate(v for v in visits if v.follow_up)
    ]


def fill_vault(journal, j: Journal, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Write ``j`` through the vault API; complete or cancel some follow-ups (as an officer)."""
    fill_visits(journal, j, j.visits, seed)


def fill_visits(journal, j: Journal, visits: list[Visit], seed: int) -> None:  # type: ignore[no-untyped-def]
    """Add ``visits`` (late entries too) through the vault API and to the truth ``j``."""
    rng = random.Random(seed)
    school_ids = {name: journal.add_school(name) for name in j.schools}
    students: dict[str, int] = {}
    if visits is not j.visits:
        j.visits.extend(visits)
    with journal.batch():
        for v in visits:
            links = []
            for alias, grade in v.students:
                sid = student_id(v.school, alias)
                if sid not in students:
                    known = journal.student_by_alias(school_ids[v.school], alias)
                    students[sid] = (
                        known.id
                        if known is not None
                        else journal.add_student(alias, school_ids[v.school], grade)
                    )
                role = "party" if CATEGORY.get(v.type) == "conflict" else "participant"
                links.append(ContactStudent(students[sid], role, grade))
            hh, mm = map(int, v.time.split(":"))
            cid = journal.add_contact(
                ContactInput(
                    occurred_at=dt.datetime.combine(v.day, dt.time(hh, mm)),
                    school_id=school_ids[v.school], type_code=v.type, students=tuple(links),
                    duration_min=v.minutes, outcome=v.outcome, referrals=v.referrals,
                    notes=v.notes, attendees=v.attendees,
                )
            )  # fmt: skip
            if v.follow_up is None:
                continue
            ids = [students[student_id(v.school, a)] for a, _g in v.students]
            fid = journal.add_follow_up(v.follow_up, "Check in", ids, source_contact_id=cid)
            status, done = "open", None
            roll = rng.random()
            if roll < 0.65:
                status, done = "done", v.follow_up + dt.timedelta(days=rng.randint(-3, 6))
                journal.complete_follow_up(fid, done)
            elif roll < 0.75:
                status = "cancelled"
                journal.cancel_follow_up(fid)
            j.follow_ups.append(FollowUp(fid, v.follow_up, v.student_ids(), status, done))


def run_cli(*args: object, stdin: str = "") -> tuple[int, str, str]:
    """The real command line, in this process (for many months; the subprocess is slower).

    Except its first step, the process hardening (core dumps off, not dumpable): that cannot be
    undone, and the test runner's own process must stay able to start children with core dumps
    allowed (tests/e2e/test_process_hardening.py checks the hardening in the real entry point).
    """
    import sys
    from unittest import mock

    from srojournal import hardening
    from srojournal.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with (
            redirect_stdout(out),
            redirect_stderr(err),
            mock.patch.object(hardening, "harden_process", lambda: ()),
        ):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse: usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def period_flag(period: str) -> str:
    """The `summary` option for a period: a month, a quarter or a school year."""
    if "Q" in period:
        return "--quarter"
    return "--school-year" if int(period[5:]) > 12 else "--month"
