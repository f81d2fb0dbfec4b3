"""What a school name may look like.

A school name is the only officer-typed text that appears in a summary, so it is held to a shape
that a school name has and a note does not: a few words, no sentence punctuation, no formula
characters at the start (a spreadsheet would run ``=HYPERLINK(...)``), no line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

MAX_SCHOOL_NAME_CHARS: Final = 60
MAX_SCHOOL_NAME_WORDS: Final = 8
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
# Letters, digits, spaces and the punctuation school names use ("St. Mary's", "K-8", "A&M").
_ALLOWED: Final = re.compile(r"^[\w .'’&()/,-]+$")
_HAS_LETTER: Final = re.compile(r"[^\W\d_]")


class SchoolNameRefused(ValueError):
    """The text does not look like a school name; the message says why (never the text)."""


def clean_school_name(text: str) -> str:
    """The name as stored: NFKC, whitespace collapsed and trimmed. Raises SchoolNameRefused."""
    if not isinstance(text, str):
        raise SchoolNameRefused("A school name must be text.")
    raw = unicodedata.normalize("NFKC", text)
    if raw.lstrip(" ").startswith(FORMULA_START):
        raise SchoolNameRefused(
            "A school name cannot start with =, +, -, @ or a tab (spreadsheet formula characters)."
        )
    if "\n" in raw or "\r" in raw or "\t" in raw:
        raise SchoolNameRefused("A school name must fit on one line.")
    name = " ".join(raw.split())
    if not name:
        raise SchoolNameRefused("A school name cannot be empty.")
    if len(name) > MAX_SCHOOL_NAME_CHARS:
        raise SchoolNameRefused(
            f"A school name can have at most {MAX_SCHOOL_NAME_CHARS} characters; "
            "this looks like a sentence, not a name."
        )
    if len(name.split(" ")) > MAX_SCHOOL_NAME_WORDS:
        raise SchoolNameRefused(
            f"A school name can have at most {MAX_SCHOOL_NAME_WORDS} words; "
            "this looks like a sentence, not a name."
        )
    if not _ALLOWED.match(name) or not _HAS_LETTER.search(name):
        raise SchoolNameRefused(
            "A school name can hold letters, digits, spaces and . ' & ( ) / , - only."
        )
    if name == "_all":
        raise SchoolNameRefused("That name is reserved.")
    return name
