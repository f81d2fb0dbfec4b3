"""A journal's records by what they say, to compare two vaults field by field (ids differ).

Contacts are identified by their place in time order (then id order, which an import keeps), so
that follow-ups and cases can say which contacts they point at.
"""

from __future__ import annotations

from typing import Any


def journal_records(j) -> dict[str, list[Any]]:
    """Every record the officer wrote: custom contact types, students, contacts, follow-ups and
    conflict cases, each as a tuple of its fields, students named by (alias, school)."""
    schools = {s.id: s.name for s in j.schools(include_inactive=True)}
    students = {s.id: s for s in j.students(include_archived=True)}

    def who(student_id: int) -> tuple[str, str]:
        s = students[student_id]
        return s.alias, schools[s.school_id]

    rows = sorted(j.list_contacts(limit=1_000_000), key=lambda r: (r.occurred_at, r.id))
    place = {r.id: n for n, r in enumerate(rows)}
    contacts = []
    for r in rows:
        c = j.contact(r.id)
        contacts.append(
            (
                c.occurred_at,
                c.duration_min,
                schools[c.school_id],
                c.type_code,
                tuple((*who(s.student_id), s.role, s.grade) for s in c.students),
                c.initiated_by,
                c.outcome,
                c.referrals,
                c.tags,
                c.notes,
                c.attendees,
                c.redacted,
            )
        )
    follow_ups = sorted(
        (
            f.due,
            f.what,
            f.status,
            f.completed_on,
            tuple(sorted(who(s) for s in f.student_ids)),
            place.get(f.source_contact_id, -1) if f.source_contact_id else None,
            place.get(f.done_contact_id, -1) if f.done_contact_id else None,
        )
        for f in j.follow_ups(status=None)
    )
    cases = sorted(
        (
            k.title,
            k.terms,
            k.opened_on,
            k.check_date,
            k.status,
            tuple(sorted(who(s) for s in k.party_ids)),
            tuple(sorted(place[c] for c in k.contact_ids)),
        )
        for k in j.conflict_cases()
    )
    return {
        "contact_types": sorted(
            (t.code, t.label, t.category, t.triad_role, t.retired, t.group_activity)
            for t in j.contact_types()
            if not t.builtin
        ),
        "students": sorted(
            (s.alias, schools[s.school_id], s.grade, s.notes, s.archived) for s in students.values()
        ),
        "contacts": contacts,
        "follow_ups": follow_ups,
        "cases": cases,
    }


def assert_same_records(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    """Field by field, kind by kind, so a failure names the first record that differs."""
    assert after.keys() == before.keys()
    for kind in before:
        assert len(after[kind]) == len(before[kind]), kind
        for n, (a, b) in enumerate(zip(before[kind], after[kind], strict=True)):
            assert b == a, f"{kind} #{n} differs"


# Aliases of the students ``add_every_kind`` adds; the records request is about SUBJECT.
SUBJECT = "Quinn Subject"
PARTY = "Zephyr Other"
FORMULA = "=Dash;Semi\\colon"
NO_CONTACT = "Wren Nocontact"


def add_every_kind(j) -> dict[str, int]:
    """Records of every kind and shape the export must carry, added to a journal that has a
    school: custom contact types (one retired, one unused), an archived student with private
    notes that start with "=" and no contact, a contact whose student has no grade recorded
    while the student has one now, a contact whose notes were purged, follow-ups with and
    without a contact (open, done by a logged contact, cancelled), and a conflict case with
    parties, terms, a check logged as a contact and a next check date. Returns student ids."""
    import datetime as dt

    from srojournal.domain.models import ContactInput, ContactStudent
    from srojournal.ops.cases import CheckRecord, NewCase, open_case, record_check

    school = j.schools()[0].id
    other_school = j.schools()[-1].id
    j.add_contact_type("bus_duty", "Bus duty", "safety", group_activity=True)
    j.add_contact_type("lunch_club", "Lunch club", "relationship")
    j.add_contact_type("unused_kind", "Never used", "education")
    subject = j.add_student(SUBJECT, school, "8", "=1+1 private: asked for a mentor")
    party = j.add_student(PARTY, other_school, "9", "Other party's private notes")
    odd = j.add_student(FORMULA, school, "7")
    lonely = j.add_student(NO_CONTACT, school, None, "=SUM(A1:A9) no contact yet")
    j.set_student_archived(lonely, True)
    no_grade = j.add_student("Nograde Kid", school, None)
    first = j.add_contact(
        ContactInput(
            dt.datetime(2024, 1, 8, 8, 5),
            school,
            "lunch_club",
            students=(ContactStudent(no_grade, "participant"),),
            notes="Purged later",
        )
    )
    j.update_student(no_grade, grade="6")  # a grade now, none recorded with that contact
    j.purge_notes_before(dt.date(2024, 1, 9))
    assert j.contact(first).redacted
    mediation = j.add_contact(
        ContactInput(
            dt.datetime(2026, 1, 5, 7, 45),
            school,
            "mediation",
            students=(
                ContactStudent(subject, "party", "8"),
                ContactStudent(party, "party"),
                ContactStudent(odd, "participant"),
            ),
            notes=f'=HYPERLINK("x") {PARTY} and {SUBJECT} met\r\n- second line\n\'quoted',
            tags=("a;b", "+plus", f"with {PARTY}"),
            referrals=("counselor", "juvenile_court"),
            initiated_by="staff",
            outcome="agreement_reached",
            duration_min=40,
        )
    )
    j.add_contact(
        ContactInput(
            dt.datetime(2026, 1, 6, 12, 0),
            school,
            "bus_duty",
            attendees=45,
            notes="Bus loop",
        )
    )
    j.set_type_retired("lunch_club", True)
    j.add_follow_up(dt.date(2026, 1, 9), "", [subject, party], source_contact_id=mediation)
    j.add_follow_up(dt.date(2026, 2, 1), f"Call {PARTY}'s parent", [subject, party])
    cancelled = j.add_follow_up(dt.date(2026, 2, 2), "Cancelled one", [odd])
    j.cancel_follow_up(cancelled)
    done = j.add_follow_up(dt.date(2026, 1, 20), "Check in", [subject])
    j.complete_follow_up(
        done,
        dt.date(2026, 1, 21),
        log_contact=ContactInput(
            dt.datetime(2026, 1, 21, 10, 30),
            school,
            "mentoring_followup",
            students=(ContactStudent(subject, "participant"),),
            notes="Checked in as promised",
        ),
    )
    case = open_case(
        j,
        NewCase(
            f"{SUBJECT} and {PARTY}",
            (subject, party),
            dt.date(2026, 1, 5),
            terms=f"{PARTY} keeps away from {SUBJECT}'s locker",
            check_date=dt.date(2026, 1, 12),
        ),
    ).value
    j.link_contact_to_case(case, mediation)
    record_check(
        j, case, CheckRecord(True, dt.datetime(2026, 1, 12, 9, 0), next_check=dt.date(2026, 2, 12))
    )
    return {"subject": subject, "party": party, "odd": odd, "lonely": lonely}
