"""Importing the files officers actually have: spreadsheet CSV dialects and Excel workbooks."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from srojournal.importing import xlsx_source
from srojournal.importing.dates import DateOrder
from srojournal.importing.mapping import Mapping, MappingError
from srojournal.vault import importer
from srojournal.vault.importer import AmbiguousDates, ImportRejected
from srojournal.vault.store import Vault
from tests import spreadsheets as sheets
from tests.conftest import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "import"
HEADER = ("Date", "Time in", "Minutes", "School", "Type of contact", "Student(s)", "Grade")
HEADER += ("Result", "Referral", "Notes")


@pytest.fixture
def journal(vault: Vault):
    j = vault.journal
    j.add_school("Lincoln High")
    j.add_school("Oak Grove")
    return j


def _contacts(j) -> list:
    return sorted((j.contact(r.id) for r in j.list_contacts(limit=1000)), key=lambda c: c.id)


def _import(j, path: Path, **kw) -> importer.ImportResult:
    table = importer.read_file(path)
    return importer.import_table(j, table, **kw)


US_ROWS = [
    HEADER,
    (
        *("11/3/2026", "2:30 PM", "45", "Lincoln High", "Mentoring session", "Sam R", "10"),
        *("Resolved", "School counselor", "Talked about the algebra exam, then lunch"),
    ),
    ("11/13/2026", "9:05 AM", "", "Oak Grove", "classroom", "", "", "", "", "Lesson"),
    (
        *("12/1/2026", "12:15 PM", "1:15", "Lincoln High", "Parent/guardian contact", "Sam R;Bo"),
        *("10;K", "Parent notified", "", 'Said "thanks", left'),
    ),
]


def test_excel_us_csv_with_bom_crlf_us_dates_and_12_hour_times(journal, tmp_path) -> None:
    result = _import(journal, sheets.excel_us_csv(tmp_path / "us.csv", US_ROWS))
    assert (result.contacts, result.new_students, result.new_schools) == (3, 2, [])
    first, second, third = _contacts(journal)
    assert first.occurred_at == dt.datetime(2026, 11, 3, 14, 30)
    assert first.duration_min == 45 and first.type_code == "mentoring"
    assert first.outcome == "resolved" and first.referrals == ("counselor",)
    assert first.notes == "Talked about the algebra exam, then lunch"
    assert second.occurred_at == dt.datetime(2026, 11, 13, 9, 5)
    assert third.occurred_at == dt.datetime(2026, 12, 1, 12, 15)
    assert third.duration_min == 75 and third.notes == 'Said "thanks", left'
    assert [s.grade for s in third.students] == ["10", "K"]


def test_european_excel_csv_semicolons_windows_1252_day_first(journal, tmp_path) -> None:
    rows = [
        ("Datum", "Time", "School", "Type", "Students", "Notes"),
        ("13.11.2026", "14:30", "Lincoln High", "mentoring", "Zoë", "Café talk — résumé"),
        ("2.12.2026", "08:00", "Lincoln High", "mentoring", "Zoë", "naïve"),
    ]
    rows[0] = ("Date", *rows[0][1:])
    path = sheets.excel_european_csv(tmp_path / "eu.csv", rows)
    table = importer.read_file(path)
    p = importer.preview(journal, table)
    assert any("Windows-1252" in n for n in p.notes)
    assert any("semicolons" in n for n in p.notes)
    assert p.ok and p.date_order is DateOrder.DMY
    importer.import_preview(journal, p, file_name=path.name)
    a, b = _contacts(journal)
    assert a.occurred_at == dt.datetime(2026, 11, 13, 14, 30) and a.notes == "Café talk — résumé"
    assert b.occurred_at.date() == dt.date(2026, 12, 2)
    assert journal.student(a.students[0].student_id).alias == "Zoë"


def test_libreoffice_google_and_unicode_text_dialects(journal, tmp_path) -> None:
    rows = [
        ("date", "time", "school", "type", "students", "notes"),
        ("2026-03-02", "09:30", "Lincoln High", "mentoring", "JD", "multi\nline note"),
    ]
    google = [
        ("Timestamp", "School", "Type of contact", "Name", "Comments"),
        ("3/2/2026 14:30:05", "Lincoln High", "mentoring", "JD", "from a form"),
        ("3/15/2026 8:01:00", "Lincoln High", "mentoring", "JD", "second"),
    ]
    for path in (
        sheets.libreoffice_csv(tmp_path / "lo.csv", rows),
        sheets.unicode_text(tmp_path / "ut.txt", rows),
        sheets.google_sheets_csv(tmp_path / "g.csv", google),
    ):
        _import(journal, path)
    contacts = _contacts(journal)
    assert [c.occurred_at for c in contacts] == [
        dt.datetime(2026, 3, 2, 9, 30),
        dt.datetime(2026, 3, 2, 9, 30),
        dt.datetime(2026, 3, 2, 14, 30),
        dt.datetime(2026, 3, 15, 8, 1),
    ]
    assert contacts[0].notes == contacts[1].notes == "multi\nline note"
    assert journal.counts().students == 1


def test_ambiguous_dates_ask_and_never_guess(journal, tmp_path) -> None:
    rows = [("Date", "Type", "School"), ("3/4/2026", "mentoring", "Lincoln High")]
    rows += [("5/6/2026", "mentoring", "Lincoln High")]
    path = sheets.excel_us_csv(tmp_path / "amb.csv", rows)
    p = importer.preview(journal, importer.read_file(path))
    assert p.date_question is not None and not p.ok and p.rows == []
    assert p.date_question.example == "3/4/2026"
    with pytest.raises(AmbiguousDates, match="--date-format"):
        _import(journal, path)
    assert journal.counts().contacts == 0
    _import(journal, path, date_order=DateOrder.DMY)
    assert [c.occurred_at.date() for c in _contacts(journal)] == [
        dt.date(2026, 4, 3),
        dt.date(2026, 6, 5),
    ]


def test_one_day_above_12_settles_the_whole_column(journal, tmp_path) -> None:
    rows = [("Date", "Type", "School"), ("3/4/2026", "mentoring", "Lincoln High")]
    rows += [("3/14/2026", "mentoring", "Lincoln High")]
    _import(journal, sheets.excel_us_csv(tmp_path / "d.csv", rows))
    assert [c.occurred_at.date() for c in _contacts(journal)] == [
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 14),
    ]


def test_title_rows_above_the_header_are_skipped(journal, tmp_path) -> None:
    rows = [
        ("SRO contact log 2026", "", ""),
        ("", "", ""),
        ("Date", "Type of contact", "School"),
        ("2026-03-02", "mentoring", "Lincoln High"),
    ]
    p = importer.preview(journal, importer.read_file(sheets.excel_us_csv(tmp_path / "t.csv", rows)))
    assert p.ok and [r.line for r in p.rows] == [4]
    assert any("header is on line 3" in n for n in p.notes)


def test_unknown_labels_listed_once_each_with_counts_and_a_suggestion(journal, tmp_path) -> None:
    rows = [("Date", "Type of contact", "Result", "School")]
    rows += [("2026-03-0" + str(d), "Mentor mtg", "Sorted out", "Lincoln HS") for d in range(1, 4)]
    rows += [("2026-03-05", "Hallway", "", "Lincoln High")]
    path = sheets.excel_us_csv(tmp_path / "v.csv", rows)
    p = importer.preview(journal, importer.read_file(path))
    assert not p.ok
    got = {(u.field, u.value): (u.rows, u.first_line, u.suggestion) for u in p.unknown}
    assert got == {
        ("type", "Mentor mtg"): (3, 2, "mentoring"),
        ("outcome", "Sorted out"): (3, 2, None),
        ("school", "Lincoln HS"): (3, 2, "Lincoln High"),
    }
    assert p.total_problems == 0  # each unknown value once, not once per row
    with pytest.raises(ImportRejected) as info:
        _import(journal, path)
    text = "\n".join(map(str, info.value.errors))
    assert "'Mentor mtg' is not a known contact type" in text and "perhaps 'mentoring'" in text
    mapping = Mapping(
        values={
            "type": {"mentor MTG": "mentoring"},
            "outcome": {"Sorted out": "resolved"},
            "school": {"Lincoln HS": "Lincoln High"},
        }
    )
    result = _import(journal, path, mapping=mapping)
    assert result.contacts == 4 and result.new_schools == []
    assert [c.type_code for c in _contacts(journal)] == ["mentoring"] * 3 + ["relationship"]


def test_a_note_in_a_coded_column_is_described_never_shown(journal, tmp_path) -> None:
    note = "He told me he has been sleeping at his aunt's place since the fight"
    rows = [("Date", "Type", "School"), ("2026-03-02", note, "Lincoln High")]
    p = importer.preview(journal, importer.read_file(sheets.excel_us_csv(tmp_path / "n.csv", rows)))
    assert p.unknown == []
    [problem] = p.problems
    assert "long text where contact type is expected" in str(problem)
    assert "aunt" not in str(problem)


def test_mapping_file_chooses_columns_and_values(journal, tmp_path) -> None:
    rows = [
        ("When", "What happened", "Where", "Kid", "Notes (private)"),
        ("2026-03-02", "Mentor mtg", "Lincoln HS", "JD", "kept"),
    ]
    path = sheets.excel_us_csv(tmp_path / "m.csv", rows)
    doc = {
        "format": "srojournal-import-mapping",
        "version": 1,
        "columns": {
            "date": "when",
            "type": "What happened",
            "school": "Where",
            "students": "Kid",
            "notes": "Notes (private)",
        },
        "values": {"type": {"Mentor mtg": "mentoring"}, "school": {"Lincoln HS": "Lincoln High"}},
    }
    mapping = Mapping.from_json(json.dumps(doc))
    assert Mapping.from_json(mapping.to_json()) == mapping
    _import(journal, path, mapping=mapping)
    [c] = _contacts(journal)
    assert c.type_code == "mentoring" and c.notes == "kept"
    doc["columns"]["date"] = "Day"
    with pytest.raises(ImportRejected, match="problem") as info:
        _import(journal, path, mapping=Mapping.from_json(json.dumps(doc)))
    assert "no such column" in str(info.value.errors[0])


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ("[]", "object"),
        ('{"format": "x", "version": 1}', "format"),
        ('{"format": "srojournal-import-mapping", "version": 1, "colums": {}}', "unknown key"),
        ('{"format": "srojournal-import-mapping", "version": 1, "columns": {"dte": "D"}}', "dte"),
        (
            '{"format": "srojournal-import-mapping", "version": 1, "date_format": "Y/D/M"}',
            "M/D/YYYY",
        ),
        ("{", "not valid JSON"),
    ],
)
def test_bad_mapping_files_are_refused_with_the_reason(doc: str, needle: str) -> None:
    with pytest.raises(MappingError, match=needle):
        Mapping.from_json(doc)


# -- Excel ----------------------------------------------------------------------------------
def _xlsx_rows() -> list[tuple]:
    return [
        ("Date", "Time in", "Minutes", "School", "Type of contact", "Student(s)", "Grade"),
        (dt.datetime(2026, 11, 3), dt.time(14, 30), 45, "Lincoln High", "mentoring", "Sam R", 10),
        (dt.datetime(2026, 11, 4, 9, 15), None, None, "Lincoln High", "classroom", None, None),
    ]


def test_xlsx_dates_are_dates_and_numbers_are_numbers(journal, tmp_path) -> None:
    path = sheets.save_like_excel(sheets.workbook(_xlsx_rows()), tmp_path / "w.xlsx")
    table = importer.read_file(path)
    assert table.kind == "xlsx" and table.sheet == "Contacts"
    assert isinstance(table.rows[0][1][0], dt.datetime)
    _import(journal, path)
    a, b = _contacts(journal)
    assert a.occurred_at == dt.datetime(2026, 11, 3, 14, 30) and a.duration_min == 45
    assert a.students[0].grade == "10"
    assert b.occurred_at == dt.datetime(2026, 11, 4, 9, 15)  # a date-and-time cell


def test_xlsx_formula_results_are_used_and_never_evaluated(journal, tmp_path) -> None:
    rows = _xlsx_rows()
    wb = sheets.workbook(rows)
    ws = wb.active
    ws["C2"] = "=30+15"  # Minutes, as the saved result says
    ws["D3"] = '=IF(1,"Lincoln High","x")'
    path = sheets.save_like_excel(wb, tmp_path / "f.xlsx", {"C2": 45, "D3": "Lincoln High"})
    p = importer.preview(journal, importer.read_file(path))
    assert p.ok and any("2 cells hold formulas" in n for n in p.notes)
    assert [r.duration_min for r in p.rows] == [45, None]
    # A formula whose result was never saved (the program did not calculate) is a problem.
    ws["C2"] = "=30+15"
    sheets.save_like_excel(wb, tmp_path / "nocache.xlsx", {"D3": "Lincoln High"})
    p = importer.preview(journal, importer.read_file(tmp_path / "nocache.xlsx"))
    assert not p.ok
    assert "cell C2 is a formula without a saved result" in str(p.problems[0])


def test_a_formula_that_names_a_school_cannot_slip_in(journal, tmp_path) -> None:
    wb = sheets.workbook(_xlsx_rows())
    wb.active["D2"] = '=HYPERLINK("http://example.invalid","Lincoln")'
    path = sheets.save_like_excel(wb, tmp_path / "h.xlsx", {"D2": "=HYPERLINK(1)"})
    p = importer.preview(journal, importer.read_file(path), add_schools=True)
    assert not p.ok and "formula" in str(p.problems[0]) and p.new_schools == []


def test_protected_workbook_is_refused_with_what_to_do() -> None:
    with pytest.raises(ImportRejected) as info:
        importer.read_file(FIXTURES / "protected.xlsx")
    assert "protected with a password" in info.value.errors[0].reason


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100), "damaged"),
        (lambda p: p.write_bytes(b"not a workbook at all"), "damaged"),
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600), ".xls"),
    ],
)
def test_corrupt_workbooks_get_a_clear_message(tmp_path, make, needle) -> None:
    path = tmp_path / "bad.xlsx"
    make(path)
    with pytest.raises(ImportRejected) as info:
        importer.read_file(path)
    assert needle in info.value.errors[0].reason


def test_truncated_workbook_and_zip_that_is_not_a_workbook(tmp_path) -> None:
    good = sheets.save_like_excel(sheets.workbook(_xlsx_rows()), tmp_path / "good.xlsx")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ImportRejected, match="problem") as info:
        importer.read_file(cut)
    assert "damaged" in info.value.errors[0].reason
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ImportRejected) as info:
        importer.read_file(other)
    assert "not an Excel workbook" in info.value.errors[0].reason


def test_empty_sheet_and_merged_and_duplicated_headers(journal, tmp_path, monkeypatch) -> None:
    empty = sheets.save_like_excel(sheets.workbook([]), tmp_path / "empty.xlsx")
    with pytest.raises(ImportRejected) as info:
        importer.read_file(empty)
    assert "empty" in info.value.errors[0].reason
    rows = [
        ("Date", "Type of contact", "School", "Students", None),
        ("2026-03-02", "mentoring", "Lincoln High", "JD", "Bo"),
    ]
    wb = sheets.workbook(rows)
    wb.active.merge_cells("D1:E1")  # one header over two columns of names
    p = importer.preview(
        journal, importer.read_file(sheets.save_like_excel(wb, tmp_path / "m.xlsx"))
    )
    assert any("Column E has values but no header" in n for n in p.notes)
    rows = [("Date", "Type", "School", "Date"), ("2026-03-02", "mentoring", "Lincoln High", "x")]
    dup = sheets.save_like_excel(sheets.workbook(rows), tmp_path / "dup.xlsx")
    p = importer.preview(journal, importer.read_file(dup))
    assert not p.ok and "duplicate column: columns A and D" in str(p.problems[0])
    monkeypatch.setattr(xlsx_source, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ImportRejected) as info:
        importer.read_file(dup)
    assert "unpacks to more than" in info.value.errors[0].reason


@pytest.mark.slow
def test_a_50_mb_file_is_read_and_checked_in_full(journal, tmp_path) -> None:
    """About the size of 100,000 contacts with notes: read and previewed, nothing written."""
    note = "x" * 480
    lines = ["date,type,school,notes\n"]
    lines += [
        f"2026-03-{1 + i % 28:02d},mentoring,Lincoln High,{note}{i}\n" for i in range(105_000)
    ]
    lines[77_777] = "2026-02-30,mentoring,Lincoln High,bad date\n"
    path = tmp_path / "big.csv"
    path.write_text("".join(lines))
    assert path.stat().st_size > 50 * 2**20
    p = importer.preview(journal, importer.read_file(path))
    assert not p.ok and p.total_problems == 1 and p.problems[0].line == 77_778
    assert journal.counts().contacts == 0
