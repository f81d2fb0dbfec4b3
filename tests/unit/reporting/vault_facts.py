"""Write hand-made month facts into a real vault, so service tests run on real storage."""

from __future__ import annotations

import datetime as dt

from srojournal.domain.facts import MonthFacts
from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.domain.taxonomy import OUTCOMES
from srojournal.vault.repo import Journal

GRADE_FOR_BAND = {"elementary": "3", "middle": "7", "high": "10", "unknown": None}
OUTCOME_FOR_GROUP = {o.group: o.code for o in reversed(OUTCOMES)}  # first code of each group


class FactsWriter:
    """Maps the facts' student ids to vault students (created on first use)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.students: dict[int, int] = {}

    def _school(self, name: str) -> int:
        return self.journal.school_id_by_name(name) or self.journal.add_school(name)

    def _student(self, fact_id: int, school: int, band: str) -> int:
        sid = self.students.get(fact_id)
        if sid is None:
            sid = self.journal.add_student(f"Student {fact_id:04d}", school, GRADE_FOR_BAND[band])
            self.students[fact_id] = sid
        return sid

    def write(self, facts: MonthFacts, *, notes: str = "") -> None:
        year, month = map(int, facts.period.split("-"))
        day = dt.datetime(year, month, 10, 9, 0)
        j = self.journal
        with j.batch():
            for name in facts.schools:
                self._school(name)
            for c in facts.contacts:
                school = self._school(c.school)
                j.add_contact(
                    ContactInput(
                        occurred_at=day,
                        school_id=school,
                        type_code=c.contact_type,
                        students=tuple(
                            ContactStudent(
                                self._student(s.student_id, school, s.grade_band),
                                "participant",
                                GRADE_FOR_BAND[s.grade_band],
                            )
                            for s in c.students
                        ),
                        duration_min=c.duration_min,
                        outcome=OUTCOME_FOR_GROUP.get(c.outcome_group),
                        referrals=c.referrals,
                        attendees=c.attendees or None,
                        notes=notes,
                    )
                )
            due = dt.date(year, month, 15)
            for f in facts.follow_ups:
                school = self._school(facts.schools[0])
                ids = [self._student(s, school, "high") for s in f.student_ids]
                fid = j.add_follow_up(due, "check in", ids)
                if f.status == "done_on_time":
                    j.complete_follow_up(fid, due)
                elif f.status == "done_late":
                    j.complete_follow_up(fid, due + dt.timedelta(days=3))
                elif f.status == "cancelled":
                    j.cancel_follow_up(fid)
