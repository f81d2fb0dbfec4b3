from __future__ import annotations

import pytest

from srojournal.domain.schools import SchoolNameRefused, clean_school_name
from srojournal.domain.text import normalize_alias


@pytest.mark.parametrize(
    "variant", ["Sam R", "Sam  R", " sam r ", "SAM\tR", "Ｓａｍ Ｒ", "Sam\u00a0R", "sam\u2003r"]
)
def test_alias_variants_are_one_alias(variant: str) -> None:
    assert normalize_alias(variant) == "sam r"


def test_alias_normalisation_keeps_distinct_aliases_distinct() -> None:
    assert normalize_alias("Sam R") != normalize_alias("Sam B")
    assert normalize_alias("Straße") == normalize_alias("STRASSE")  # case folding, not lower()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Lincoln High", "Lincoln High"),
        ("  St. Mary's   K-8 ", "St. Mary's K-8"),
        ("Texas A&M Prep (North)", "Texas A&M Prep (North)"),
        ("PS 123", "PS 123"),
    ],
)
def test_school_names_that_look_like_names(typed: str, stored: str) -> None:
    assert clean_school_name(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("http://x")',
        "+1",
        "-Lincoln",
        "@SUM(A1)",
        "\tLincoln",
        "Lincoln\nHigh",
        "",
        "   ",
        "Student says he sleeps at his aunt's house most nights now",
        "Why?",
        "Lincoln; drop table",
        "12345",
        "_all",
        "x" * 61,
    ],
)
def test_text_that_is_not_a_school_name_is_refused(typed: str) -> None:
    with pytest.raises(SchoolNameRefused) as info:
        clean_school_name(typed)
    assert typed.strip() == "" or typed.strip() not in str(info.value)
