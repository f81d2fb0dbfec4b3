"""The rules of the evening's quick entry: typed dates and times, type-ahead, defaults,
the questions before saving, search hits."""

from __future__ import annotations

import datetime as dt

import pytest

from srojournal.domain import entries, matching, taxonomy, when
from srojournal.domain.errors import InvalidInput

TODAY = dt.date(2026, 3, 18)  # a Wednesday
TYPES = {t.code: t for t in taxonomy.BUILTIN_CONTACT_TYPES}


@pytest.mark.parametrize(
    ("text", "side", "day"),
    [
        ("2026-03-14", "any", dt.date(2026, 3, 14)),
        ("2026-3-4", "any", dt.date(2026, 3, 4)),
        ("3/14", "past", dt.date(2026, 3, 14)),
        ("12/30", "past", dt.date(2025, 12, 30)),
        ("3/14", "future", dt.date(2027, 3, 14)),
        ("3/14/26", "any", dt.date(2026, 3, 14)),
        ("today", "any", TODAY),
        (" Yesterday ", "any", dt.date(2026, 3, 17)),
        ("tomorrow", "any", dt.date(2026, 3, 19)),
        ("fri", "future", dt.date(2026, 3, 20)),
        ("fri", "past", dt.date(2026, 3, 13)),
        ("Monday", "past", dt.date(2026, 3, 16)),
        ("wed", "past", TODAY),
        ("+7", "any", dt.date(2026, 3, 25)),
        ("+2w", "any", dt.date(2026, 4, 1)),
        ("-3", "any", dt.date(2026, 3, 15)),
        ("Mar 2", "past", dt.date(2026, 3, 2)),
        ("2 march 2025", "any", dt.date(2025, 3, 2)),
    ],
)
def test_a_day_typed_in_any_usual_way(text: str, side: when.Side, day: dt.date) -> None:
    assert when.parse_day(text, TODAY, side) == day


@pytest.mark.parametrize("text", ["", "late0261128", "2026-02-30", "13/1", "soon", "2026"])
def test_a_text_that_is_no_day_says_so(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a date"):
        when.parse_day(text, TODAY)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("14:30", dt.time(14, 30)),
        ("1430", dt.time(14, 30)),
        ("930", dt.time(9, 30)),
        ("9", dt.time(9, 0)),
        ("2:30p", dt.time(14, 30)),
        ("2:30 PM", dt.time(14, 30)),
        ("12am", dt.time(0, 0)),
        ("noon", dt.time(12, 0)),
    ],
)
def test_a_time_typed_in_any_usual_way(text: str, clock: dt.time) -> None:
    assert when.parse_clock(text) == clock


@pytest.mark.parametrize("text", ["25:00", "9:75", "13pm", "half past", ""])
def test_a_text_that_is_no_time_says_so(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a time"):
        when.parse_clock(text)


def test_type_ahead_finds_words_in_order_and_keeps_the_given_order() -> None:
    labels = [o.label for o in taxonomy.OUTCOMES]
    assert labels[matching.rank("Agreement h", labels)[0]] == "Agreement held"
    assert labels[matching.rank("ag", labels)[0]] == "Agreement reached"
    assert labels[matching.rank("br", labels)[0]] == "Agreement broken"
    types = [t.label for t in taxonomy.BUILTIN_CONTACT_TYPES]
    assert types[matching.rank("med", types)[0]] == "Conflict mediation"
    assert types[matching.rank("me", types)[0]] == "Mentoring session"
    assert types[matching.rank("hall", types)[0]].startswith("Relationship-building")
    assert types[matching.rank("de-es", types)[0]] == "De-escalation"
    assert matching.rank("zzz", types) == []
    assert matching.rank("", types) == list(range(len(types)))
    exact = matching.rank("warning", labels)
    assert labels[exact[0]] == "Warning"


def test_type_ahead_puts_the_label_typed_in_full_first_and_keeps_word_order() -> None:
    labels = ["Agreement held", "Agreement", "Conflict mediation"]
    assert matching.rank("agreement", labels) == [1, 0]  # the exact label first
    assert matching.rank("iat", labels) == [2]  # three letters inside a word count
    assert matching.rank("he he", labels) == []  # one word of the label cannot match twice
    assert matching.rank("held ag", labels) == []  # the words in order only
    assert matching.rank("agreement held", labels) == [0]


def test_defaults_follow_the_type() -> None:
    assert entries.default_minutes(TYPES["mentoring"]) == 30
    assert entries.default_minutes(TYPES["relationship"]) == 5
    custom = taxonomy.ContactType("lunch_bunch", "Lunch bunch", "mentoring", "counselor", False)
    assert entries.default_minutes(custom) == 30
    assert entries.default_minutes(None) == entries.FALLBACK_MINUTES
    assert entries.default_role(TYPES["mediation"]) == "party"
    assert entries.default_role(TYPES["mentoring"]) == "participant"
    assert entries.default_follow_up("follow_up_scheduled", TODAY) == dt.date(2026, 3, 25)
    assert entries.default_follow_up("resolved", TODAY) is None


def test_what_looks_forgotten_unless_the_type_allows_it() -> None:
    assert entries.entry_warnings(TYPES["mentoring"], "", 0) == (
        entries.NO_NOTES,
        entries.NO_MINUTES,
    )
    assert entries.entry_warnings(TYPES["mentoring"], "fine", 20) == ()
    assert entries.entry_warnings(TYPES["classroom"], "", 50) == ()  # attendees tell it
    assert entries.entry_warnings(TYPES["relationship"], "said hi", 0) == ()


def test_search_hits_are_whole_words_and_the_last_a_prefix() -> None:
    text = "Basketball tryouts; basket weaving; the ball"
    spans = matching.hit_spans(text, "ball bask")
    assert [text[a:b] for a, b in spans] == ["Basketball", "basket", "ball"]
    assert matching.hit_spans(text, "") == []
    assert matching.hit_spans(text, "  ;  ") == []  # no words: nothing is marked


def test_search_hits_of_the_shown_part_only() -> None:
    """The list finds hits in the part of a note it shows: words that begin before ``stop``."""
    text = "ball basket ball basketball"
    finder = matching.HitFinder("ball bask")
    assert finder.spans(text) == matching.hit_spans(text, "ball bask")
    assert finder.spans(text, stop=12) == [(0, 4), (5, 11)]
    assert finder.spans(text, stop=13) == [(0, 4), (5, 11), (12, 16)]  # begins before, ends after
    assert finder.spans(text, stop=0) == []
    assert matching.HitFinder("").spans(text) == []
    # Every word but the last is a whole word, the last a prefix.
    text = "ball basket weaving basketball"
    spans = matching.hit_spans(text, "ball basket weav")
    assert [text[a:b] for a, b in spans] == ["ball", "basket", "weaving"]


def test_search_hits_fold_case_and_width_in_any_word() -> None:
    """Words are compared as the search compares them (one normalisation), ASCII or not."""
    text = "ＳＡＭ met Sam, SAMUEL and Straße staff at the ﬁeld"
    spans = matching.hit_spans(text, "sam strasse")
    assert [text[a:b] for a, b in spans] == ["ＳＡＭ", "Sam", "Straße"]
    spans = matching.hit_spans(text, "STRASSE sam")
    assert [text[a:b] for a, b in spans] == ["ＳＡＭ", "Sam", "SAMUEL", "Straße"]
    assert [text[a:b] for a, b in matching.hit_spans(text, "fie")] == ["ﬁeld"]


@pytest.mark.parametrize(
    ("text", "day"),
    [("yest", dt.date(2026, 3, 17)), ("y", dt.date(2026, 3, 17)), ("tod", TODAY),
     ("tom", dt.date(2026, 3, 19)), ("fr", dt.date(2026, 3, 20)), ("frid", dt.date(2026, 3, 20)),
     ("th", dt.date(2026, 3, 19))],
)  # fmt: skip
def test_the_start_of_a_day_word_is_enough(text: str, day: dt.date) -> None:
    assert when.parse_day(text, TODAY, "future") == day


@pytest.mark.parametrize("text", ["t", "s", "frix", "to"])
def test_an_ambiguous_or_wrong_day_word_is_refused(text: str) -> None:
    if text == "t":  # "t" is today by convention
        assert when.parse_day(text, TODAY) == TODAY
        return
    with pytest.raises(InvalidInput):
        when.parse_day(text, TODAY)


def test_one_letter_is_no_match_inside_a_word() -> None:
    labels = [o.label for o in taxonomy.OUTCOMES]
    assert [labels[i] for i in matching.rank("Agreement h", labels)] == ["Agreement held"]
    assert labels[matching.rank("eached", labels)[0]] == "Agreement reached"


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("c", ""),
        ("cl", "cl"),
        ("class b", "class"),
        ("class b ", "class"),
        ("class bu", "class bu"),
        ("7", ""),
        ("", ""),
        ("  ", "  "),
        ("é", ""),
        ("  class b", "  class"),  # what comes before the letter stays as typed
    ],
)
def test_a_last_word_of_one_letter_waits_while_typing(typed: str, searched: str) -> None:
    assert matching.while_typing(typed) == searched
