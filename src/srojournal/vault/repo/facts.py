"""The coded facts of a month: all that a summary may see (no notes, no aliases, no days)."""

from __future__ import annotations

import datetime as dt

from srojournal.domain import taxonomy
from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.domain.followups import completion_state
from srojournal.vault.repo.core import parse_ts
from srojournal.vault.repo.releases import period_bounds
from srojournal.vault.repo.schools import SchoolsAndTypes


def _by_student_id(fact: StudentFact) -> int:
    return fact.student_id


class Facts(SchoolsAndTypes):
    def first_entry_day(self) -> dt.date | None:
        """The day of the earliest contact (None for an empty journal): no summary period
        before it has anything to show."""
        row = self.conn.execute("SELECT min(occurred_at) FROM contacts").fetchone()
        return None if row is None or row[0] is None else parse_ts(str(row[0])).date()

    def month_facts(self, period: str) -> MonthFacts:
        start, end = period_bounds(period)
        c = self.conn
        types = self._types()
        # One StudentFact per (student, grade band) and one band per grade string: a month has
        # thousands of student-contacts but few distinct values.
        bands: dict[str | None, str] = {}
        facts: dict[tuple[int, str], StudentFact] = {}
        students: dict[int, list[StudentFact]] = {}
        for cid, sid, grade in c.execute(
            "SELECT cs.contact_id, cs.student_id, cs.grade FROM contact_students cs"
            " JOIN contacts c ON c.id = cs.contact_id"
            " WHERE c.occurred_at >= ? AND c.occurred_at < ?",
            (start, end),
        ):
            band = bands.get(grade)
            if band is None:
                band = bands[grade] = taxonomy.grade_band(grade)
            fact = facts.get((sid, band))
            if fact is None:
                fact = facts[(sid, band)] = StudentFact(int(sid), band)
            students.setdefault(cid, []).append(fact)
        referrals: dict[int, list[str]] = {}
        for cid, target in c.execute(
            "SELECT r.contact_id, r.target FROM contact_referrals r"
            " JOIN contacts c ON c.id = r.contact_id"
            " WHERE c.occurred_at >= ? AND c.occurred_at < ?",
            (start, end),
        ):
            referrals.setdefault(cid, []).append(str(target))
        groups: dict[str | None, str] = {}
        schools = {sid: name for sid, name in c.execute("SELECT id, name FROM schools")}
        contacts = []
        for cid, school_id, type_code, outcome, duration, attendees in c.execute(
            "SELECT id, school_id, type_code, outcome, duration_min, attendees FROM contacts"
            " WHERE occurred_at >= ? AND occurred_at < ? ORDER BY id",
            (start, end),
        ):
            t = types[type_code]
            group = groups.get(outcome)
            if group is None:
                group = groups[outcome] = taxonomy.outcome_group(outcome)
            who = students.get(cid, ())
            if len(who) > 1:
                who.sort(key=_by_student_id)
            refs = referrals.get(cid, ())
            if len(refs) > 1:
                refs.sort()
            contacts.append(
                ContactFact(
                    int(cid),
                    str(schools[school_id]),
                    str(type_code),
                    t.category,
                    group,
                    int(duration or 0),
                    tuple(who),
                    tuple(refs),
                    int(attendees or 0),
                    t.group_activity,
                )
            )
        fstudents: dict[int, list[int]] = {}
        for fid, sid in c.execute(
            "SELECT fs.follow_up_id, fs.student_id FROM follow_up_students fs"
            " JOIN follow_ups f ON f.id = fs.follow_up_id WHERE f.due_date >= ? AND f.due_date < ?",
            (start, end),
        ):
            fstudents.setdefault(fid, []).append(int(sid))
        follow_ups = []
        for fid, due, status, completed in c.execute(
            "SELECT id, due_date, status, completed_on FROM follow_ups"
            " WHERE due_date >= ? AND due_date < ? ORDER BY id",
            (start, end),
        ):
            state = completion_state(
                str(status),
                dt.date.fromisoformat(due),
                dt.date.fromisoformat(completed) if completed else None,
            )
            follow_ups.append(FollowUpFact(int(fid), state, tuple(sorted(fstudents.get(fid, [])))))
        # Every school of the list except those merged into another (their contacts are the
        # other school's now): retired schools keep their rows, merged ones have none left.
        listed = self.conn.execute(
            "SELECT name FROM schools WHERE merged_into IS NULL ORDER BY name COLLATE NOCASE"
        ).fetchall()
        return MonthFacts(
            period=period,
            contacts=tuple(contacts),
            follow_ups=tuple(follow_ups),
            schools=tuple(str(r[0]) for r in listed),
        )
