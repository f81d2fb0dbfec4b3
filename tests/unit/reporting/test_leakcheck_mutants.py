"""The leak check fails when it is wrong: tests written against the mutants that survived
`make mutation` (tests/mutation/run.py). Each test states the behaviour it pins down."""

from __future__ import annotations

import zlib

import pytest

from srojournal.reporting.errors import LeakFound, ReportRejected
from srojournal.reporting.leakcheck import LeakChecker, check_output, normalize, vocabulary


def _kind(action) -> str | None:
    try:
        action()
    except LeakFound as exc:
        return exc.kind
    return None


def _pdf(*streams: bytes, trailer: bytes = b"") -> bytes:
    out = b"%PDF-1.4\n"
    for i, body in enumerate(streams, start=1):
        out += b"%d 0 obj\n<< /Length %d >>\nstream\n" % (i, len(body)) + body
        out += b"\nendstream\nendobj\n"
    return out + trailer


# -- normalisation and the allow-list ---------------------------------------------------------


def test_normalize_makes_spacing_punctuation_case_and_width_one_form() -> None:
    for text in ("Sam  R", "sam-r", "Ｓａｍ R", "  SAM_r. ", "sam\u00a0\tr"):
        assert normalize(text) == "sam r"
    assert normalize("") == ""


def test_vocabulary_holds_the_words_of_codes_schools_and_extra_text_only() -> None:
    vocab = vocabulary(["Lincoln High"], ["Fixed words"])
    assert {"lincoln", "high", "fixed", "words", "mentoring", "ok"} <= vocab
    assert "roosevelt" not in vocab
    assert all(w == w.casefold() and w.isalpha() for w in vocab)  # no digits, no punctuation


def _allow_list_words() -> list[str]:
    """Every word the docs allow in a summary: codes, labels, field names, table titles."""
    from srojournal.domain.taxonomy import (
        BUILTIN_CONTACT_TYPES,
        CATEGORY_LABELS,
        GRADE_BANDS,
        NO_OUTCOME_GROUP,
        OUTCOME_GROUPS,
        OUTCOMES,
        REFERRAL_TARGETS,
    )
    from srojournal.reporting.leakcheck import FIELD_NAMES
    from srojournal.reporting.tables import (
        ALL,
        OTHER_TYPE,
        T0_MEASURES,
        T5_STATUSES,
        T6_MEASURES,
        TABLE_DIMENSIONS,
        TABLE_IDS,
        TABLE_TITLES,
        TABLE_UNITS,
    )

    words = [ALL, OTHER_TYPE, NO_OUTCOME_GROUP, *FIELD_NAMES, *TABLE_IDS]
    words += [*TABLE_UNITS.values(), *TABLE_TITLES.values()]
    words += [d for dims in TABLE_DIMENSIONS.values() for d in dims]
    words += [*T0_MEASURES, *T5_STATUSES, *T6_MEASURES, *OUTCOME_GROUPS, *GRADE_BANDS]
    words += [*CATEGORY_LABELS, *CATEGORY_LABELS.values()]
    words += [*REFERRAL_TARGETS, *REFERRAL_TARGETS.values()]
    words += [w for t in BUILTIN_CONTACT_TYPES for w in (t.code, t.label, t.category)]
    words += [w for o in OUTCOMES for w in (o.code, o.label)]
    return words


def test_every_code_label_field_name_and_title_is_allowed() -> None:
    lc = LeakChecker()
    refused = [w for w in _allow_list_words() if _kind(lambda w=w: lc.check_labels(w))]
    assert refused == []
    assert _kind(lambda: lc.check_labels("zorblat")) == "label"


# -- names --------------------------------------------------------------------------------------


def test_every_alias_is_searched_whatever_comes_before_it_in_the_list() -> None:
    """An empty, numeric or one-letter alias, or a report word, is skipped, not the end.

    Aliases are taken in no fixed order; with ten of each kind, a skip that ended the search
    would lose one of the ten names in all but one order in 184,756.
    """
    skipped = ["", "  ", "-", "7", "88", "S", "z", "High", "mentoring resolved", "x."]
    targets = [f"Zor{syl}" for syl in ("bla", "qui", "xan", "vel", "dru", "mop", "kiv", "tu")]
    targets += ["Jo Quix", "Ra Vel"]
    lc = LeakChecker(names=[*skipped, *targets], schools=["Lincoln High"])
    missed = [t for t in targets if _kind(lambda t=t: lc.check_names(f"count 3 {t} 4")) is None]
    assert missed == []
    assert _kind(lambda: lc.check_names("count 3 S High 7 88 z mentoring resolved")) is None


def test_a_lone_letter_is_not_searched_whatever_letter_it_is() -> None:
    lc = LeakChecker(names=["Z", "J.", "x"])
    assert _kind(lambda: lc.check_names("count z j x 3")) is None


def test_a_word_of_the_reports_fixed_text_is_not_searched_as_an_alias() -> None:
    """The renderers' fixed text (given as extra vocabulary) is in every report anyway."""
    lc = LeakChecker(names=["Suppressed", "Zorblat"], extra_vocabulary=["Suppressed cells"])
    assert _kind(lambda: lc.check_names("suppressed cells 3")) is None
    assert _kind(lambda: lc.check_names("zorblat")) == "name"


def test_a_two_letter_and_a_two_digit_alias_are_names() -> None:
    lc = LeakChecker(names=["Jo", "B2"])
    assert _kind(lambda: lc.check_names("count Jo")) == "name"
    assert _kind(lambda: lc.check_names("count b2")) == "name"
    lc = LeakChecker(names=["42"])  # a number says nothing: every report has numbers
    assert _kind(lambda: lc.check_names("count 42")) is None


def test_a_several_word_name_is_found_only_as_the_whole_run() -> None:
    lc = LeakChecker(names=["Jamie Rivera Cruz"])
    assert _kind(lambda: lc.check_names("x jamie rivera cruz")) == "name"
    assert _kind(lambda: lc.check_names("jamie rivera cruz")) == "name"  # at the very start
    assert _kind(lambda: lc.check_names("x jamie rivera")) is None
    assert _kind(lambda: lc.check_names("rivera cruz x jamie")) is None
    assert _kind(lambda: lc.check_names("jamie x rivera cruz")) is None


def test_a_name_made_of_report_words_and_numbers_is_not_searched() -> None:
    lc = LeakChecker(names=["High 12", "Safety First"], schools=["Lincoln High"])
    assert _kind(lambda: lc.check_names("grade high 12")) is None
    assert _kind(lambda: lc.check_names("safety first")) == "name"  # "first" is not a report word


def test_two_names_sharing_a_first_word_are_both_searched() -> None:
    lc = LeakChecker(names=["Sam Quix", "Sam Zorb"])
    assert _kind(lambda: lc.check_names("count sam quix")) == "name"
    assert _kind(lambda: lc.check_names("count sam zorb")) == "name"
    assert _kind(lambda: lc.check_names("count sam 3")) is None


def test_school_names_exempt_labels_but_never_aliases() -> None:
    lc = LeakChecker(names=["Lincoln"], schools=["Lincoln High"])
    assert _kind(lambda: lc.check_labels("lincoln high")) is None
    assert _kind(lambda: lc.check_names("lincoln high")) == "name"


# -- schools ------------------------------------------------------------------------------------


def test_a_school_name_that_is_not_a_name_is_refused_with_the_reason_and_the_fix() -> None:
    lc = LeakChecker()
    with pytest.raises(ReportRejected) as err:
        lc.check_schools(["Lincoln High", "=cmd()"])
    text = str(err.value)
    assert text.startswith("export refused: a school name is not a name (")
    assert text.endswith("; correct it in Settings → Schools")
    reason = text[len("export refused: a school name is not a name (") : -len(")") - 35]
    assert reason[:1].islower()  # the reason reads on in the sentence
    assert "=cmd" not in text


@pytest.mark.parametrize(
    ("school", "reason"),
    [
        (
            "=cmd()",
            "a school name cannot start with =, +, -, @ or a tab (spreadsheet formula characters)",
        ),
        ("Lincoln High.\nNotes", "a school name must fit on one line"),
    ],
)
def test_the_refusal_quotes_the_rule_as_part_of_its_sentence(school: str, reason: str) -> None:
    with pytest.raises(ReportRejected) as err:
        LeakChecker().check_schools([school])
    assert str(err.value) == (
        f"export refused: a school name is not a name ({reason}); correct it in Settings → Schools"
    )


def test_a_school_name_that_changes_under_normalisation_is_refused() -> None:
    lc = LeakChecker()
    with pytest.raises(ReportRejected) as err:
        lc.check_schools(["Lincoln  High"])
    assert str(err.value) == (
        "export refused: a school name is not a name (it has extra spaces or characters that "
        "change under normalisation); correct it in Settings → Schools"
    )
    lc.check_schools(["Lincoln High", "Washington Middle"])  # clean names pass


def test_every_school_name_is_checked_for_aliases_not_only_the_first() -> None:
    lc = LeakChecker(names=["Jamie Rivera"])
    assert _kind(lambda: lc.check_schools(["Lincoln High", "Jamie Rivera Academy"])) == "name"
    assert _kind(lambda: lc.check_schools(["Lincoln High", "Rivera Academy"])) is None


# -- CSV and text bytes ------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_refused_as_labels() -> None:
    lc = LeakChecker()
    assert _kind(lambda: lc.check_csv_bytes(b"count\n\xff\xfe3\n")) == "label"
    assert _kind(lambda: lc.check_text_bytes(b'{"count": "\xff"}')) == "label"


def test_csv_checks_formulas_in_every_field_and_then_the_text() -> None:
    lc = LeakChecker(names=["Zorblat"], schools=["Lincoln High"])
    assert _kind(lambda: lc.check_csv_bytes(b"count,school\n3,Lincoln High\n4,=1\n")) == "formula"
    assert _kind(lambda: lc.check_csv_bytes(b"count,school\n3,Zorblat\n")) == "name"
    assert _kind(lambda: lc.check_csv_bytes(b"count,period\n3,2026-03-05\n")) == "date"
    # a line break inside a quoted field is part of the field, not a new row
    assert _kind(lambda: lc.check_csv_bytes(b'count,school\n3,"Lincoln High\r\n=1"\n')) is None
    assert _kind(lambda: lc.check_csv_bytes(b'count,school\n3,"\r=1"\n')) == "formula"


def test_csv_rows_ended_by_a_bare_carriage_return_are_read_as_rows() -> None:
    lc = LeakChecker()
    assert _kind(lambda: lc.check_csv_bytes(b"count\r=1+2\r")) == "formula"
    assert _kind(lambda: lc.check_csv_bytes(b"count\r3\r")) is None


def test_text_bytes_run_every_check() -> None:
    notes = "the fight near the gym after lunch"
    lc = LeakChecker(
        names=["Zorblat"],
        phrase_in_notes=lambda ws: " ".join(ws) in notes,
        extra_vocabulary=[notes],
    )
    assert _kind(lambda: lc.check_text_bytes(b"count zorblat")) == "name"
    assert _kind(lambda: lc.check_text_bytes(b"count 2026-03-05")) == "date"
    assert _kind(lambda: lc.check_text_bytes(b"count roosevelt")) == "label"
    assert _kind(lambda: lc.check_text_bytes(notes.encode())) == "note"
    assert _kind(lambda: lc.check_text_bytes("count é".encode())) == "label"  # decoded as UTF-8


def test_dates_are_found_in_full_width_digits() -> None:
    lc = LeakChecker()
    assert _kind(lambda: lc.check_dates("２０２６-０３-０５")) == "date"
    assert _kind(lambda: lc.check_dates("MARCH 3")) == "date"


def test_labels_are_compared_after_folding_case_and_width() -> None:
    lc = LeakChecker(schools=["Lincoln High"])
    assert _kind(lambda: lc.check_labels("ＭＥＮＴＯＲＩＮＧ LINCOLN")) is None
    assert _kind(lambda: lc.check_labels("mentoring zorblat")) == "label"


# -- notes --------------------------------------------------------------------------------------


def test_each_six_word_window_is_looked_up_once_and_in_order() -> None:
    """Each distinct word is asked once; a run of six is asked (once, in order) only when every
    one of its words is in some note."""
    words_asked: list[tuple[str, ...]] = []
    runs_asked: list[tuple[str, ...]] = []

    def lookup(words):
        (words_asked if len(words) == 1 else runs_asked).append(tuple(words))
        return len(words) == 1  # every word is in a note, no run of six is

    text = "a b c d e f g"
    lc = LeakChecker(phrase_in_notes=lookup, extra_vocabulary=[text])
    lc.check_notes(text)
    assert runs_asked == [("a", "b", "c", "d", "e", "f"), ("b", "c", "d", "e", "f", "g")]
    lc.check_notes(text)  # the same windows again: answered from what was asked
    lc.check_notes("b c d e f g")
    assert len(runs_asked) == 2
    assert sorted(words_asked) == [(w,) for w in "abcdefg"]


def test_a_run_with_a_word_no_note_has_is_not_asked() -> None:
    runs_asked: list[tuple[str, ...]] = []

    def lookup(words):
        if len(words) > 1:
            runs_asked.append(tuple(words))
            return False
        return words != ("srojournal",)

    lc = LeakChecker(phrase_in_notes=lookup)
    lc.check_notes("srojournal one two three four five six")
    assert runs_asked == [("one", "two", "three", "four", "five", "six")]


def test_a_remembered_hit_still_refuses() -> None:
    calls = []

    def lookup(words):
        calls.append(tuple(words))
        return True

    lc = LeakChecker(phrase_in_notes=lookup)
    for _ in range(2):
        with pytest.raises(LeakFound) as err:
            lc.check_notes("one two three four five six")
        assert err.value.kind == "note"
    assert calls.count(("one", "two", "three", "four", "five", "six")) == 1
    assert len(calls) == 7  # six words and the run, each asked once


def test_a_note_lookup_that_answers_a_truthy_value_refuses() -> None:
    lc = LeakChecker(phrase_in_notes=lambda ws: 1)  # type: ignore[arg-type, return-value]
    assert _kind(lambda: lc.check_notes("one two three four five six")) == "note"
    lc = LeakChecker(phrase_in_notes=lambda ws: 0)  # type: ignore[arg-type, return-value]
    assert _kind(lambda: lc.check_notes("one two three four five six")) is None


def test_without_a_note_lookup_notes_are_not_checked() -> None:
    assert _kind(lambda: LeakChecker().check_notes("one two three four five six seven")) is None


# -- PDF bytes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["Title", "Author", "Creator", "Subject", "Keywords"])
def test_every_identifying_metadata_field_is_refused(field: str) -> None:
    lc = LeakChecker()
    literal = b"<< /%s (Officer Smith) >>" % field.encode()
    hexed = b"<< /%s <4F6666> >>" % field.encode()
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(trailer=literal))) == "metadata"
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(trailer=hexed))) == "metadata"
    empty = b"<< /%s () /%s (   ) >>" % (field.encode(), field.encode())
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(trailer=empty))) is None


def test_pdf_names_and_dates_outside_streams_are_found() -> None:
    lc = LeakChecker(names=["Zorblat Quix"])
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(trailer=b"% zorblat quix"))) == "name"
    for date in (b"2026-03-05", b"D:20260305", b"T10:30"):
        assert _kind(lambda d=date: lc.check_pdf_bytes(_pdf(trailer=b"% " + d))) == "date"
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(trailer=b"% 2026-03 D:202603"))) is None


def test_removing_the_streams_makes_up_no_words() -> None:
    """What stands outside the streams is read as it is: no word appears where a stream was."""
    for alias in ("Xx", "Xx Xx"):
        lc = LeakChecker(names=[alias])
        assert _kind(lambda lc=lc: lc.check_pdf_bytes(_pdf(b"\x00\x01", b"\x02\x03"))) is None


def test_raw_stream_bytes_are_not_read_as_text() -> None:
    """Binary streams (fonts, images) would match short aliases by chance and say nothing."""
    lc = LeakChecker(names=["Jo"])
    binary = b"\x00\x01 jo \x02\n jo 2026-03-05\n\x03"
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(binary, b"more\r\n jo \r\n"))) is None
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(binary, trailer=b"% jo"))) == "name"


@pytest.mark.parametrize("where", ["first", "second", "third"])
def test_every_deflated_stream_is_inflated_and_checked(where: str) -> None:
    lc = LeakChecker(names=["Zorblat Quix"])
    plain = zlib.compress(b"BT (count 3) Tj ET")
    hit = zlib.compress(b"BT (Zorblat Quix) Tj ET")
    streams = [plain, b"\x00\x01not deflate\x02", plain]
    streams[["first", "second", "third"].index(where)] = hit
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(*streams))) == "name"
    dated = [plain, zlib.compress(b"BT (2026-03-05) Tj ET")]
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(*dated))) == "date"


def test_a_stream_with_crlf_after_the_keyword_is_inflated() -> None:
    lc = LeakChecker(names=["Zorblat Quix"])
    body = zlib.compress(b"BT (Zorblat Quix) Tj ET")
    pdf = b"%PDF-1.4\n1 0 obj\n<< >>\nstream\r\n" + body + b"\r\nendstream\nendobj\n"
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) == "name"


def test_an_unterminated_stream_is_still_inflated_and_checked() -> None:
    """A damaged PDF whose last stream has no ``endstream`` hides nothing in that stream."""
    lc = LeakChecker(names=["Zorblat Quix"])
    body = zlib.compress(b"BT (Zorblat Quix) Tj ET")
    pdf = _pdf(zlib.compress(b"count 3")) + b"stream\n" + body  # no endstream
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) == "name"
    pdf = _pdf(zlib.compress(b"count 3")) + b"stream\n" + zlib.compress(b"count 4")
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) is None


def _deflate_with_stored_text(stored: bytes, compressed: bytes) -> bytes:
    """One zlib stream: ``stored`` kept as it is (a stored block), then ``compressed`` deflated."""
    first = zlib.compressobj(level=0, wbits=-15)
    raw = first.compress(stored) + first.flush(zlib.Z_SYNC_FLUSH)  # not the final block
    second = zlib.compressobj(level=9, wbits=-15)
    raw += second.compress(compressed) + second.flush()
    whole = stored + compressed
    return b"\x78\x01" + raw + zlib.adler32(whole).to_bytes(4, "big")


def test_a_stream_whose_bytes_spell_endstream_is_inflated_whole() -> None:
    """The word ``endstream`` inside a stream's deflated bytes does not end the stream early.

    A note that says "endstream" can be stored uncompressed by a PDF writer; the name deflated
    after it must still be read, and is not visible in the raw bytes.
    """
    body = _deflate_with_stored_text(b"BT (note: endstream) Tj ET ", b"BT (Zorblat Quix) Tj ET")
    assert zlib.decompress(body).endswith(b"Zorblat Quix) Tj ET")
    assert b"endstream" in body and b"Zorblat" not in body
    lc = LeakChecker(names=["Zorblat Quix"])
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(body))) == "name"
    assert _kind(lambda: lc.check_pdf_bytes(_pdf(zlib.compress(b"count 3"), body))) == "name"


def _mostly_text(printable: int, other: int, other_byte: int) -> bytes:
    """``printable`` bytes of text holding an alias, then ``other`` bytes of ``other_byte``."""
    text = b"BT (Zorblat Quix) Tj ET "
    text = (text * (printable // len(text) + 1))[:printable]
    return text + bytes([other_byte]) * other


@pytest.mark.parametrize(
    ("printable", "other", "byte", "inspected"),
    [
        (95, 5, 0, True),  # 95 % printable: read as text
        (94, 6, 0, False),  # below 95 %: binary, skipped
        (90, 10, 127, False),  # DEL is not text
        (90, 10, 0x80, False),  # nor is a high byte
    ],
)
def test_an_inflated_stream_is_read_when_at_least_95_percent_is_text(
    printable: int, other: int, byte: int, inspected: bool
) -> None:
    lc = LeakChecker(names=["Zorblat Quix"])
    pdf = _pdf(zlib.compress(_mostly_text(printable, other, byte)))
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) == ("name" if inspected else None)


@pytest.mark.parametrize("space", [b" ", b"\t", b"\n", b"\r"])
def test_spaces_tabs_and_line_breaks_count_as_text(space: bytes) -> None:
    lc = LeakChecker(names=["Zorblat Quix"])
    body = b"(Zorblat" + space * 30 + b"Quix)"
    body = body.replace(space * 30, space * 15 + b" " + space * 14) if space != b" " else body
    pdf = _pdf(zlib.compress(body))
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) == "name"


def test_a_stream_that_inflates_to_nothing_is_skipped() -> None:
    lc = LeakChecker(names=["Zorblat Quix"])
    pdf = _pdf(zlib.compress(b""), trailer=b"% count 3")
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) is None


def test_inflated_text_is_read_as_latin1() -> None:
    lc = LeakChecker(names=["Zoë Quix"])
    text = "BT /F1 12 Tf 72 712 Td (Zoë Quix) Tj ET"  # one byte in 39 is not ASCII
    pdf = _pdf(zlib.compress(text.encode("latin-1")))
    assert _kind(lambda: lc.check_pdf_bytes(pdf)) == "name"


# -- check_output: each format gets its checks, with every input passed through -----------------


def test_check_output_routes_each_format_and_passes_every_input() -> None:
    notes = "the fight near the gym after lunch"

    def lookup(words):
        return " ".join(words) in notes

    common = {
        "names": ["Zorblat"],
        "phrase_in_notes": lookup,
        "schools": ["Lincoln High"],
        "extra_vocabulary": ["fight near the gym after lunch"],
    }
    assert _kind(lambda: check_output(b"count Zorblat", "json", **common)) == "name"
    assert _kind(lambda: check_output(notes.encode(), "json", **common)) == "note"
    assert _kind(lambda: check_output(b"lincoln high lunch 3", "json", **common)) is None
    assert _kind(lambda: check_output(b"lincoln high lunch 3", "json")) == "label"
    assert _kind(lambda: check_output(b"count,school\n3,=1\n", "csv", **common)) == "formula"
    assert _kind(lambda: check_output(b"count,school\n3,Lincoln High\n", "csv", **common)) is None
    assert _kind(lambda: check_output(b"count,school\n3,Lincoln High\n", "json")) == "label"
    pdf = _pdf(zlib.compress(b"BT (Zorblat) Tj ET"))
    assert _kind(lambda: check_output(pdf, "pdf", **common)) == "name"
    # a PDF is not checked as text: its raw bytes hold words of no allow-list
    assert _kind(lambda: check_output(_pdf(b"\x00 binary"), "pdf", **common)) is None
