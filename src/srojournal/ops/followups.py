"""Follow-ups: add, complete (logging the follow-up contact in the same step), reschedule,
cancel; and the contact an officer would log when completing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from srojournal.domain.errors import UserError
from srojournal.domain.models import ContactInput, ContactStudent, FollowUp
from srojournal.ops.cases import case_checks
from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal

FOLLOW_UP_TYPE: Final = "mentoring_followup"


@dataclass(frozen=True, slots=True)
class NewFollowUp:
    due: dt.date
    what: str
    student_ids: tuple[int, ...] = ()


def add_follow_up(journal: Journal, follow_up: NewFollowUp) -> Done[int]:
    fid = journal.add_follow_up(follow_up.due, follow_up.what.strip(), follow_up.student_ids)
    return Done(fid, Change.FOLLOW_UPS)


def follow_up_contact(
    journal: Journal, f: FollowUp, today: dt.date, now: dt.datetime
) -> ContactInput | None:
    """The follow-up contact an officer would log: same students, today at ``now`` (to the
    minute: the moment it is logged), the students' school (else the school of the contact that
    created it, else the last used, else the first); None when there is no school yet."""
    school: int | None = None
    if f.student_ids:
        school = journal.student(f.student_ids[0]).school_id
    elif f.source_contact_id is not None:
        try:
            school = journal.contact(f.source_contact_id).school_id
        except UserError:
            school = None
    if school is None:
        school = journal.last_used()[0]
    if school is None:
        schools = journal.schools()
        school = schools[0].id if schools else None
    if school is None:
        return None
    return ContactInput(
        occurred_at=dt.datetime.combine(today, dt.time(now.hour, now.minute)),
        school_id=school,
        type_code=FOLLOW_UP_TYPE,
        students=tuple(ContactStudent(s) for s in f.student_ids),
        initiated_by="sro",
        notes=f.what,
    )


def complete_follow_up(
    journal: Journal, follow_up_id: int, on: dt.date, log_contact: ContactInput | None = None
) -> Done[int | None]:
    """Mark done; with ``log_contact``, log that contact in the same transaction (its id)."""
    contact_id = journal.complete_follow_up(follow_up_id, on, log_contact=log_contact)
    changes = Change.FOLLOW_UPS | (Change.CONTACTS if contact_id is not None else Change.NONE)
    return Done(contact_id, changes)


def reschedule_follow_up(journal: Journal, follow_up_id: int, due: dt.date) -> Done[None]:
    journal.reschedule_follow_up(follow_up_id, due)
    return Done(None, Change.FOLLOW_UPS)


def cancel_follow_up(journal: Journal, follow_up_id: int) -> Done[None]:
    journal.cancel_follow_up(follow_up_id)
    return Done(None, Change.FOLLOW_UPS)


def overdue_count(journal: Journal, today: dt.date) -> int:
    """Open follow-ups and agreement checks due before today (the sidebar's badge)."""
    late_checks = sum(1 for c in case_checks(journal) if c.check_date and c.check_date < today)
    return journal.overdue_count(today) + late_checks
