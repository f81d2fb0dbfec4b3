"""The import command as an officer runs it: files, mappings, schools, aliases, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CLI_KDF_ARGS, PASSPHRASE, assert_no_traceback

STDIN = PASSPHRASE + "\n"


@pytest.fixture
def vault_dir(cli, tmp_path: Path) -> Path:
    v = tmp_path / "v"
    r = cli("init", v, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=STDIN)
    assert r.code == 0, r.err
    return v


def _file(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _verify(cli, v: Path) -> str:
    r = cli("verify", v, "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    return r.out.strip()


def test_alias_spelled_with_two_spaces_is_the_same_student(cli, vault_dir, tmp_path) -> None:
    first = _file(tmp_path, "date,type,school,students\n2026-03-02,mentoring,Lincoln High,Sam R\n")
    r = cli("import", vault_dir, first, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    second = _file(
        tmp_path, "date,type,school,students\n2026-03-03,mentoring,Lincoln High,Sam  R\n", "b.csv"
    )
    r = cli("import", vault_dir, second, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 0, r.err
    assert "0 new students" in r.out
    assert _verify(cli, vault_dir) == "ok contacts=2 students=1 follow_ups=0"


def test_unknown_schools_exit_5_with_one_line_and_nothing_written(cli, vault_dir, tmp_path) -> None:
    src = _file(
        tmp_path,
        "date,type,school,students\n"
        "2026-03-02,mentoring,Lincoln HS,JD\n"
        "2026-03-03,mentoring,Oak Grove,Mo\n"
        "2026-03-04,mentoring,Lincoln HS,Al\n",
    )
    r = cli("import", vault_dir, src, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 5
    [line] = r.err.splitlines()
    assert "'Lincoln HS' (2 rows), 'Oak Grove' (1 row)" in line and "--add-schools" in line
    assert _verify(cli, vault_dir) == "ok contacts=0 students=0 follow_ups=0"
    r = cli("import", vault_dir, src, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0 and "2 new schools" in r.out


def test_formula_school_exit_5_with_one_line(cli, vault_dir, tmp_path) -> None:
    src = _file(tmp_path, 'date,type,school\n2026-03-02,mentoring,"=HYPERLINK(""http://x"")"\n')
    r = cli("import", vault_dir, src, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 5
    [line] = r.err.splitlines()
    assert line.startswith("srojournal: line 2: school: ") and "formula" in line
    assert "HYPERLINK" not in line
    assert _verify(cli, vault_dir) == "ok contacts=0 students=0 follow_ups=0"


def _open(v: Path):
    from srojournal.vault.store import Vault

    return Vault.open(v, PASSPHRASE)


US_SHEET = (
    "Date,Time in,What happened,Where,Student(s)\r\n"
    "3/4/2026,2:30 PM,Mentor mtg,Lincoln HS,Sam R\r\n"
    "5/6/2026,9:15 AM,Mentor mtg,Lincoln HS,Bo\r\n"
)
MAPPING = {
    "format": "srojournal-import-mapping",
    "version": 1,
    "columns": {"type": "What happened", "school": "Where"},
    "values": {"type": {"Mentor mtg": "mentoring"}, "school": {"Lincoln HS": "Lincoln High"}},
}


def test_mapping_file_and_date_format(cli, vault_dir, tmp_path) -> None:
    import json

    with _open(vault_dir) as v:
        v.journal.add_school("Lincoln High")
    src = tmp_path / "sheet.csv"
    src.write_bytes(US_SHEET.encode("utf-8-sig"))
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(MAPPING))
    args = ("import", vault_dir, src, "--mapping", mapping, "--passphrase-stdin")
    r = cli(*args, stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 5
    [line] = r.err.splitlines()
    assert "month first or day first" in line and "--date-format" in line
    r = cli(*args, "--date-format", "M/D/YYYY", stdin=STDIN)
    assert r.code == 0, r.err
    assert "imported 2 contacts (2 new students, 0 new schools" in r.out
    with _open(vault_dir) as v:
        j = v.journal
        rows = sorted(j.list_contacts(), key=lambda r: r.occurred_at)
        assert [r.occurred_at.isoformat() for r in rows] == [
            "2026-03-04T14:30:00",
            "2026-05-06T09:15:00",
        ]
        assert {r.type_code for r in rows} == {"mentoring"}
        actions = [e.action for e in j.audit_entries()]
        [entry] = [e for e in j.audit_entries() if e.action == "import"]
        assert json.loads(entry.detail) == {
            "file": "sheet.csv",
            "rows": 2,
            "contacts": 2,
            "new_students": 2,
            "new_schools": 0,
        }
        assert "import" in actions


def test_unknown_labels_without_a_mapping_are_listed_once_each(cli, vault_dir, tmp_path) -> None:
    with _open(vault_dir) as v:
        v.journal.add_school("Lincoln High")
    sheet = US_SHEET.replace("Lincoln HS", "Lincoln High").replace("What happened", "Type")
    src = _file(tmp_path, sheet.replace("Where", "School"))
    r = cli(
        "import", vault_dir, src, "--date-format", "D/M/YYYY", "--passphrase-stdin", stdin=STDIN
    )
    assert r.code == 5
    assert r.err.count("Mentor mtg") == 1 and "2 rows" in r.err and "perhaps 'mentoring'" in r.err
    assert _verify(cli, vault_dir) == "ok contacts=0 students=0 follow_ups=0"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("--date-format", "YY/DD"), 2, "--date-format"),
        (("--mapping", "missing.json"), 5, "cannot be read"),
        (("--mapping", "bad.json"), 5, "not valid JSON"),
    ],
)
def test_bad_options_get_one_clear_line(cli, vault_dir, tmp_path, args, code, needle) -> None:
    (tmp_path / "bad.json").write_text("{")
    src = _file(tmp_path, "date,type\n2026-03-02,mentoring\n")
    r = cli("import", vault_dir, src, *args, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == code and needle in r.err and len(r.err.splitlines()) == 1


def test_xlsx_import_from_the_command_line(cli, vault_dir, tmp_path) -> None:
    import datetime as dt

    from tests import spreadsheets as sheets

    rows = [
        ("Date", "Time in", "Minutes", "School", "Type of contact", "Student(s)", "Grade"),
        (dt.datetime(2026, 11, 3), dt.time(14, 30), 45, "Oak Grove", "mentoring", "Sam R", 10),
    ]
    path = sheets.save_like_excel(sheets.workbook(rows), tmp_path / "log.xlsx")
    r = cli("import", vault_dir, path, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    assert "imported 1 contacts (1 new students, 1 new schools" in r.out
    r = cli("import", vault_dir, FIXTURE_PROTECTED, "--passphrase-stdin", stdin=STDIN)
    assert r.code == 5 and "password" in r.err and len(r.err.splitlines()) == 1


FIXTURE_PROTECTED = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "protected.xlsx"
