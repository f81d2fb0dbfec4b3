from __future__ import annotations

import pytest

from srojournal.reporting.errors import LeakFound
from srojournal.reporting.leakcheck import LeakChecker


def _kind(checker: LeakChecker, text: str) -> str | None:
    try:
        checker.check_text(text)
    except LeakFound as exc:
        assert text not in str(exc)
        return exc.kind
    return None


def test_names_whole_word_case_insensitive() -> None:
    lc = LeakChecker(names=["Jamie Rivera", "Tay"], schools=["Lincoln High"])
    assert _kind(lc, "mentoring JAMIE rivera 3") == "name"
    assert _kind(lc, "mentoring tay") == "name"
    assert _kind(lc, "mentoring tayl") == "label"  # not a whole-word hit, but not allowed either
    assert _kind(lc, "mentoring 12 Lincoln High") is None


def test_aliases_that_are_report_words_are_not_searched() -> None:
    lc = LeakChecker(names=["High", "S", "12", "Safety"], schools=["Lincoln High"])
    assert _kind(lc, "grade_band high count 12 status S Lincoln High safety") is None


def test_school_names_do_not_exempt_an_alias() -> None:
    lc = LeakChecker(names=["Lincoln"], schools=["Lincoln High"])
    assert _kind(lc, "school Lincoln High") == "name"


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "05/03/2026",
        "3.5.26",
        "March 3",
        "mar 3rd",
        "3 March",
        "at 14:05",
        "20260305",
        "D:20260305",
        "2026-03-05T10:00:00",
    ],
)
def test_dates_finer_than_a_month(text: str) -> None:
    lc = LeakChecker()
    with pytest.raises(LeakFound) as err:
        lc.check_dates(text)
    assert err.value.kind == "date"
    assert "date" in str(err.value)


def _date_leak(checker: LeakChecker, text: str) -> bool:
    try:
        checker.check_dates(text)
    except LeakFound as exc:
        assert exc.kind == "date"
        return True
    return False


@pytest.mark.parametrize(
    ("month_only", "with_a_day"),
    [
        (
            '"period": "2026-03", "count": 12, "release": 3',
            '"period": "2026-03-05", "count": 12, "release": 3',
        ),
        (
            "2026-03,1,10,T1,contacts,,mentoring,resolved,,,,,,12,ok",
            "2026-03-05,1,10,T1,contacts,,mentoring,resolved,,,,,,12,ok",
        ),
        ('"period": "2026-Q1", "periods": ["2026-01", "2026-02"]', '"period": "2026-01-31"'),
    ],
)
def test_month_is_not_a_date_leak(month_only: str, with_a_day: str) -> None:
    """A month (or quarter) passes; the same output with a day in it is refused."""
    lc = LeakChecker()
    assert not _date_leak(lc, month_only)
    assert _date_leak(lc, with_a_day)


def test_labels_outside_the_allow_list() -> None:
    lc = LeakChecker(schools=["Lincoln High"])
    assert _kind(lc, '"school": "Lincoln High", "category": "mentoring"') is None
    assert _kind(lc, '"school": "Roosevelt Elementary"') == "label"


def test_six_word_runs_of_notes() -> None:
    notes = ["the fight near the gym after lunch"]

    def lookup(words):
        return " ".join(words) in " ".join(notes)

    asked = []

    def spy(words):
        asked.append(tuple(words))
        return lookup(words)

    lc = LeakChecker(phrase_in_notes=spy, extra_vocabulary=notes)
    lc.check_text("the fight near the gym")  # five words only
    assert asked == []
    with pytest.raises(LeakFound) as err:
        lc.check_text("count: the FIGHT near the gym after, 12")
    assert err.value.kind == "note"
    assert ("the", "fight", "near", "the", "gym", "after") in asked
    # A run is asked about only when each of its words is in some note.
    assert all(len(w) == 1 or set(w) <= set(notes[0].split()) for w in asked)


def test_a_run_with_a_word_in_no_note_is_not_asked_about() -> None:
    notes = ["the fight near the gym after lunch"]
    asked = []

    def lookup(words):
        asked.append(tuple(words))
        return " ".join(words) in notes[0]

    lc = LeakChecker(phrase_in_notes=lookup, extra_vocabulary=[*notes, "count"])
    lc.check_text("count the fight near the gym count the fight near")
    assert all(len(w) == 1 for w in asked)
    assert ("count",) in asked


def test_pdf_metadata_is_checked() -> None:
    lc = LeakChecker()
    with pytest.raises(LeakFound) as err:
        lc.check_pdf_bytes(b"%PDF-1.4\n1 0 obj\n<< /Author (Officer Smith) >>\nendobj\n")
    assert err.value.kind == "metadata"
    with pytest.raises(LeakFound):
        lc.check_pdf_bytes(b"%PDF-1.4\n<< /CreationDate (D:20260305101010Z) >>\n")
    lc.check_pdf_bytes(b"%PDF-1.4\n<< /Title () /CreationDate (D:202603) >>\n")


def test_check_output_function() -> None:
    from srojournal.reporting.leakcheck import check_output

    check_output(b'{"category": "mentoring", "count": 3}', "json")
    with pytest.raises(LeakFound) as err:
        check_output(b"mentoring,Zorblat,3", "csv", names=["Zorblat"])
    assert err.value.kind == "name"


@pytest.mark.parametrize("text", ["sam r", "SAM-R", "Ｓａｍ R", "Sam\u00a0 r.", "count sam\nr"])
def test_aliases_are_found_after_normalising_both_sides(text: str) -> None:
    lc = LeakChecker(names=["Sam  R"])
    with pytest.raises(LeakFound) as err:
        lc.check_names(text)
    assert err.value.kind == "name"


def test_two_letter_alias_is_found_but_not_inside_a_word() -> None:
    lc = LeakChecker(names=["Jo"])
    with pytest.raises(LeakFound):
        lc.check_names('"school": "Jo", "count": 3')
    lc.check_names("joined journal")


def test_initials_are_searched_as_a_run() -> None:
    lc = LeakChecker(names=["J R"])
    with pytest.raises(LeakFound):
        lc.check_names("mentoring J. R. 3")
    lc.check_names("status S count 3")


def test_the_last_six_word_window_is_checked() -> None:
    words = "alpha beta gamma delta epsilon zeta"

    def lookup(ws):
        return f" {' '.join(ws)} " in f" {words} "

    lc = LeakChecker(phrase_in_notes=lookup, extra_vocabulary=[words, "one two"])
    with pytest.raises(LeakFound):
        lc.check_text("one two " + words.upper())


def test_compressed_pdf_streams_are_inspected() -> None:
    import zlib

    stream = zlib.compress(b"BT (Zorblat Quix) Tj ET")
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + stream
    pdf += b"\nendstream\nendobj\n"
    lc = LeakChecker(names=["Zorblat Quix"])
    with pytest.raises(LeakFound) as err:
        lc.check_pdf_bytes(pdf)
    assert err.value.kind == "name"


def test_csv_fields_that_a_spreadsheet_would_run_are_refused() -> None:
    lc = LeakChecker(schools=["Lincoln High"])
    lc.check_csv_bytes(b"school,count\nLincoln High,3\n")
    for bad in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        data = ("school,count\n" + '"' + bad + '",3\n').encode()
        with pytest.raises(LeakFound) as err:
            lc.check_csv_bytes(data)
        assert err.value.kind == "formula"


def test_csv_renderer_neutralises_a_formula_in_a_school_name() -> None:
    import csv
    import io

    from srojournal.reporting.render_csv import render_summary_csv
    from srojournal.reporting.suppression import suppress_facts

    from .factories import FactsBuilder

    b = FactsBuilder(schools=('=HYPERLINK("http://x","y")', "Lincoln High"))
    b.contact("classroom", [], school='=HYPERLINK("http://x","y")', attendees=3)
    out = render_summary_csv(suppress_facts(b.build()))
    for row in csv.reader(io.StringIO(out.decode())):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    "school",
    [
        '=HYPERLINK("http://x","y")',
        "He said that the boy was hit near the gym after lunch",
        "Lincoln High.\nNotes",
    ],
)
def test_a_school_name_that_is_not_a_name_is_refused_without_its_value(school: str) -> None:
    from srojournal.reporting.errors import ReportRejected

    lc = LeakChecker(schools=[school])
    with pytest.raises(ReportRejected) as err:
        lc.check_schools([school])
    assert "school name" in str(err.value)
    assert school not in str(err.value)


def test_a_school_name_holding_an_alias_is_a_name_leak() -> None:
    lc = LeakChecker(names=["Jamie Rivera"], schools=["Jamie Rivera Academy"])
    with pytest.raises(LeakFound) as err:
        lc.check_schools(["Jamie Rivera Academy"])
    assert err.value.kind == "name"
