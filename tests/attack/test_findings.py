"""The six findings of "Summaries v2", each crafted as a month and driven through the CLI.

Each test imports a journal (CSV, the import format) into a real vault, exports with
``srojournal summary`` and hands the released files to the outside attacker. A refusal
(exit 5, nothing written) is a safe answer; a file is judged by what a reader can prove.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from srojournal.vault.store import Vault
from tests.attack.conftest import MONTH, SCHOOLS, Officer, background, clean, day
from tests.attack.journals import csv_rows
from tests.attack.leaks import scan
from tests.attack.truth import Visit
from tests.conftest import PASSPHRASE


def _assert_safe(officer: Officer) -> None:
    found = clean(officer.attack.findings())
    assert not found, "\n".join(found)


def test_a_hidden_cell_is_at_least_one_not_zero(officer: Officer) -> None:
    """(1) One welfare assist at each school: "Westwood Elementary / safety" must stay open."""
    visits = background()
    for i, school in enumerate(SCHOOLS):
        visits.append(
            Visit(100 + i, day(5 + i), school, "welfare_assist", ((f"Ren{i} {school[0]}", "3"),),
                  "parent_notified", minutes=30)
        )  # fmt: skip
    assert officer.import_visits(visits).code == 0
    assert officer.release() is not None
    _assert_safe(officer)


def test_drills_do_not_dilute_the_group_attribute(officer: Officer) -> None:
    """(2) Twelve cited students are the only student-linked safety contacts; drills beside."""
    visits = background()
    for i in range(12):
        school = SCHOOLS[i % 3]
        visits.append(
            Visit(100 + i, day(1 + 2 * i), school, "investigation",
                  ((f"Cited{i:02d} {school[0]}", "10" if i % 3 == 2 else "7"),), "citation")
        )  # fmt: skip
    for i in range(8):
        type_ = "safety_check" if i < 5 else "event_duty"
        visits.append(Visit(200 + i, day(3 + 3 * i), SCHOOLS[i % 3], type_, attendees=300))
    assert officer.import_visits(visits).code == 0
    assert officer.release() is not None
    _assert_safe(officer)


def test_one_contact_with_ten_students_and_one_citation(officer: Officer) -> None:
    """(3) The outcome belongs to the contact: ten students share one citation."""
    visits = background()
    visits.append(
        Visit(100, day(9), "Meadowbrook High School", "deescalation",
              tuple((f"Fight{i} M", "11") for i in range(10)), "citation")
    )  # fmt: skip
    for i in range(10):
        visits.append(
            Visit(110 + i, day(10 + i), SCHOOLS[i % 3], "mediation",
                  ((f"Med{i}a {SCHOOLS[i % 3][0]}", "8"), (f"Med{i}b {SCHOOLS[i % 3][0]}", "8")),
                  "agreement_reached")
        )  # fmt: skip
    assert officer.import_visits(visits).code == 0
    assert officer.release() is not None
    _assert_safe(officer)


def test_a_contact_without_students_does_not_make_up_the_three(officer: Officer) -> None:
    """Two citations share twelve students; a third, at a game, has none. Three contacts, but
    the students' outcome rests on two of them: (conflict, enforcement) must not say so."""
    visits = background()
    for i in range(2):
        visits.append(
            Visit(100 + i, day(4 + i), "Meadowbrook High School", "deescalation",
                  tuple((f"Hall{i}{j} M", "11") for j in range(6)), "citation")
        )  # fmt: skip
    visits.append(Visit(110, day(12), "Meadowbrook High School", "deescalation", (), "citation"))
    for i in range(5):
        visits.append(
            Visit(120 + i, day(14 + i), SCHOOLS[i % 3], "mediation",
                  ((f"Pair{i}a {SCHOOLS[i % 3][0]}", "8"), (f"Pair{i}b {SCHOOLS[i % 3][0]}", "8")),
                  "agreement_reached")
        )  # fmt: skip
    assert officer.import_visits(visits).code == 0
    assert officer.release() is not None
    _assert_safe(officer)


def _assert_refused_revision(code: int, err: str, out: Path) -> None:
    """Refused: exit 5, no file, and the officer is told where the change will be counted."""
    assert code == 5 and not out.exists(), err
    assert "quarter" in err or "school year" in err, err


def _cited_month() -> list[Visit]:
    """A month whose safety enforcement and juvenile-court cells are published."""
    visits = background()
    for i in range(14):
        school = SCHOOLS[i % 3]
        visits.append(
            Visit(100 + i, day(1 + 2 * i), school, "investigation",
                  ((f"Cited{i:02d} {school[0]}", "9"),), "citation",
                  ("juvenile_court",) if i < 11 else ())
        )  # fmt: skip
    for i in range(12):
        school = SCHOOLS[i % 3]
        visits.append(
            Visit(130 + i, day(2 + 2 * i), school, "welfare_assist",
                  ((f"Assist{i:02d} {school[0]}", "9"),), "parent_notified")
        )  # fmt: skip
    return visits


def test_a_late_arrest_is_not_singled_out_by_a_revision(officer: Officer) -> None:
    """(4) Release 1, then one late arrest and ``--revise``: refused, or nothing provable."""
    assert officer.import_visits(_cited_month()).code == 0
    assert officer.release() is not None
    late = Visit(300, day(20), "Meadowbrook High School", "investigation",
                 (("Late Arrest M", "11"),), "arrest", ("juvenile_court",))  # fmt: skip
    assert officer.import_visits([late]).code == 0
    r, out = officer.summary(MONTH, "json", "--revise")
    if r.code != 0:
        _assert_refused_revision(r.code, r.err, out)
        return
    second = officer.attack.release(out.read_bytes(), officer.truth(MONTH))
    officer.attack.growth(0, second)
    _assert_safe(officer)


def test_an_edit_that_lowers_a_value_is_not_singled_out(officer: Officer) -> None:
    """(4) An edited outcome: a published value goes down, another goes up."""
    assert officer.import_visits(_cited_month()).code == 0
    assert officer.release() is not None
    with Vault.open(officer.path, PASSPHRASE) as vault:  # the officer edits one assist
        j = vault.journal
        row = next(r for r in j.list_contacts(limit=500) if r.students == "Assist05 M")
        j.update_contact(row.id, replace(j.contact(row.id).to_input(), outcome="arrest"))
    i = next(n for n, v in enumerate(officer.visits) if v.key == 135)
    officer.visits[i] = replace(officer.visits[i], outcome="arrest")
    r, out = officer.summary(MONTH, "json", "--revise")
    if r.code != 0:
        _assert_refused_revision(r.code, r.err, out)
        return
    officer.attack.release(out.read_bytes(), officer.truth(MONTH))
    _assert_safe(officer)


NOTES = (
    "Ｓａｍ Ｒｉｖｅｒａ said his uncle hits him at home",
    "Told me his stepdad drinks and locks him out at night",
    "Mother says the bruises came from a fight with an older cousin",
)


def _swapped_spreadsheet(officer: Officer) -> list[dict[str, str]]:
    """Rows whose `school` and `notes` columns were swapped in a spreadsheet."""
    visits = [
        Visit(400 + i, day(20 + i), "Westwood Elementary", "student_consult",
              (("Sam Rivera", "4"),), "parent_notified", notes=note)
        for i, note in enumerate(NOTES)
    ]  # fmt: skip
    rows = csv_rows(visits)
    for row in rows:
        row["school"], row["notes"] = row["notes"], row["school"]
    officer.visits += visits  # what the officer meant, for the leak scan
    return rows


def _leaks(officer: Officer, fmt: str) -> list[str]:
    r, out = officer.summary(MONTH, fmt)
    assert r.code in (0, 5), r.err
    if r.code == 5:
        assert not out.exists()
        return []
    return scan(
        out.read_bytes(),
        aliases={a for v in officer.visits for a, _g in v.students},
        notes={v.notes for v in officer.visits},
        schools=officer.schools,
    )


def _background_with_sam(officer: Officer) -> None:
    visits = [*background(), Visit(90, day(3), "Westwood Elementary", "mentoring",
                                   (("Sam Rivera", "4"),), "resolved")]  # fmt: skip
    assert officer.import_visits(visits).code == 0


def test_note_text_imported_as_school_names_never_leaves(officer: Officer) -> None:
    """(5) A spreadsheet with `school` and `notes` swapped: no sentence becomes a label."""
    _background_with_sam(officer)
    r = officer.import_visits([], rows=_swapped_spreadsheet(officer))
    assert r.code in (0, 5), r.err
    found = _leaks(officer, "json") + _leaks(officer, "csv")
    assert not found, found


def test_a_formula_as_school_name_never_reaches_a_spreadsheet(officer: Officer) -> None:
    """(5) `=HYPERLINK(...)` as a school: refused at import, never a formula in the CSV."""
    _background_with_sam(officer)
    formula = '=HYPERLINK("https://evil.example/?id=1","Westwood Elementary")'
    visit = Visit(500, day(21), formula, "relationship", (("Lee H", "4"),), "resolved")
    r = officer.import_visits([], rows=csv_rows([visit]))
    assert r.code in (0, 5), r.err
    found = _leaks(officer, "csv")
    assert not found, found


def _contacts(officer: Officer) -> str:
    r = officer.run("verify", officer.path)
    assert r.code == 0, r.err
    return r.out.strip()


def test_add_schools_refuses_sentences_and_formulas(officer: Officer) -> None:
    """Even when the officer confirms new schools, a sentence or a formula is not a name."""
    _background_with_sam(officer)
    before = _contacts(officer)
    r = officer.import_visits([], "--add-schools", rows=_swapped_spreadsheet(officer))
    assert r.code == 5, r.err
    formula = Visit(500, day(21), '=HYPERLINK("https://evil.example")', "relationship")
    r = officer.import_visits([], "--add-schools", rows=csv_rows([formula]))
    assert r.code == 5, r.err
    assert _contacts(officer) == before


def test_an_alias_with_two_spaces_is_the_same_student(officer: Officer) -> None:
    """(6) "Sam  R" after "Sam R": the same student, never an internal error."""
    first = Visit(1, day(6), "Westwood Elementary", "mentoring", (("Sam R", "4"),), "resolved")
    assert officer.import_visits([first]).code == 0
    again = Visit(2, day(7), "Westwood Elementary", "mentoring", (("Sam  R", "4"),), "resolved")
    r = officer.import_visits([again])
    assert r.code == 0, r.err
    assert _contacts(officer) == "ok contacts=2 students=1 follow_ups=0"
