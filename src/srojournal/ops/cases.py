"""Conflict cases: open one, save its edits, record an agreement check, link a contact.

The rules (a title, at least two parties, a known status) are those of ``domain/cases.py``,
so the window and any other caller apply the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from srojournal.domain import cases
from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal


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
