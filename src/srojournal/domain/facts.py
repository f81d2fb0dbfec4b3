"""The coded facts of one month: all that the monthly summary may ever see.

No notes, no aliases, no dates finer than the month. Student ids are opaque integers that only
serve to count *distinct* students per cell; they never leave the reporting layer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StudentFact:
    student_id: int
    grade_band: str  # elementary | middle | high | unknown


@dataclass(frozen=True, slots=True)
class ContactFact:
    contact_id: int
    school: str  # the officer's configured school name
    contact_type: str  # type code (built-in or custom)
    category: str
    outcome_group: str  # an OUTCOME_GROUPS value, or "none"
    duration_min: int  # 0 when not recorded
    students: tuple[StudentFact, ...]
    referrals: tuple[str, ...]
    attendees: int  # 0 when not recorded
    group_activity: bool  # a lesson, training, drill or event (T6)


@dataclass(frozen=True, slots=True)
class FollowUpFact:
    follow_up_id: int
    status: str  # done_on_time | done_late | open | cancelled
    student_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MonthFacts:
    period: str  # YYYY-MM
    contacts: tuple[ContactFact, ...]
    follow_ups: tuple[FollowUpFact, ...]  # follow-ups due in the month
    schools: tuple[str, ...]  # every configured school name (allow-list for labels)
