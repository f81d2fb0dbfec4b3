"""Hand-made month facts for the reporting tests."""

from __future__ import annotations

import random
from collections.abc import Sequence

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES, OUTCOME_GROUPS

TYPE_BY_CODE = {t.code: t for t in BUILTIN_CONTACT_TYPES}
SCHOOLS = ("Lincoln High", "Washington Middle")


class FactsBuilder:
    def __init__(self, period: str = "2026-03", schools: Sequence[str] = SCHOOLS) -> None:
        self.period = period
        self.schools = tuple(schools)
        self.contacts: list[ContactFact] = []
        self.follow_ups: list[FollowUpFact] = []

    def contact(
        self,
        type_code: str = "mentoring",
        students: Sequence[int] = (),
        *,
        outcome_group: str = "resolved",
        school: str | None = None,
        band: str = "high",
        referrals: Sequence[str] = (),
        duration: int = 30,
        attendees: int = 0,
        times: int = 1,
    ) -> FactsBuilder:
        t = TYPE_BY_CODE[type_code]
        for _ in range(times):
            self.contacts.append(
                ContactFact(
                    contact_id=len(self.contacts) + 1,
                    school=school or self.schools[0],
                    contact_type=type_code,
                    category=t.category,
                    outcome_group=outcome_group,
                    duration_min=duration,
                    students=tuple(StudentFact(s, band) for s in students),
                    referrals=tuple(referrals),
                    attendees=attendees,
                    group_activity=t.group_activity,
                )
            )
        return self

    def follow_up(self, status: str, students: Sequence[int]) -> FactsBuilder:
        self.follow_ups.append(FollowUpFact(len(self.follow_ups) + 1, status, tuple(students)))
        return self

    def build(self) -> MonthFacts:
        return MonthFacts(self.period, tuple(self.contacts), tuple(self.follow_ups), self.schools)


def random_facts(seed: int, n_contacts: int = 120, n_students: int = 40) -> MonthFacts:
    """A plausible random month (used by smoke and performance tests)."""
    rng = random.Random(seed)
    b = FactsBuilder()
    codes = list(TYPE_BY_CODE)
    groups = [*OUTCOME_GROUPS, "none"]
    bands = ("elementary", "middle", "high", "unknown")
    band_of = {s: rng.choice(bands) for s in range(1, n_students + 1)}
    for _ in range(n_contacts):
        code = rng.choice(codes)
        t = TYPE_BY_CODE[code]
        studs = (
            []
            if t.group_activity and rng.random() < 0.7
            else rng.sample(range(1, n_students + 1), rng.choice((0, 1, 1, 1, 2, 3)))
        )
        group = rng.choice(groups)
        refs = rng.sample(["counselor", "nurse", "social_worker"], rng.choice((0, 0, 0, 1)))
        b.contacts.append(
            ContactFact(
                contact_id=len(b.contacts) + 1,
                school=rng.choice(b.schools),
                contact_type=code,
                category=t.category,
                outcome_group=group,
                duration_min=rng.choice((0, 15, 30, 45, 60)),
                students=tuple(StudentFact(s, band_of[s]) for s in studs),
                referrals=tuple(refs),
                attendees=rng.randint(5, 30) if t.group_activity else 0,
                group_activity=t.group_activity,
            )
        )
    for i in range(rng.randint(0, 30)):
        status = rng.choice(("done_on_time", "done_late", "open", "cancelled"))
        b.follow_ups.append(FollowUpFact(i + 1, status, (rng.randint(1, n_students),)))
    return b.build()
