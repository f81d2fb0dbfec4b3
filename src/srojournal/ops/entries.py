"""Journal entries: save (new or edited, with its school, follow-up and case links), delete,
and put a deleted entry back (undo)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from srojournal.domain.models import Contact, ContactInput
from srojournal.domain.validation import clean_label
from srojournal.ops.changes import Change, Done
from srojournal.vault.repo import Journal


@dataclass(frozen=True, slots=True)
class FollowUpRequest:
    due: dt.date
    what: str


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What the officer asks to save.

    ``school_name``, when given, names the school (matched without regard to case, created when
    new) and replaces ``contact.school_id``. ``draft_name`` is the stored draft of this entry,
    deleted in the same transaction as the save.
    """

    contact: ContactInput
    contact_id: int | None = None
    school_name: str = ""
    follow_up: FollowUpRequest | None = None
    case_ids: tuple[int, ...] = ()
    draft_name: str | None = None


@dataclass(frozen=True, slots=True)
class DeletedEntry:
    contact: Contact
    case_ids: tuple[int, ...]


def resolve_school(journal: Journal, name: str) -> tuple[int, bool]:
    """The id of the school with this name (any case), creating it when new; and whether it was."""
    name = clean_label(name, "School name")
    for s in journal.schools(include_inactive=True):
        if s.name.lower() == name.lower():
            return s.id, False
    return journal.add_school(name), True


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
            changes |= Change.CASES
        if draft.draft_name is not None:
            journal.delete_draft(draft.draft_name)
    return Done(contact_id, changes)


def delete_entry(journal: Journal, contact_id: int) -> Done[DeletedEntry]:
    """Delete an entry; the result holds what :func:`restore_entry` needs to put it back."""
    with journal.batch():
        case_ids = tuple(c.id for c in journal.conflict_cases() if contact_id in c.contact_ids)
        contact = journal.delete_contact(contact_id)
    changes = Change.CONTACTS | (Change.CASES if case_ids else Change.NONE)
    return Done(DeletedEntry(contact, case_ids), changes)


def restore_entry(journal: Journal, deleted: DeletedEntry) -> Done[int]:
    """Put a deleted entry back with its id and its case links."""
    with journal.batch():
        contact_id = journal.restore_contact(deleted.contact)
        for case_id in deleted.case_ids:
            journal.link_contact_to_case(case_id, contact_id)
    changes = Change.CONTACTS | (Change.CASES if deleted.case_ids else Change.NONE)
    return Done(contact_id, changes)
