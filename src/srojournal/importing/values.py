"""Labels a spreadsheet uses, mapped onto our codes.

Each coded field has a vocabulary: our codes, their labels and the common ways officers write
them ("Mentor session", "Parent called", "CPS"). A label is compared after NFKC, case folding and
punctuation/space collapsing. Anything else is an unknown value: the preview lists each one once
with its row count and, where one candidate clearly fits, a suggestion for the officer to accept
("Mentor mtg" -> mentoring). A suggestion is never applied without the officer's say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from srojournal.domain import taxonomy

# Fields whose cells are labels mapped onto codes (or onto the school list).
CODED_FIELDS: Final = ("type", "outcome", "initiated_by", "referrals", "roles", "school")
# Written in an optional coded column, these mean "nothing".
BLANK_WORDS: Final = frozenset({"", "n a", "na", "none", "nil", "null"})

_NON_WORD: Final = re.compile(r"[\W_]+")
_ABBREVIATIONS: Final = {
    "mtg": "meeting",
    "mtng": "meeting",
    "conf": "conference",
    "w": "with",
    "asst": "assist",
    "ed": "education",
    "mgmt": "management",
    "mh": "mental health",
    "govt": "government",
    "admin": "administrator",
    "prnt": "parent",
    "stu": "student",
    "f u": "follow up",
    "fu": "follow up",
}


def normalize_label(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def _alts(text: str) -> tuple[str, ...]:
    """'a | b | c' -> ('a', 'b', 'c'): keeps the tables below one line per code."""
    return tuple(t.strip() for t in text.split("|"))


TYPE_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "relationship": _alts(
        "relationship building | hallway | informal | rapport | casual contact | positive contact"
        " | lunch | bus"
    ),
    "student_consult": _alts(
        "student consult | student initiated | student conversation | walk in | drop in"
    ),
    "parent_contact": _alts(
        "parent | parent contact | guardian contact | parent meeting | parent call"
        " | family contact | parent conference"
    ),
    "staff_consult": _alts(
        "staff | staff consult | teacher consult | consultation | admin consult | staff meeting"
    ),
    "mentoring": _alts("mentor | mentor session | mentor meeting | mentoring meeting | mentorship"),
    "mentoring_followup": _alts("mentoring follow up | mentor follow up | mentor check in"),
    "mediation": _alts("conflict mediation | peer mediation | conflict"),
    "restorative": _alts(
        "restorative circle | circle | restorative conference | restorative justice"
    ),
    "deescalation": _alts("de escalation | de escalate | crisis intervention"),
    "classroom": _alts("class | lesson | classroom lesson | classroom presentation"),
    "small_group": _alts("small group | group session | group"),
    "staff_training": _alts("training | staff training | in service | professional development"),
    "community_event": _alts("community event | community presentation | assembly"),
    "threat_assessment": _alts("threat assessment | threat | bta | behavioral threat assessment"),
    "safety_check": _alts(
        "drill | fire drill | lockdown drill | safety drill | walk through | safety walk"
        " | safety check"
    ),
    "event_duty": _alts("event duty | traffic | traffic duty | game duty | dismissal duty"),
    "welfare_assist": _alts("welfare | welfare check | medical | medical assist"),
    "investigation": _alts("investigate | incident investigation | criminal investigation"),
}
OUTCOME_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "resolved": _alts("handled | closed | complete | completed"),
    "no_action": _alts("no action | no further action | nfa"),
    "follow_up_scheduled": _alts("follow up | followup | follow up scheduled"),
    "referred": _alts("referral | referred out"),
    "parent_notified": _alts(
        "parent contacted | parents notified | guardian notified | called parent | parent called"
    ),
    "admin_notified": _alts("administrator notified | principal notified | admin notified"),
    "agreement_reached": _alts("agreement"),
    "agreement_partial": _alts("partial"),
    "warning": _alts("verbal warning | warned | written warning"),
    "diversion": _alts("diverted"),
    "citation": _alts("cited | ticket | ticketed"),
    "arrest": _alts("arrested | custodial arrest | taken into custody | custody"),
}
INITIATOR_LABELS: Final = {
    "student": "Student",
    "staff": "Staff",
    "parent": "Parent/guardian",
    "sro": "SRO",
}
INITIATOR_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "student": _alts("student initiated | youth | juvenile"),
    "staff": _alts("teacher | administrator | counselor | principal | school"),
    "parent": _alts("guardian | parent guardian | family"),
    "sro": _alts("officer | sro initiated | police | me"),
}
REFERRAL_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "counselor": _alts("counseling | guidance"),
    "social_worker": _alts("social work"),
    "nurse": _alts("health office"),
    "administrator": _alts("principal | assistant principal | dean"),
    "threat_team": _alts("threat assessment team"),
    "iep_504": _alts("iep | 504 | iep 504 | special education | sped"),
    "child_protection": _alts("cps | child protective services | dcfs"),
    "crisis_mental_health": _alts("crisis | mental health | crisis team | mobile crisis"),
    "chemical_health": _alts("substance abuse | drug and alcohol | chemical dependency"),
    "community_mentoring": _alts("mentoring program | big brothers big sisters | bbbs"),
    "restorative_program": _alts("restorative justice program"),
    "diversion_program": _alts("juvenile diversion"),
    "juvenile_court": _alts("court"),
    "victim_services": _alts("victim advocate | advocate"),
}
ROLE_LABELS: Final = {"participant": "Participant", "party": "Party to a conflict"}
ROLE_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "participant": _alts("student | involved"),
    "party": _alts("parties | conflict party | disputant"),
}


@dataclass(slots=True)
class Vocabulary:
    """The codes of one field, with every way of writing them that we accept."""

    name: str
    labels: dict[str, str]  # code -> label, in display order
    _lookup: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, set[str]] = field(default_factory=dict)

    def add(self, code: str, *names: str) -> None:
        for name in (code, code.replace("_", " "), *names):
            key = normalize_label(name)
            if key:
                self._lookup.setdefault(key, code)
                self._tokens.setdefault(code, set()).update(_tokens(key))

    def resolve(self, text: str) -> str | None:
        return self._lookup.get(normalize_label(text))

    def suggest(self, text: str) -> str | None:
        """The one code whose words clearly match the text's, or None."""
        words = _tokens(normalize_label(text))
        if not words:
            return None
        scores: dict[str, float] = {}
        for code, vocab in self._tokens.items():
            score = sum(_word_score(w, vocab) for w in words)
            if score:
                scores[code] = score / len(words)
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, score = ranked[0]
        if score < 0.5 or (len(ranked) > 1 and ranked[1][1] == score):
            return None
        return best


_STOP_WORDS: Final = frozenset(
    {"a", "and", "at", "by", "for", "in", "of", "on", "out", "the", "to", "up", "with"}
)


def _tokens(key: str) -> set[str]:
    expanded = " ".join(_ABBREVIATIONS.get(w, w) for w in key.split())
    return {w for w in expanded.split() if w not in _STOP_WORDS}


def _word_score(word: str, vocab: set[str]) -> float:
    if word in vocab:
        return 1.0
    if len(word) >= 4 and any(
        v.startswith(word) or word.startswith(v) for v in vocab if len(v) >= 4
    ):
        return 0.8
    return 0.0


def _vocab(
    field_name: str, labels: Mapping[str, str], synonyms: Mapping[str, Iterable[str]]
) -> Vocabulary:
    v = Vocabulary(field_name, dict(labels))
    for code, label in labels.items():
        v.add(code, label, *synonyms.get(code, ()))
    return v


def type_vocabulary(types: Iterable[tuple[str, str]]) -> Vocabulary:
    """Contact types of the vault (code, label), built-in and the officer's own."""
    return _vocab("type", dict(types), TYPE_SYNONYMS)


def outcome_vocabulary() -> Vocabulary:
    return _vocab("outcome", {o.code: o.label for o in taxonomy.OUTCOMES}, OUTCOME_SYNONYMS)


def initiator_vocabulary() -> Vocabulary:
    return _vocab("initiated_by", INITIATOR_LABELS, INITIATOR_SYNONYMS)


def referral_vocabulary() -> Vocabulary:
    return _vocab("referrals", taxonomy.REFERRAL_TARGETS, REFERRAL_SYNONYMS)


def role_vocabulary() -> Vocabulary:
    return _vocab("roles", ROLE_LABELS, ROLE_SYNONYMS)


def shows_as_label(text: str) -> bool:
    """Whether a cell may be echoed back as an unknown label: short, one line, a few words.

    Anything longer (a note in the wrong column) is described, never shown, so a mis-mapped
    notes column does not spill its text into the terminal or the wizard's lists.
    """
    t = text.strip()
    return 0 < len(t) <= 40 and len(t.split()) <= 6 and t.isprintable()


_GRADE_RE: Final = re.compile(r"^(?:grade |gr )?(\d{1,2})(?: ?(?:st|nd|rd|th))?(?: grade)?$")
_KINDERGARTEN: Final = frozenset({"k", "kg", "kindergarten", "grade k", "k grade", "0", "00"})


def parse_grade(value: object) -> str | None:
    """K or 1–12 as written in a spreadsheet ("10", "10th", "Grade 10", 10.0, "KG"); None for
    an empty or unknown grade. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("grade must be K or 1–12")
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise ValueError("grade must be K or 1–12")
        value = str(int(value))
    if not isinstance(value, str):
        raise ValueError("grade must be K or 1–12")
    key = normalize_label(value)
    if key in BLANK_WORDS or key in ("unknown", "?"):
        return None
    if key in _KINDERGARTEN:
        return "K"
    m = _GRADE_RE.match(key)
    if m and 1 <= int(m[1]) <= 12:
        return str(int(m[1]))
    raise ValueError("grade must be K or 1–12")


_MINUTES_RE: Final = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(m|min|mins|minute|minutes)?$")
_HOURS_RE: Final = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hour|hours)$")
_HH_MM_RE: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")


def parse_minutes(value: object) -> int | None:
    """A duration in whole minutes: 45, "45 min", "1:15" (hours:minutes), "1.5 h", an Excel
    duration or time cell. None when empty; ValueError when it is none of these."""
    import datetime as dt

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number of minutes")
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 60)
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise ValueError("must be whole minutes")
        return int(value)
    if not isinstance(value, str):
        raise ValueError("not a number of minutes")
    text = value.strip().casefold()
    m = _MINUTES_RE.match(text)
    if m:
        number = float(m[1].replace(",", "."))
        if not number.is_integer():
            raise ValueError("must be whole minutes")
        return int(number)
    m = _HOURS_RE.match(text)
    if m:
        return round(float(m[1].replace(",", ".")) * 60)
    m = _HH_MM_RE.match(text)
    if m:
        return int(m[1]) * 60 + int(m[2])
    raise ValueError("must be a number of minutes (45, 45 min or 1:15)")


def parse_count(value: object) -> int | None:
    """A whole number (a head count); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text.isdigit():
            return int(text)
    raise ValueError("must be a whole number")


_YES: Final = frozenset({"yes", "y", "true", "1", "x"})
_NO: Final = frozenset({"", "no", "n", "false", "0"})


def parse_flag(value: object) -> bool:
    """Yes or no ("yes", "no", "true", "1", an Excel boolean…); empty is no."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    key = normalize_label(str(value))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError("must be yes or no")
