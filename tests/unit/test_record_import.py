"""A file of records (the officer's export): every kind of row read back, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from srojournal.importing import csv_source
from srojournal.vault import importer
from srojournal.vault.importer import ImportRejected, import_csv
from srojournal.vault.store import Vault

HEADER = (
    "record,ref,date,time,school,type,students,student_schools,notes,archived,grades,"
    "follow_up,follow_up_what,follow_up_status,follow_up_done,contacts,done_contact,"
    "case_title,case_terms,case_status,check_date,type_label,type_category,group_activity,"
    "retired\n"
)


def _counts(vault: Vault) -> tuple[int, ...]:
    j = vault.journal
    c = j.counts()
    return (c.contacts, c.students, c.follow_ups, len(j.conflict_cases()), len(j.contact_types()))


def test_rows_may_come_in_any_order(vault: Vault) -> None:
    """A follow-up before its contact, a contact before the custom type it uses."""
    text = HEADER + (
        "follow_up,,,,Lincoln,,Ann;Bo,Oak;,,,,2026-03-09,Call home,done,2026-03-10,c7,c8,,,,,,,,\n"
        "case,,2026-03-02,,Lincoln,,Ann;Bo,Oak;,,,,,,,,c7;c8,,Ann and Bo,Stay apart,Broken,"
        "2026-04-01,,,,\n"
        "contact,c7,2026-03-02,09:30,Lincoln,walk_talk,Ann;Bo,Oak;,Met,,10;,,,,,,,,,,,,,,\n"
        "contact,c8,2026-03-10,10:00,Lincoln,walk_talk,Bo,,,,,,,,,,,,,,,,,,\n"
        "Student,,,,Oak,,Ann,,Her own notes,Yes,11,,,,,,,,,,,,,,\n"
        "Contact type,,,,,walk_talk,,,,,,,,,,,,,,,,Walk and talk,Relationship,no,yes\n"
    )
    result = import_csv(vault.journal, text, add_schools=True)
    assert (result.contacts, result.students, result.follow_ups, result.cases) == (2, 1, 1, 1)
    assert result.contact_types == 1 and result.new_students == 2
    j = vault.journal
    walk = j.contact_type("walk_talk")
    assert (walk.label, walk.category, walk.retired, walk.group_activity) == (
        "Walk and talk",
        "relationship",
        True,
        False,
    )
    schools = {s.name: s.id for s in j.schools()}
    ann = j.student_by_alias(schools["Oak"], "ann")
    bo = j.student_by_alias(schools["Lincoln"], "BO")
    assert ann is not None and bo is not None
    assert (ann.notes, ann.archived, ann.grade) == ("Her own notes", True, "11")
    first, second = sorted(j.list_contacts(), key=lambda r: r.occurred_at)
    met = j.contact(first.id)
    assert [(s.student_id, s.grade) for s in met.students] == [(ann.id, "10"), (bo.id, None)]
    [f] = j.follow_ups(status=None)
    assert (f.due, f.what, f.status, f.completed_on) == (
        dt.date(2026, 3, 9),
        "Call home",
        "done",
        dt.date(2026, 3, 10),
    )
    assert (f.source_contact_id, f.done_contact_id) == (first.id, second.id)
    assert set(f.student_ids) == {ann.id, bo.id}
    [case] = j.conflict_cases()
    assert (case.title, case.terms, case.status, case.check_date) == (
        "Ann and Bo",
        "Stay apart",
        "broken",
        dt.date(2026, 4, 1),
    )
    assert set(case.party_ids) == {ann.id, bo.id}
    assert set(case.contact_ids) == {first.id, second.id}
    [entry] = [e for e in j.audit_entries() if e.action == "import"]
    assert "Ann" not in entry.detail and "Stay apart" not in entry.detail


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(vault: Vault) -> None:
    vault.journal.add_school("Lincoln")
    before = _counts(vault)
    text = HEADER + (
        "contact,1,2026-03-02,09:30,Lincoln,mentoring,Ann,,,,,,,,,,,,,,,,,,\n"  # line 2: fine
        "student,,,,Lincoln,,Ann;Bo,,,,,,,,,,,,,,,,,,\n"  # 3: two students
        "follow_up,,,,Lincoln,,Ann,,,,,2026-03-09,,open,,99,,,,,,,,,\n"  # 4: no contact 99
        "contact,1,2026-03-03,09:30,Lincoln,mentoring,Ann,,,,,,,,,,,,,,,,,,\n"  # 5: same ref
        "case,,2026-03-02,,Lincoln,,Ann;Bo,,,,,,,,,,,T,,maybe,,,,,\n"  # 6: status
        "contact_type,,,,,mentoring,,,,,,,,,,,,,,,,Mentor,safety,,\n"  # 7: other category
        "stuff,,2026-03-02,,Lincoln,mentoring,,,,,,,,,,,,,,,,,,,\n"  # 8: no such kind
        "student,,,,Lincoln,,Cy,,,maybe,,,,,,,,,,,,,,,\n"  # 9: archived yes or no
        "follow_up,,,,Lincoln,,Ann,,,,,,,,,,,,,,,,,,\n"  # 10: no due date
    )
    with pytest.raises(ImportRejected) as caught:
        import_csv(vault.journal, text)
    errors = [str(e) for e in caught.value.errors]
    assert [e.line for e in caught.value.errors] == [3, 4, 5, 6, 7, 8, 9, 10], errors
    assert "one student" in errors[0]
    assert "no contact row has the reference '99'" in errors[1]
    assert "line 2 has the same reference" in errors[2]
    assert "case_status: must be open, held, broken, closed" in errors[3]
    assert "in the category mentoring, not safety" in errors[4]
    assert "'stuff' is not a kind of record" in errors[5]
    assert "archived: must be yes or no" in errors[6]
    assert "the due date is required" in errors[7]
    assert _counts(vault) == before


def test_a_spreadsheet_with_record_like_columns_of_its_own_imports_as_before(
    vault: Vault,
) -> None:
    """A "Record" column of numbers is not ours; without it the export's columns are not read."""
    vault.journal.add_school("Lincoln")
    text = (
        "Date,Type,School,Record,Archived,Case title,Students\n"
        "2026-03-02,mentoring,Lincoln,1041,yes,Something,Ann\n"
        "2026-03-03,mentoring,Lincoln,1042,no,Else,Bo\n"
    )
    table = csv_source.read_text(text, "sheet.csv")
    p = importer.preview(vault.journal, table)
    assert p.ok and not p.records and p.contacts == 2
    assert "Not imported (no field chosen): 'Record', 'Archived', 'Case title'" in p.notes
    importer.import_preview(vault.journal, p, file_name="sheet.csv")
    assert not any(s.archived for s in vault.journal.students(include_archived=True))


def test_student_rows_add_to_a_vault_that_has_the_student(vault: Vault) -> None:
    """The vault's own record stays: private notes the file adds are appended, never replace."""
    j = vault.journal
    school = j.add_school("Lincoln")
    ann = j.add_student("Ann", school, "9", "Seen by the counselor")
    j.set_student_archived(ann, True)
    text = HEADER + "student,,,,Lincoln,,ANN,,Moved to Oak in May,no,10,,,,,,,,,,,,,,\n"
    import_csv(j, text)
    s = j.student(ann)
    assert (s.notes, s.archived, s.grade) == (
        "Seen by the counselor\n\nMoved to Oak in May",
        True,
        "10",
    )
    import_csv(j, text)  # the same file again adds nothing new
    assert j.student(ann).notes == "Seen by the counselor\n\nMoved to Oak in May"
    assert len(j.students(include_archived=True)) == 1
