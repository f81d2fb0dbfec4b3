"""The fixed words of our reports: labels for codes, the S explanation, the methodology note.

Pure Python (no Qt), so the leak check can allow exactly these words without importing the PDF
renderer.
"""

from __future__ import annotations

from srojournal.domain.taxonomy import BUILTIN_CONTACT_TYPES, CATEGORY_LABELS, REFERRAL_TARGETS

from .model import STATUS_LOWER_BOUND, STATUS_SUPPRESSED, Cell
from .tables import ALL, TABLE_TITLES

MEASURE_LABELS = {
    "contacts": "Contacts",
    "students": "Students reached",
    "hours": "Hours",
    "follow_ups_due": "Follow-ups due",
    "follow_ups_done": "Follow-ups done",
    "attendees": "Attendees",
}
STATUS_LABELS = {
    "due": "Due",
    "done_on_time": "Done on time",
    "done_late": "Done late",
    "open": "Still open",
}
TYPE_LABELS = {t.code: t.label for t in BUILTIN_CONTACT_TYPES} | {"other": "Other"}
GRADE_LABELS = {"elementary": "Elementary", "middle": "Middle", "high": "High"}
GRADE_LABELS["unknown"] = "Unknown"

SUMMARY_TITLE = "SRO Journal monthly summary"
AGGREGATE_TITLE = "SRO Journal summary roll-up"
S_EXPLAINED = (
    "S = suppressed: the count is hidden to protect students. It may be any number, zero "
    "included; the file holds no hidden value."
)
LOWER_BOUND_EXPLAINED = (
    "A figure marked with a plus sign is a lower bound: at least one summary that went into it "
    "had that cell suppressed."
)
ROLLUP_EXPLAINED = (
    "Every figure is a sum over the summaries: a student reached in two months, or by two "
    "officers, is counted in each."
)
METHOD_TITLE = "Methodology"


def methodology(k: int) -> list[str]:
    return [
        f"Counts only. A cell is suppressed when it covers fewer than {k} different students, "
        "however many contacts they had.",
        "A row or column whose contacts all carry the same sensitive outcome (enforcement or "
        "referral) is suppressed in that breakdown.",
        f"A month with fewer than {k} different students publishes no breakdown.",
        "Further cells are suppressed so that no hidden count can be worked out from totals, "
        "other tables or earlier releases; an exact integer-programming audit checks that every "
        "hidden count could be any of at least four values before the file is written.",
        "Units: contacts (headline, T1, T2, T6), student contacts (T3: each student in a contact "
        "counts once), referrals (T4), follow-ups (T5). Total = row or column total.",
    ]


FIXED_TEXT: tuple[str, ...] = (
    SUMMARY_TITLE,
    AGGREGATE_TITLE,
    S_EXPLAINED,
    LOWER_BOUND_EXPLAINED,
    ROLLUP_EXPLAINED,
    METHOD_TITLE,
    *methodology(10),
    "Period Release Threshold k Periods Sources Summaries Total Count Contacts by category",
    "Contacts by outcome group page of inputs used the highest",
    *MEASURE_LABELS.values(),
    *STATUS_LABELS.values(),
    *TYPE_LABELS.values(),
    *GRADE_LABELS.values(),
    *TABLE_TITLES.values(),
)


def label(dimension: str, value: str) -> str:
    if value == ALL:
        return "Total"
    table = {
        "category": CATEGORY_LABELS,
        "referral": REFERRAL_TARGETS,
        "measure": MEASURE_LABELS,
        "follow_up_status": STATUS_LABELS,
        "contact_type": TYPE_LABELS,
        "grade_band": GRADE_LABELS,
    }.get(dimension)
    if table is not None and value in table:
        return table[value]
    if dimension == "outcome_group":
        return value.replace("_", " ").capitalize()
    return value


def cell_text(cell: Cell) -> str:
    if cell.status == STATUS_SUPPRESSED or cell.count is None:
        return "S"
    if cell.status == STATUS_LOWER_BOUND:
        return f"{cell.count}+"
    return str(cell.count)
