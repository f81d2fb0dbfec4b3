"""What the journal accepts in a record, checked before anything is stored.

These rules need no storage: the vault adds the checks that do (the contact type and the school
exist, the students exist) and the same rules hold for the window, the command line and an import.
"""

from __future__ import annotations

import re
from typing import Final

from srojournal.domain import taxonomy
from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ContactInput

MAX_LABEL_CHARS: Final = 120
MAX_DURATION_MIN: Final = 24 * 60
MAX_ATTENDEES: Final = 100_000
# A custom contact-type code: a stable identifier in summaries, so a plain lowercase word.
TYPE_CODE_RE: Final = re.compile(r"[a-z][a-z0-9_]{1,39}")


def clean_label(value: str, what: str) -> str:
    """A one-line name (alias, school, label): whitespace collapsed, not empty, not too long."""
    v = " ".join(value.split())
    if not v:
        raise InvalidInput(f"{what} cannot be empty.")
    if len(v) > MAX_LABEL_CHARS:
        raise InvalidInput(f"{what} is too long ({MAX_LABEL_CHARS} characters at most).")
    return v


def checked_grade(value: str | None) -> str | None:
    """The canonical grade (``K`` or ``1``–``12``) or None."""
    try:
        return taxonomy.normalize_grade(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def checked_type_code(code: str) -> str:
    code = code.strip().lower()
    if not TYPE_CODE_RE.fullmatch(code):
        raise InvalidInput(
            "A type code uses 2–40 lowercase letters, digits or underscores, starting with "
            "a letter."
        )
    return code


def checked_category(category: str) -> str:
    if category not in taxonomy.CATEGORIES:
        raise InvalidInput(f"Unknown category {category!r}.")
    return category


def triad_role_for(category: str) -> str:
    """The triad role of a custom contact type, from its category."""
    return {"education": "educator", "safety": "law_enforcement"}.get(category, "counselor")


def check_contact(data: ContactInput) -> None:
    """The coded fields of a contact are known codes and its numbers are in range."""
    if data.outcome is not None and data.outcome not in taxonomy.OUTCOME_BY_CODE:
        raise InvalidInput(f"Unknown outcome {data.outcome!r}.")
    for r in data.referrals:
        if r not in taxonomy.REFERRAL_TARGETS:
            raise InvalidInput(f"Unknown referral target {r!r}.")
    if data.initiated_by is not None and data.initiated_by not in taxonomy.INITIATORS:
        raise InvalidInput(f"'Initiated by' must be one of {', '.join(taxonomy.INITIATORS)}.")
    if data.duration_min is not None and not 0 <= data.duration_min <= MAX_DURATION_MIN:
        raise InvalidInput(f"Duration must be between 0 and {MAX_DURATION_MIN} minutes.")
    if data.attendees is not None and not 0 <= data.attendees <= MAX_ATTENDEES:
        raise InvalidInput("Attendees must be between 0 and 100,000.")
    seen: set[int] = set()
    for cs in data.students:
        if cs.role not in taxonomy.STUDENT_ROLES:
            raise InvalidInput(f"Unknown student role {cs.role!r}.")
        if cs.student_id in seen:
            raise InvalidInput("A student is listed twice in one contact.")
        seen.add(cs.student_id)
