"""A journal's records by what they say, to compare two vaults (ids differ between them)."""

from __future__ import annotations


def journal_records(j) -> tuple[list, list]:
    """Contacts and their follow-ups by what they say (ids differ between vaults)."""
    schools = {s.id: s.name for s in j.schools(include_inactive=True)}
    students = {s.id: s for s in j.students(include_archived=True)}
    by_source: dict[int, list] = {}
    for f in j.follow_ups(status=None):
        if f.source_contact_id is not None:
            aliases = tuple(sorted(students[s].alias for s in f.student_ids))
            by_source.setdefault(f.source_contact_id, []).append(
                (f.due, f.what, f.status, f.completed_on, aliases)
            )
    rows = sorted(j.list_contacts(limit=100_000), key=lambda r: (r.occurred_at, r.id))
    contacts = []
    for r in rows:
        c = j.contact(r.id)
        contacts.append(
            (
                c.occurred_at,
                c.duration_min,
                schools[c.school_id],
                c.type_code,
                tuple(
                    (
                        students[s.student_id].alias,
                        schools[students[s.student_id].school_id],
                        s.role,
                        s.grade,
                    )
                    for s in c.students
                ),
                c.initiated_by,
                c.outcome,
                c.referrals,
                c.tags,
                c.notes,
                c.attendees,
                tuple(by_source.get(c.id, [])),
            )
        )
    named = sorted(
        {(s[0], s[1]) for c in contacts for s in c[4]}  # students seen in contacts
    )
    return contacts, named
