"""Conflict cases: open one, save its edits, record an agreement check, link a contact.

The rules (a title, at least two parties, a known status) are those of ``domain/cases.py``,
so the window and any other caller apply the same ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from srojournal.domain import cases
from srojournal.domain.entries import default_minutes
from srojournal.domain.errors import InvalidInput, UserError
from srojournal.domain.models import ConflictCase, ContactInput, ContactStudent
from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal

CASE_CONTACT_TYPE = "mediation"


@dataclass(frozen=True, slots=True)
class NewCase:
    title: str
    party_ids: tuple[int, ...]
    opened_on: dt.date
    terms: str = ""
    check_date: dt.date | None = None


def open_case(journal: Journal, case: NewCase) -> Done[int]:
    case_id = journal.add_conflict_case(
        cases.checked_title(case.title),
        cases.checked_parties(case.party_ids),
        terms=case.terms,
        opened_on=case.opened_on,
        check_date=case.check_date,
    )
    return Done(case_id, Change.CASES)


def save_case(
    journal: Journal,
    case_id: int,
    *,
    title: str,
    terms: str,
    status: str,
    check_date: dt.date | None,
) -> Done[None]:
    """Save the edited fields of a case; ``check_date=None`` clears the check date."""
    with journal.batch():
        journal.update_conflict_case(
            case_id,
            title=cases.checked_title(title),
            terms=terms,
            check_date=check_date,
            status=cases.checked_status(status),
        )
        if check_date is None:
            journal.clear_case_check_date(case_id)
    return Done(None, Change.CASES)


def record_agreement_check(
    journal: Journal, case_id: int, status: str, next_check: dt.date | None = None
) -> Done[None]:
    """The outcome of a check on the agreement (held, broken, closed), and the next check."""
    case = journal.conflict_case(case_id)
    return save_case(
        journal,
        case_id,
        title=case.title,
        terms=case.terms,
        status=status,
        check_date=next_check,
    )


def link_contact(journal: Journal, case_id: int, contact_id: int) -> Done[None]:
    journal.link_contact_to_case(case_id, contact_id)
    return Done(None, Change.CASES)


def case_school(journal: Journal, case: ConflictCase) -> int | None:
    """Where a contact about the case happens: the first party's school (else the last used,
    else the first school); None when there is no school yet."""
    if case.party_ids:
        return journal.student(case.party_ids[0]).school_id
    school = journal.last_used()[0]
    if school is None:
        schools = journal.schools()
        school = schools[0].id if schools else None
    return school


def case_contact_type(journal: Journal, case: ConflictCase) -> str:
    """The type of a new contact about the case: that of its latest conflict contact, else
    a mediation."""
    latest: tuple[dt.datetime, str] | None = None
    for cid in case.contact_ids:
        try:
            c = journal.contact(cid)
        except UserError:
            continue
        if journal.contact_type(c.type_code).category == "conflict" and (
            latest is None or c.occurred_at > latest[0]
        ):
            latest = (c.occurred_at, c.type_code)
    return latest[1] if latest is not None else CASE_CONTACT_TYPE


def case_contact(journal: Journal, case: ConflictCase, at: dt.datetime) -> ContactInput | None:
    """The contact an officer logs about a case: its parties, its school, its kind of contact,
    and the minutes such a contact usually takes; None when there is no school yet."""
    school = case_school(journal, case)
    if school is None:
        return None
    type_code = case_contact_type(journal, case)
    return ContactInput(
        occurred_at=at.replace(second=0, microsecond=0),
        school_id=school,
        type_code=type_code,
        students=tuple(ContactStudent(p, "party") for p in case.party_ids),
        duration_min=default_minutes(journal.contact_type(type_code)),
        initiated_by="sro",
    )


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """The outcome of checking on an agreement, and the contact that check was."""

    held: bool
    at: dt.datetime
    notes: str = ""
    duration_min: int | None = None
    next_check: dt.date | None = None


def record_check(journal: Journal, case_id: int, check: CheckRecord) -> Done[int]:
    """Record a check on a case's agreement in one step: the contact is logged with the parties
    (outcome "agreement held" or "broken") and linked to the case, the case takes the status
    and its check date moves to ``next_check`` (None clears it). Returns the contact id."""
    case = journal.conflict_case(case_id)
    contact = case_contact(journal, case, check.at)
    if contact is None:
        raise InvalidInput("Add a school first: a check is logged as a contact at a school.")
    held_text = "held" if check.held else "was broken"
    notes = check.notes.strip() or f"Checked on the agreement: it {held_text}."
    with journal.batch():
        contact_id = journal.add_contact(
            dataclasses.replace(
                contact,
                outcome=cases.check_outcome(check.held),
                notes=notes,
                duration_min=(
                    check.duration_min if check.duration_min is not None else contact.duration_min
                ),
            )
        )
        journal.link_contact_to_case(case_id, contact_id)
        save_case(
            journal,
            case_id,
            title=case.title,
            terms=case.terms,
            status="held" if check.held else "broken",
            check_date=check.next_check,
        )
    return Done(contact_id, Change.CONTACTS | Change.CASES | Change.FOLLOW_UPS)


def reschedule_check(journal: Journal, case_id: int, day: dt.date | None) -> Done[None]:
    """Move a case's check date (None: no further check)."""
    case = journal.conflict_case(case_id)
    save_case(
        journal, case_id, title=case.title, terms=case.terms, status=case.status, check_date=day
    )
    return Done(None, Change.CASES | Change.FOLLOW_UPS)


def case_checks(journal: Journal) -> list[ConflictCase]:
    """Cases whose agreement waits for a check, soonest first: they are listed with the
    follow-ups (``Journal.cases_due_for_check`` says which)."""
    due = journal.cases_due_for_check()
    return sorted(due, key=lambda c: (c.check_date or dt.date.max, c.id))
