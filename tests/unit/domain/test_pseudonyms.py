"""Other students in one student's records are numbered, in the lists and in the texts."""

from __future__ import annotations

from srojournal.domain.pseudonyms import Pseudonyms

STUDENTS = [
    (1, "Quinn"),  # the subject
    (2, "Sam R"),
    (3, "Sam"),
    (4, "JD"),
    (5, "A"),
    (6, "Mary-Jo"),
    (7, "Quinn"),  # the subject's alias, at another school
    (8, "J.D. Smith"),
]


def test_numbers_are_given_in_order_of_first_use_and_kept() -> None:
    p = Pseudonyms(1, STUDENTS)
    assert p.label(6) == "Other student 1"
    assert p.label(2) == "Other student 2"
    assert p.label(6) == "Other student 1"


def test_aliases_in_texts_are_replaced_as_whole_words() -> None:
    p = Pseudonyms(1, STUDENTS)
    sam_r, sam, mary = p.label(2), p.label(3), p.label(6)
    text = "Sam  r and SAM met Samuel; mary-jo's sister. Quinn stayed."
    assert p.text(text) == (
        f"{sam_r} and {sam} met Samuel; {mary}'s sister. Quinn stayed."  # longest alias first
    )


def test_short_aliases_only_as_written_and_one_letter_never() -> None:
    p = Pseudonyms(1, STUDENTS)
    assert p.text("JD said jd is a word here. A student.") == (
        f"{p.label(4)} said jd is a word here. A student."
    )
    assert p.text("j.d.  SMITH was there") == f"{p.label(8)} was there"


def test_the_subjects_own_alias_stays_even_where_another_student_shares_it() -> None:
    p = Pseudonyms(1, STUDENTS)
    assert p.text("Quinn and quinn") == "Quinn and quinn"
    assert 7 not in p.labels


def test_a_text_with_no_other_student_is_unchanged() -> None:
    p = Pseudonyms(1, [(1, "Quinn")])
    text = "=cmd|' /C calc'!A0 and Quinn"
    assert p.text(text) is text
