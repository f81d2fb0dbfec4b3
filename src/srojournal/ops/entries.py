"""Journal entries: save (new or edited, with its school, new students, follow-up, case links
and a new conflict case), delete, and put a deleted entry back (undo) with everything it had."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from srojournal.domain import cases
from srojournal.domain.models import Contact, ContactInput, ContactStudent
from srojournal.domain.validation import checked_grade, clean_label
from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal


@dataclass(frozen=True, slots=True)
class FollowUpRequest:
    due: dt.date
    what: str


@dataclass(frozen=True, slots=True)
class EntryStudent:
    """A student of the entry: a known one (``student_id``), or a new one typed in the entry
    (``alias`` and ``grade``), created in the entry's school when it is saved."""

    student_id: int | None
    role: str = "participant"
    alias: str = ""
    grade: str | None = None


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """Open a conflict case with the entry's parties and agreement terms when it is saved."""

    check_date: dt.date | None = None
    title: str = ""  # empty: the parties' aliases


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What the officer asks to save.

    ``school_name``, when given, names the school (matched without regard to case, created when
    new) and replaces ``contact.school_id``. ``students``, when given, replaces
    ``contact.students`` and may hold new students. ``agreement`` is the terms the parties agreed
    to: they go to the case opened (``new_case``) or the cases the entry belongs to
    (``case_ids``); with neither, they are kept at the end of the notes. ``draft_name`` is the
    stored draft of this entry, deleted in the same transaction as the save.
    """

    contact: ContactInput
    contact_id: int | None = None
    school_name: str = ""
    follow_up: FollowUpRequest | None = None
    case_ids: tuple[int, ...] = ()
    draft_name: str | None = None
    students: tuple[EntryStudent, ...] | None = None
    agreement: str = ""
    new_case: CaseRequest | None = None


@dataclass(frozen=True, slots=True)
class DeletedEntry:
    contact: Contact
    case_ids: tuple[int, ...]
    # Follow-ups that pointed at the entry: (follow-up id, "source" | "done").
    follow_up_links: tuple[tuple[int, str], ...] = ()


AGREEMENT_PREFIX = "Agreement: "


def resolve_school(journal: Journal, name: str) -> tuple[int, bool]:
    """The id of the school with this name (any case), creating it when new; and whether it was."""
    name = clean_label(name, "School name")
    for s in journal.schools(include_inactive=True):
        if s.name.lower() == name.lower():
            return s.id, False
    return journal.add_school(name), True


def _students(
    journal: Journal, school_id: int, wanted: tuple[EntryStudent, ...]
) -> tuple[tuple[ContactStudent, ...], bool]:
    """The entry's students with new ones created in its school; and whether any was created."""
    out: list[ContactStudent] = []
    created = False
    for s in wanted:
        sid = s.student_id
        if sid is None:
            alias = clean_label(s.alias, "Alias")
            grade = checked_grade(s.grade)
            existing = journal.student_by_alias(school_id, alias)
            if existing is not None:
                sid = existing.id
            else:
                sid = journal.add_student(alias, school_id, grade)
                created = True
        if all(cs.student_id != sid for cs in out):
            out.append(ContactStudent(sid, s.role))
    return tuple(out), created


def save_entry(journal: Journal, draft: EntryDraft) -> Done[int]:
    """Save one entry in one transaction; returns its contact id."""
    changes = Change.CONTACTS
    with journal.batch():
        data = draft.contact
        if draft.school_name.strip():
            school_id, created = resolve_school(journal, draft.school_name)
            data = dataclasses.replace(data, school_id=school_id)
            if created:
                changes |= Change.SCHOOLS
        if draft.students is not None:
            students, created = _students(journal, data.school_id, draft.students)
            data = dataclasses.replace(data, students=students)
            if created:
                changes |= Change.STUDENTS
        terms = draft.agreement.strip()
        if terms and draft.new_case is None and not draft.case_ids:
            # No case to hold the terms: they stay with the entry, at the end of its notes.
            data = dataclasses.replace(
                data, notes="\n\n".join(x for x in (data.notes, AGREEMENT_PREFIX + terms) if x)
            )
        if draft.contact_id is None:
            contact_id = journal.add_contact(data)
        else:
            contact_id = draft.contact_id
            journal.update_contact(contact_id, data)
        if draft.follow_up is not None:
            journal.add_follow_up(
                draft.follow_up.due,
                draft.follow_up.what,
                [s.student_id for s in data.students],
                source_contact_id=contact_id,
            )
            changes |= Change.FOLLOW_UPS
        for case_id in draft.case_ids:
            journal.link_contact_to_case(case_id, contact_id)
            if terms and journal.conflict_case(case_id).terms != terms:
                journal.update_conflict_case(case_id, terms=terms)
            changes |= Change.CASES
        if draft.new_case is not None:
            parties = [s.student_id for s in data.students if s.role == "party"]
            aliases = [journal.student(p).alias for p in parties]
            journal.add_conflict_case(
                cases.checked_title(draft.new_case.title or cases.title_for(aliases)),
                cases.checked_parties(parties),
                terms=terms,
                opened_on=data.occurred_at.date(),
                check_date=draft.new_case.check_date,
                contact_ids=(contact_id,),
            )
            changes |= Change.CASES | Change.FOLLOW_UPS
        if draft.draft_name is not None:
            journal.delete_draft(draft.draft_name)
    return Done(contact_id, changes)


def delete_entry(journal: Journal, contact_id: int) -> Done[DeletedEntry]:
    """Delete an entry; the result holds what :func:`restore_entry` needs to put it back:
    the entry itself (students, referrals, tags), its case links and its follow-up links."""
    with journal.batch():
        case_ids = tuple(c.id for c in journal.conflict_cases() if contact_id in c.contact_ids)
        links = journal.follow_up_links(contact_id)
        contact = journal.delete_contact(contact_id)
    changes = (
        Change.CONTACTS
        | (Change.CASES if case_ids else Change.NONE)
        | (Change.FOLLOW_UPS if links else Change.NONE)
    )
    return Done(DeletedEntry(contact, case_ids, links), changes)


def restore_entry(journal: Journal, deleted: DeletedEntry) -> Done[int]:
    """Put a deleted entry back with its id, its case links and its follow-up links; the
    result is its id (a new one if an entry saved since took the old one)."""
    with journal.batch():
        contact_id = journal.restore_contact(deleted.contact)
        for case_id in deleted.case_ids:
            journal.link_contact_to_case(case_id, contact_id)
        for follow_up_id, link in deleted.follow_up_links:
            journal.relink_follow_up(follow_up_id, link, contact_id)
    changes = (
        Change.CONTACTS
        | (Change.CASES if deleted.case_ids else Change.NONE)
        | (Change.FOLLOW_UPS if deleted.follow_up_links else Change.NONE)
    )
    return Done(contact_id, changes)
