"""Synthetic coded facts of one officer's month, drawn like the demo journal.

The demo journal (:mod:`srojournal.demo`) writes a full vault; simulating a whole program (hundreds
of officers) that way would take minutes. This module draws the same kind of month directly as
:class:`~srojournal.domain.facts.MonthFacts`, with the demo's own weights for contact types,
outcomes, referrals, durations and attendees, and the same shape: a few schools, students seen
with a skewed frequency, weekly mentoring series, conflict cases with two or three parties and
follow-ups that are done on time, late or not at all. It feeds the evidence that contributions
add up (tests and ``make bench``); nothing in the app uses it.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence

from srojournal.demo import (
    _ATTENDEES,
    _DURATION,
    _ENFORCEMENT_REFERRAL,
    _LEVEL_GRADES,
    _LEVEL_WEIGHT,
    _LEVELS,
    _OUTCOME_WEIGHTS,
    _PLAIN_WEIGHTS,
    _REFERRAL_WEIGHTS,
)
from srojournal.domain import taxonomy
from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact

_TYPES = {t.code: t for t in taxonomy.BUILTIN_CONTACT_TYPES}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Officer:
    def __init__(self, rng: random.Random, officer: int) -> None:
        self.rng = rng
        n_schools = rng.choice((1, 1, 2, 2, 3, 3, 4))
        self.schools: list[str] = []
        self.levels: list[str] = []
        self.pool: list[list[int]] = []
        self.cum: list[list[float]] = []
        sid = officer * 100_000
        for i in range(n_schools):
            level = _LEVELS[(officer + i) % 3]
            self.schools.append(f"School {i + 1}")
            self.levels.append(level)
            size = int(rng.randint(80, 300) * _LEVEL_WEIGHT[level])
            self.pool.append(list(range(sid, sid + size)))
            sid += size
            # Skewed: a few students are seen much more often than most (as in the demo).
            self.cum.append(list(itertools.accumulate(1.0 / (r + 1) ** 0.7 for r in range(size))))
        self.school_cum = list(itertools.accumulate(_LEVEL_WEIGHT[lv] for lv in self.levels))
        self.grades: dict[int, str | None] = {}
        self.contacts: list[ContactFact] = []
        self.follow_ups: list[FollowUpFact] = []
        self._ids = itertools.count(1)

    def school(self) -> int:
        return bisect.bisect_left(self.school_cum, self.rng.random() * self.school_cum[-1])

    def student(self, school: int) -> StudentFact:
        cum = self.cum[school]
        i = min(bisect.bisect_left(cum, self.rng.random() * cum[-1]), len(cum) - 1)
        sid = self.pool[school][i]
        if sid not in self.grades:
            grade = self.rng.choice(_LEVEL_GRADES[self.levels[school]])
            self.grades[sid] = None if self.rng.random() < 0.02 else grade
        return StudentFact(sid, taxonomy.grade_band(self.grades[sid]))

    def students(self, school: int, n: int) -> tuple[StudentFact, ...]:
        chosen: dict[int, StudentFact] = {}
        for _ in range(n * 6):
            s = self.student(school)
            chosen.setdefault(s.student_id, s)
            if len(chosen) == n:
                break
        return tuple(sorted(chosen.values(), key=lambda s: s.student_id))

    def duration(self, code: str) -> int:
        lo, hi = _DURATION[code]
        return self.rng.randrange(lo, hi + 1, 5) if hi - lo >= 5 else lo

    def referrals(self, code: str, outcome: str) -> tuple[str, ...]:
        rng = self.rng
        if outcome in _ENFORCEMENT_REFERRAL and rng.random() < 0.6:
            return (_ENFORCEMENT_REFERRAL[outcome],)
        if outcome != "referred":
            return ()
        weights = _REFERRAL_WEIGHTS.get(code, _REFERRAL_WEIGHTS["default"])
        first = _pick(rng, weights)
        if rng.random() < 0.15:
            second = _pick(rng, _REFERRAL_WEIGHTS["default"])
            if second != first:
                return tuple(sorted((first, second)))
        return (first,)

    def add(
        self,
        code: str,
        school: int,
        students: tuple[StudentFact, ...],
        outcome: str | None,
        referrals: tuple[str, ...] = (),
        attendees: int = 0,
    ) -> None:
        t = _TYPES[code]
        self.contacts.append(
            ContactFact(
                next(self._ids),
                self.schools[school],
                code,
                t.category,
                taxonomy.outcome_group(outcome),
                self.duration(code),
                students,
                referrals,
                attendees,
                t.group_activity,
            )
        )
        if outcome == "follow_up_scheduled" and students:
            self.follow_up(tuple(s.student_id for s in students))

    def follow_up(self, ids: tuple[int, ...]) -> None:
        r = self.rng.random()
        status = (
            "done_on_time"
            if r < 0.62
            else "done_late"
            if r < 0.86
            else "cancelled"
            if r < 0.92
            else "open"
        )
        self.follow_ups.append(FollowUpFact(len(self.follow_ups) + 1, status, ids))

    def month(self, volume: float) -> None:
        rng = self.rng
        # Mentoring series: one student, weekly-ish sessions.
        for _ in range(round(rng.randint(2, 8) * volume)):
            school = self.school()
            who = (self.student(school),)
            for i in range(rng.randint(1, 4)):
                code = "mentoring" if i == 0 or rng.random() < 0.7 else "mentoring_followup"
                outcome = (
                    "follow_up_scheduled"
                    if rng.random() < 0.8
                    else _pick(rng, {"resolved": 70, "referred": 20, "parent_notified": 10})
                )
                refs = (
                    (_pick(rng, {"counselor": 2, "community_mentoring": 1}),)
                    if outcome == "referred"
                    else ()
                )
                self.add(code, school, who, outcome, refs)
        # Conflict cases: two or three parties, a mediation, sometimes more.
        for _ in range(round(rng.randint(0, 4) * volume)):
            school = self.school()
            parties = self.students(school, 3 if rng.random() < 0.1 else 2)
            if rng.random() < 0.3:
                self.add("deescalation", school, parties, _pick(rng, {"resolved": 3, "warning": 1}))
            agreement = _pick(
                rng, {"agreement_reached": 60, "agreement_partial": 25, "no_agreement": 15}
            )
            refs = ("restorative_program",) if agreement == "no_agreement" else ()
            self.add("mediation", school, parties, agreement, refs)
            if rng.random() < 0.5:
                held = _pick(rng, {"agreement_held": 70, "agreement_broken": 30})
                self.add("restorative", school, parties, held)
        # Plain one-off contacts and group activities.
        for _ in range(round(rng.randint(40, 140) * volume)):
            code = _pick(rng, _PLAIN_WEIGHTS)
            school = self.school()
            group = code in _ATTENDEES
            result: str | None = _pick(rng, _OUTCOME_WEIGHTS["group" if group else code])
            if group and rng.random() < 0.45:
                result = None
            plain_refs = self.referrals(code, result or "")
            students: tuple[StudentFact, ...] = ()
            attendees = 0
            if group:
                lo, hi = _ATTENDEES[code]
                attendees = rng.randint(lo, hi)
            elif code != "staff_consult" or rng.random() < 0.6:
                n, r = 1, rng.random()
                if code in ("relationship", "deescalation", "investigation") and r < 0.2:
                    n = 2 if r < 0.15 else 3
                students = self.students(school, n)
            self.add(code, school, students, result, plain_refs, attendees)


def officer_month(seed: int, officer: int, period: str = "2025-10") -> MonthFacts:
    """One synthetic officer's month (deterministic for a seed and officer number)."""
    rng = random.Random(f"{seed}:{officer}")
    o = _Officer(rng, officer)
    o.month(volume=rng.uniform(0.6, 1.4))
    return MonthFacts(period, tuple(o.contacts), tuple(o.follow_ups), tuple(o.schools))


def program_months(seed: int, officers: int, period: str = "2025-10") -> Sequence[MonthFacts]:
    """``officers`` synthetic officers' months of the same period."""
    return [officer_month(seed, i, period) for i in range(officers)]
