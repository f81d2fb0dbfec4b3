"""The built-in taxonomy. Codes are part of the data format and of summaries: never rename one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CATEGORIES: Final = ("relationship", "mentoring", "conflict", "education", "safety")
CATEGORY_LABELS: Final = {
    "relationship": "Relationship-building",
    "mentoring": "Mentoring",
    "conflict": "Conflict resolution",
    "education": "Education",
    "safety": "Safety",
}
TRIAD_ROLES: Final = ("educator", "counselor", "law_enforcement")


@dataclass(frozen=True, slots=True)
class ContactType:
    code: str
    label: str
    category: str
    triad_role: str
    builtin: bool = True
    retired: bool = False
    # Activities that involve a group rather than individual students (lessons, drills, events).
    group_activity: bool = False


def _t(code: str, label: str, category: str, role: str, group: bool = False) -> ContactType:
    return ContactType(code, label, category, role, group_activity=group)


BUILTIN_CONTACT_TYPES: Final[tuple[ContactType, ...]] = (
    _t(
        "relationship",
        "Relationship-building contact (hallway, lunch, bus, event)",
        "relationship",
        "counselor",
    ),
    _t("student_consult", "Student-initiated conversation", "relationship", "counselor"),
    _t("parent_contact", "Parent/guardian contact", "relationship", "counselor"),
    _t("staff_consult", "Staff consultation", "relationship", "counselor"),
    _t("mentoring", "Mentoring session", "mentoring", "counselor"),
    _t("mentoring_followup", "Mentoring follow-up", "mentoring", "counselor"),
    _t("mediation", "Conflict mediation", "conflict", "counselor"),
    _t("restorative", "Restorative circle / conference", "conflict", "counselor"),
    _t("deescalation", "De-escalation", "conflict", "law_enforcement"),
    _t("classroom", "Classroom lesson", "education", "educator", group=True),
    _t("small_group", "Small-group session", "education", "educator", group=True),
    _t("staff_training", "Staff training", "education", "educator", group=True),
    _t("community_event", "Community presentation / event", "education", "educator", group=True),
    _t("threat_assessment", "Threat-assessment team", "safety", "law_enforcement"),
    _t("safety_check", "Drill / safety walk-through", "safety", "law_enforcement", group=True),
    _t("event_duty", "Event or traffic duty", "safety", "law_enforcement", group=True),
    _t("welfare_assist", "Medical / welfare assist", "safety", "law_enforcement"),
    _t("investigation", "Investigation", "safety", "law_enforcement"),
)
BUILTIN_TYPE_CODES: Final = frozenset(t.code for t in BUILTIN_CONTACT_TYPES)


@dataclass(frozen=True, slots=True)
class Outcome:
    code: str
    label: str
    group: str


OUTCOMES: Final[tuple[Outcome, ...]] = (
    Outcome("resolved", "Resolved", "resolved"),
    Outcome("no_action", "No action needed", "resolved"),
    Outcome("follow_up_scheduled", "Follow-up scheduled", "follow_up"),
    Outcome("referred", "Referred", "referred"),
    Outcome("parent_notified", "Parent/guardian notified", "notified"),
    Outcome("admin_notified", "Administrator notified", "notified"),
    Outcome("agreement_reached", "Agreement reached", "agreement"),
    Outcome("agreement_partial", "Partial agreement", "agreement"),
    Outcome("no_agreement", "No agreement", "no_agreement"),
    Outcome("agreement_held", "Agreement held", "agreement"),
    Outcome("agreement_broken", "Agreement broken", "no_agreement"),
    Outcome("warning", "Warning", "enforcement"),
    Outcome("diversion", "Diversion", "enforcement"),
    Outcome("citation", "Citation", "enforcement"),
    Outcome("arrest", "Arrest", "enforcement"),
)
OUTCOME_BY_CODE: Final = {o.code: o for o in OUTCOMES}
OUTCOME_GROUPS: Final = (
    "resolved",
    "follow_up",
    "referred",
    "notified",
    "agreement",
    "no_agreement",
    "enforcement",
)
# A row or column whose contacts all carry one of these groups is suppressed
# (docs/summary-format.md).
SENSITIVE_OUTCOME_GROUPS: Final = frozenset({"enforcement", "referred"})
# Contacts recorded without an outcome are reported in this group.
NO_OUTCOME_GROUP: Final = "none"

REFERRAL_TARGETS: Final[dict[str, str]] = {
    "counselor": "School counselor",
    "social_worker": "School social worker",
    "nurse": "School nurse",
    "administrator": "Administrator",
    "threat_team": "Threat-assessment team",
    "iep_504": "IEP / 504 team",
    "child_protection": "Child protection",
    "crisis_mental_health": "Crisis / mental-health services",
    "chemical_health": "Chemical-health services",
    "community_mentoring": "Community mentoring program",
    "restorative_program": "Restorative-justice program",
    "diversion_program": "Diversion program",
    "juvenile_court": "Juvenile court",
    "victim_services": "Victim services",
}

GRADE_BANDS: Final = ("elementary", "middle", "high", "unknown")
GRADES: Final = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")

INITIATORS: Final = ("student", "staff", "parent", "sro")
STUDENT_ROLES: Final = ("participant", "party")
FOLLOW_UP_STATUSES: Final = ("open", "done", "cancelled")
CONFLICT_STATUSES: Final = ("open", "held", "broken", "closed")


def normalize_grade(value: str | None) -> str | None:
    """Return the canonical grade (``K`` or ``1``–``12``) or None; raise ValueError if invalid."""
    if value is None:
        return None
    v = value.strip().upper()
    if v in ("", "?", "UNKNOWN"):
        return None
    if v in ("K", "KG", "0"):
        return "K"
    if v.isdigit() and 1 <= int(v) <= 12:
        return str(int(v))
    raise ValueError(f"grade must be K or 1–12, not {value!r}")


def grade_band(grade: str | None) -> str:
    if grade is None:
        return "unknown"
    if grade == "K":
        return "elementary"
    n = int(grade)
    if n <= 5:
        return "elementary"
    return "middle" if n <= 8 else "high"


def outcome_group(outcome: str | None) -> str:
    if outcome is None:
        return NO_OUTCOME_GROUP
    return OUTCOME_BY_CODE[outcome].group
