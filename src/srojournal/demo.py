"""Synthetic demo data: a deterministic, realistic journal for one officer.

``populate`` fills an unlocked vault's journal through the repository API only. Everything is
invented: school names are generic, student aliases are initials with a number or a nickname with
a number, and notes are stitched from neutral sentence templates. The same seed (and the same
``today``) always gives the same journal, so tests and benchmarks can rely on it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from srojournal.domain.models import ContactInput, ContactStudent, Template

if TYPE_CHECKING:
    from srojournal.vault.keys import KdfParams
    from srojournal.vault.repo import Journal

DEMO_PASSPHRASE: Final = "demo passphrase for testing only"  # noqa: S105 (demo vaults only)
# A fixed "today" keeps the demo deterministic; callers may pass the real date.
DEFAULT_TODAY: Final = dt.date(2026, 6, 12)
# Writes per transaction: large enough to be fast, small enough to let the WAL checkpoint.
_CHUNK: Final = 2000


@dataclass(frozen=True, slots=True)
class DemoStats:
    schools: int
    students: int
    contacts: int
    group_activities: int
    mentoring_series: int
    follow_ups: int
    conflict_cases: int
    templates: int


# -- vocabulary ---------------------------------------------------------------------------------

_SCHOOL_PREFIXES: Final = (
    "Lincoln",
    "Riverside",
    "Oak Grove",
    "Jefferson",
    "Maple Ridge",
    "Cedar Park",
    "Washington",
    "Lakeview",
    "Hillcrest",
    "Pine Valley",
    "Franklin",
    "Westwood",
    "Northfield",
    "Sunnyside",
    "Willow Creek",
    "Eastside",
    "Prairie View",
    "Meadowbrook",
    "Stonebridge",
    "Harbor Point",
)
_LEVELS: Final = ("high", "middle", "elementary")
_LEVEL_SUFFIX: Final = {
    "high": "High School",
    "middle": "Middle School",
    "elementary": "Elementary",
}
_LEVEL_GRADES: Final = {
    "high": ("9", "10", "11", "12"),
    "middle": ("6", "7", "8"),
    "elementary": ("K", "1", "2", "3", "4", "5"),
}
# High schools see more of the officer than elementary schools.
_LEVEL_WEIGHT: Final = {"high": 1.4, "middle": 1.0, "elementary": 0.6}

_NICKNAMES: Final = (
    "Ace",
    "Blue",
    "Buddy",
    "Chip",
    "Dash",
    "Finch",
    "Jazz",
    "Kit",
    "Lucky",
    "Moose",
    "Pip",
    "Rocket",
    "Scout",
    "Sparky",
    "Sunny",
    "Tiger",
    "Wren",
    "Ziggy",
)
_INITIALS: Final = "ABCDEFGHJKLMNPRSTVWZ"

_SLOTS: Final[dict[str, tuple[str, ...]]] = {
    "place": (
        "hallway",
        "cafeteria",
        "bus loop",
        "front office",
        "gym",
        "library",
        "parking lot",
        "courtyard",
        "main entrance",
        "commons area",
        "stairwell",
        "locker bay",
    ),
    "subject": (
        "math",
        "science",
        "reading",
        "English",
        "history",
        "art",
        "music",
        "health",
        "Spanish",
        "geometry",
    ),
    "activity": (
        "basketball",
        "soccer",
        "robotics club",
        "band",
        "drama club",
        "chess club",
        "cross country",
        "student council",
        "yearbook",
        "art club",
        "volleyball",
        "choir",
    ),
    "adult": (
        "the counselor",
        "the assistant principal",
        "a teacher",
        "the school nurse",
        "the social worker",
        "the dean",
        "a bus driver",
        "the coach",
        "the principal",
        "a paraprofessional",
    ),
    "day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "period": (
        "first period",
        "lunch",
        "after school",
        "before school",
        "third period",
        "passing time",
        "advisory",
    ),
    "topic": (
        "attendance",
        "grades",
        "friendships",
        "bus behaviour",
        "online conflicts",
        "changes at home",
        "sports tryouts",
        "plans after graduation",
        "stress about tests",
        "getting to school on time",
        "a new class schedule",
    ),
}

_GENERAL: Final = (
    "Talked with the student in the {place} during {period} about {topic}.",
    "Student said things have been going better since the last check-in.",
    "Student mentioned an upcoming {subject} test and feeling a little unprepared.",
    "We discussed simple strategies for staying organized and asking for help early.",
    "Student shared plans to try out for {activity} later this season.",
    "Checked in briefly; the student appeared calm, friendly and engaged.",
    "Attendance has improved over the past two weeks according to {adult}.",
    "Grades in {subject} are slipping; student agreed to attend tutoring on {day}.",
    "Student described a disagreement with friends that started in a group chat.",
    "Reminded the student about expectations on the bus and at the bus loop.",
    "Student asked questions about what officers do during a normal school day.",
    "Conversation stayed positive and the student left for class on time.",
    "Student talked about a part-time job and balancing work with homework.",
    "Noted that the student has been sitting alone at lunch lately; will keep an eye out.",
    "Student said the new seating chart in {subject} has helped with focus.",
    "Shared information about {activity} sign-ups and where to find the sponsor.",
    "Student thanked {adult} for helping with a locker problem earlier in the week.",
    "Student seemed tired and said mornings have been hard; talked about a bedtime routine.",
    "Talked about getting along with a younger sibling and sharing chores at home.",
    "No concerns raised; student mostly wanted to talk about the weekend game.",
)
# Unusual details: each appears in only a few notes (the "rare word" of the search benchmark).
_RARE: Final = (
    "Student brought a model rocket from the science fair to show the front office.",
    "Talked about a favourite graphic novel series and the next volume coming out.",
    "Student described learning to play the ukulele over the long weekend.",
    "Student is building a birdhouse in shop class and asked about cedar versus pine.",
    "Student showed a sketchbook full of origami designs and asked for feedback.",
    "Student is training a rescue greyhound and brought photos to share.",
    "Talked about a beekeeping workshop the student attended with a grandparent.",
    "Student is learning calligraphy and wrote a bookmark for the librarian.",
    "Student asked about volunteering at the aquarium over the summer.",
    "Student described a family trip to see a glacier and showed a postcard.",
    "Student is practicing juggling for the talent show and demonstrated with oranges.",
    "Talked about a telescope borrowed from the library and a meteor shower.",
)
_BY_THEME: Final[dict[str, tuple[str, ...]]] = {
    "relationship": (
        "Greeted students at the main entrance during arrival; lots of friendly conversations.",
        "Ate lunch with a group of students in the cafeteria and talked about {activity}.",
        "Stopped by the {place} during {period} and chatted with a few students.",
        "Student waved from the bus loop and came over to talk about {topic}.",
        "High-fived students during passing time; a quiet morning overall.",
    ),
    "parent": (
        "Parent called with questions about a bus stop concern; explained school procedures.",
        "Guardian agreed to a short meeting with {adult} next week.",
        "Parent shared that the student has been worried about {topic}.",
        "Explained how to reach the office and who to call after hours.",
    ),
    "staff": (
        "Staff member asked for advice about a student who seemed withdrawn.",
        "Shared resources and agreed to check in with the student together.",
        "Talked with {adult} about supervision at the {place} during {period}.",
        "Teacher asked how to handle a recurring argument between two students.",
    ),
    "mentoring": (
        "Mentoring goals reviewed: attendance, a homework routine and one positive activity.",
        "Student completed the goal from last session and set a new one for next week.",
        "Talked about {topic} and wrote down two small steps for the coming week.",
        "Student reported getting to {subject} on time every day this week.",
        "We looked at the grade portal together and picked one missing assignment to finish.",
        "Student wants to join {activity}; we talked about eligibility and grades.",
    ),
    "conflict": (
        "Both students described what happened in their own words without interruption.",
        "Each student named one thing they could do differently next time.",
        "Circle included both students, {adult} and a trusted adult chosen by each student.",
        "The disagreement started online and carried over into the {place}.",
        "Students agreed to keep the conversation private and to come to an adult first.",
    ),
    "deescalation": (
        "Student was upset in the {place}; moved to a quiet space and talked until calm.",
        "After a few minutes the student was able to return to class with support.",
        "Used a calm voice, gave space and offered water; the situation settled.",
        "Crowd in the {place} dispersed after staff asked students to move along.",
    ),
    "education": (
        "Lesson covered online safety, respectful communication and how to report concerns.",
        "Students asked thoughtful questions about privacy settings and group chats.",
        "Small group discussed peer pressure, choices and who to ask for help.",
        "Training for staff reviewed reunification steps and radio procedures.",
        "Presentation for families covered safe routes to school and crossing guards.",
        "Class practiced scenarios about what to do if a friend shares something worrying.",
    ),
    "safety": (
        "Walked the {place} with {adult} to review camera coverage and door locks.",
        "Exterior doors checked; one door near the {place} did not latch and was reported.",
        "Fire drill completed; the building cleared in under four minutes.",
        "Lockdown drill went smoothly; a few rooms needed reminders about covering windows.",
        "Traffic at the pick-up loop was heavy; directed cars until the lot cleared.",
        "Visitor check-in procedures reviewed with the front office staff.",
    ),
    "welfare": (
        "Nurse assessed the student; a guardian was contacted and picked the student up.",
        "Student felt dizzy in the {place}; stayed with the student until the nurse arrived.",
        "Connected the student with {adult} for support after a difficult morning.",
    ),
    "investigation": (
        "Reviewed the report with administration and gathered statements from witnesses.",
        "Documented the facts and explained the next steps to the student and guardian.",
        "Followed district protocol and coordinated with {adult}.",
        "Property reported missing from the {place} was located and returned.",
    ),
    "threat": (
        "Threat-assessment team met to review concerning statements; a safety plan was drafted.",
        "Team agreed on supervision steps and a daily check-in with {adult}.",
        "Guardian was informed of the plan and agreed to support it at home.",
    ),
}
_TYPE_THEME: Final = {
    "relationship": "relationship",
    "student_consult": "relationship",
    "parent_contact": "parent",
    "staff_consult": "staff",
    "mentoring": "mentoring",
    "mentoring_followup": "mentoring",
    "mediation": "conflict",
    "restorative": "conflict",
    "deescalation": "deescalation",
    "classroom": "education",
    "small_group": "education",
    "staff_training": "education",
    "community_event": "education",
    "threat_assessment": "threat",
    "safety_check": "safety",
    "event_duty": "safety",
    "welfare_assist": "welfare",
    "investigation": "investigation",
}

_TAGS: Final = (
    "lunch",
    "bus",
    "hallway",
    "attendance",
    "grades",
    "friendship",
    "online",
    "family",
    "transition",
    "sports",
    "after-school",
    "arrival",
)
_FOLLOW_UP_WHAT: Final = (
    "Check in about attendance",
    "Call the guardian back",
    "Ask the counselor about the schedule change",
    "Check grades with the teacher",
    "Stop by at lunch to see how things are going",
    "Bring the club sign-up information",
    "Confirm the tutoring time",
)
_TERMS: Final = (
    "No contact on social media; separate lunch tables for two weeks; check in with {adult}.",
    "Both students will walk away and find an adult if the argument starts again.",
    "Keep the matter private; no group chat posts; meet again in two weeks.",
    "Return the borrowed items by Friday and sit apart in {subject} for now.",
)

# Plain (one-off) contacts: relative frequencies. Mentoring and conflict types come mostly from
# series and cases, planned separately.
_PLAIN_WEIGHTS: Final[dict[str, float]] = {
    "relationship": 34,
    "student_consult": 11,
    "parent_contact": 6,
    "staff_consult": 8,
    "deescalation": 3,
    "classroom": 5,
    "small_group": 2.5,
    "staff_training": 0.7,
    "community_event": 1.2,
    "threat_assessment": 0.6,
    "safety_check": 3,
    "event_duty": 3,
    "welfare_assist": 1.5,
    "investigation": 2,
    "mentoring_followup": 1.5,
}
_OUTCOME_WEIGHTS: Final[dict[str, dict[str, float]]] = {
    "relationship": {
        "no_action": 48,
        "resolved": 44,
        "follow_up_scheduled": 3,
        "referred": 2,
        "parent_notified": 2,
    },
    "student_consult": {
        "resolved": 38,
        "no_action": 20,
        "follow_up_scheduled": 12,
        "referred": 15,
        "parent_notified": 8,
        "admin_notified": 5,
        "warning": 2,
    },
    "parent_contact": {
        "resolved": 50,
        "parent_notified": 25,
        "referred": 10,
        "follow_up_scheduled": 15,
    },
    "staff_consult": {
        "resolved": 50,
        "no_action": 22,
        "admin_notified": 15,
        "referred": 8,
        "follow_up_scheduled": 5,
    },
    "deescalation": {
        "resolved": 48,
        "parent_notified": 15,
        "admin_notified": 15,
        "warning": 10,
        "referred": 6,
        "diversion": 2,
        "citation": 2.5,
        "arrest": 1.5,
    },
    "group": {"resolved": 30, "no_action": 25},
    "threat_assessment": {"referred": 50, "admin_notified": 30, "follow_up_scheduled": 20},
    "welfare_assist": {"referred": 40, "parent_notified": 40, "resolved": 20},
    "investigation": {
        "warning": 24,
        "diversion": 18,
        "citation": 18,
        "arrest": 6,
        "referred": 12,
        "admin_notified": 12,
        "no_action": 10,
    },
    "mentoring_followup": {"resolved": 55, "follow_up_scheduled": 35, "referred": 10},
}
_REFERRAL_WEIGHTS: Final[dict[str, dict[str, float]]] = {
    "default": {
        "counselor": 30,
        "social_worker": 15,
        "nurse": 6,
        "administrator": 8,
        "iep_504": 4,
        "community_mentoring": 6,
        "chemical_health": 2,
        "crisis_mental_health": 3,
        "child_protection": 1.5,
        "victim_services": 1.5,
        "restorative_program": 3,
    },
    "welfare_assist": {
        "nurse": 50,
        "crisis_mental_health": 20,
        "counselor": 20,
        "social_worker": 10,
    },
    "threat_assessment": {"threat_team": 70, "crisis_mental_health": 15, "counselor": 15},
    "investigation": {
        "juvenile_court": 25,
        "diversion_program": 25,
        "victim_services": 20,
        "restorative_program": 15,
        "chemical_health": 15,
    },
}
# Referrals that come with an enforcement outcome.
_ENFORCEMENT_REFERRAL: Final = {
    "diversion": "diversion_program",
    "citation": "juvenile_court",
    "arrest": "juvenile_court",
}
_DURATION: Final[dict[str, tuple[int, int]]] = {
    "relationship": (5, 15),
    "student_consult": (10, 30),
    "parent_contact": (10, 25),
    "staff_consult": (10, 30),
    "mentoring": (20, 45),
    "mentoring_followup": (10, 25),
    "mediation": (30, 60),
    "restorative": (40, 75),
    "deescalation": (10, 40),
    "classroom": (45, 55),
    "small_group": (30, 50),
    "staff_training": (45, 120),
    "community_event": (60, 150),
    "threat_assessment": (45, 90),
    "safety_check": (20, 60),
    "event_duty": (60, 180),
    "welfare_assist": (15, 45),
    "investigation": (30, 120),
}
_ATTENDEES: Final[dict[str, tuple[int, int]]] = {
    "classroom": (18, 32),
    "small_group": (4, 10),
    "staff_training": (10, 60),
    "community_event": (30, 250),
    "safety_check": (150, 900),
    "event_duty": (50, 600),
}
_INITIATOR: Final[dict[str, dict[str, float]]] = {
    "relationship": {"sro": 70, "student": 30},
    "student_consult": {"student": 100},
    "parent_contact": {"parent": 80, "sro": 20},
    "staff_consult": {"staff": 90, "sro": 10},
    "mentoring": {"sro": 60, "staff": 40},
    "mentoring_followup": {"sro": 100},
    "mediation": {"staff": 60, "student": 20, "sro": 20},
    "restorative": {"sro": 50, "staff": 50},
    "deescalation": {"staff": 70, "sro": 30},
    "threat_assessment": {"staff": 100},
    "welfare_assist": {"staff": 80, "student": 20},
    "investigation": {"staff": 60, "parent": 20, "sro": 20},
    "group": {"sro": 50, "staff": 50},
}
# Every plain type, every non-agreement outcome and every referral target appears at least once.
_COVERAGE: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("investigation", "arrest", ("juvenile_court",)),
    ("investigation", "citation", ()),
    ("investigation", "diversion", ("diversion_program",)),
    ("deescalation", "warning", ()),
    ("relationship", "no_action", ()),
    ("student_consult", "resolved", ()),
    ("student_consult", "follow_up_scheduled", ()),
    ("parent_contact", "parent_notified", ()),
    ("staff_consult", "admin_notified", ()),
    ("threat_assessment", "referred", ("threat_team",)),
    ("welfare_assist", "referred", ("nurse",)),
    ("student_consult", "referred", ("counselor",)),
    ("student_consult", "referred", ("social_worker",)),
    ("staff_consult", "referred", ("administrator", "iep_504")),
    ("parent_contact", "referred", ("child_protection",)),
    ("welfare_assist", "referred", ("crisis_mental_health",)),
    ("student_consult", "referred", ("chemical_health",)),
    ("relationship", "referred", ("community_mentoring",)),
    ("deescalation", "referred", ("restorative_program",)),
    ("investigation", "referred", ("victim_services",)),
    ("classroom", "resolved", ()),
    ("small_group", "resolved", ()),
    ("staff_training", "resolved", ()),
    ("community_event", "no_action", ()),
    ("safety_check", "resolved", ()),
    ("event_duty", "no_action", ()),
    ("mentoring_followup", "resolved", ()),
)
_TEMPLATES: Final = (
    Template(0, "Lunch check-in", "relationship", 10, "sro", "no_action", "", ("lunch",)),
    Template(0, "Arrival greeting", "relationship", 15, "sro", "no_action", "", ("arrival",)),
    Template(0, "Mentoring session", "mentoring", 30, "sro", "follow_up_scheduled", "", ()),
    Template(0, "Classroom lesson", "classroom", 50, "staff", "resolved", "", ()),
    Template(0, "Fire drill", "safety_check", 30, "sro", "resolved", "", ()),
    Template(0, "Dismissal traffic", "event_duty", 45, "sro", "no_action", "", ()),
)


# -- calendar -----------------------------------------------------------------------------------


def _in_break(d: dt.date) -> bool:
    """Summer, winter and spring breaks of a typical school calendar."""
    md = (d.month, d.day)
    if (6, 14) <= md <= (8, 26):
        return True
    if md >= (12, 21) or md <= (1, 2):
        return True
    if d.month == 3 and 16 <= d.day <= 22:
        return True
    # Thanksgiving: fourth Thursday of November and the Friday after.
    if d.month == 11:
        first = dt.date(d.year, 11, 1)
        thursday = 1 + (3 - first.weekday()) % 7 + 21
        return d.day in (thursday, thursday + 1)
    return False


def _is_school_day(d: dt.date) -> bool:
    return d.weekday() < 5 and not _in_break(d)


def _next_school_day(d: dt.date) -> dt.date:
    for _ in range(120):
        if _is_school_day(d):
            return d
        d += dt.timedelta(days=1)
    return d


# -- planning -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _School:
    id: int
    level: str
    students: list[int] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)  # cumulative weights: some students seen often


@dataclass(slots=True)
class _Series:
    """A mentoring series: the open follow-up passes from one session to the next."""

    open_follow_up: int | None = None


@dataclass(slots=True)
class _Case:
    parties: tuple[int, ...]
    check_date: dt.date | None = None
    contact_ids: list[int] = field(default_factory=list)
    case_id: int | None = None


@dataclass(order=True, slots=True)
class _Event:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class _Generator:
    def __init__(
        self,
        journal: Journal,
        rng: random.Random,
        today: dt.date,
        start: dt.date,
    ) -> None:
        self.j = journal
        self.rng = rng
        self.today = today
        self.start = start
        self.schools: list[_School] = []
        self.school_cum: list[float] = []
        self.grade: dict[int, str | None] = {}
        self.events: list[_Event] = []
        self._seq = itertools.count()
        days = [start + dt.timedelta(days=i) for i in range((today - start).days + 1)]
        self.school_days = [d for d in days if _is_school_day(d)] or days
        weights = []
        for d in days:
            if _is_school_day(d):
                w = 1.0
            elif d.weekday() < 5:
                w = 0.06  # summer school, camps, a few calls during breaks
            else:
                w = 0.02  # weekend events
            weights.append(w)
        self.days = days
        self.day_cum = list(itertools.accumulate(weights))
        self.contacts = 0
        self.group_activities = 0
        self.follow_ups = 0
        self.cases = 0
        self.series = 0

    # small helpers ----------------------------------------------------------------------------
    def pick(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=list(weights.values()))[0]

    def at(self, day: dt.date, evening: bool = False) -> dt.datetime:
        rng = self.rng
        if evening:
            minutes = rng.randrange(17 * 60, 20 * 60 + 30, 5)
        elif rng.random() < 0.25:
            minutes = rng.randrange(11 * 60, 13 * 60, 5)  # lunch periods
        else:
            minutes = rng.randrange(7 * 60 + 15, 15 * 60 + 45, 5)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))

    def random_day(self) -> dt.date:
        return self.days[bisect.bisect_left(self.day_cum, self.rng.random() * self.day_cum[-1])]

    def random_school_day(self, lo: dt.date | None = None, hi: dt.date | None = None) -> dt.date:
        a = bisect.bisect_left(self.school_days, lo) if lo else 0
        b = bisect.bisect_right(self.school_days, hi) if hi else len(self.school_days)
        if a >= b:
            return self.school_days[min(a, len(self.school_days) - 1)]
        return self.school_days[self.rng.randrange(a, b)]

    def school(self) -> _School:
        i = bisect.bisect_left(self.school_cum, self.rng.random() * self.school_cum[-1])
        return self.schools[min(i, len(self.schools) - 1)]

    def student(self, school: _School) -> int:
        i = bisect.bisect_left(school.cum, self.rng.random() * school.cum[-1])
        return school.students[min(i, len(school.students) - 1)]

    def students_of(self, school: _School, n: int) -> tuple[int, ...]:
        n = min(n, len(school.students))
        chosen: list[int] = []
        for _ in range(n * 6):
            s = self.student(school)
            if s not in chosen:
                chosen.append(s)
            if len(chosen) == n:
                break
        return tuple(chosen)

    def note(self, type_code: str) -> str:
        rng = self.rng
        theme = _BY_THEME.get(_TYPE_THEME.get(type_code, "relationship"), ())
        target = rng.randint(40, 80)
        words = 0
        parts: list[str] = []
        while words < target:
            r = rng.random()
            if r < 0.004:
                sentence = rng.choice(_RARE)
            elif r < 0.5 and theme:
                sentence = rng.choice(theme)
            else:
                sentence = rng.choice(_GENERAL)
            if "{" in sentence:
                sentence = sentence.format(**{k: rng.choice(v) for k, v in _SLOTS.items()})
            if sentence in parts and len(parts) < 12:
                continue  # say each thing once per note
            parts.append(sentence)
            words += sentence.count(" ") + 1
        return " ".join(parts)

    def tags(self) -> tuple[str, ...]:
        r = self.rng.random()
        if r < 0.55:
            return ()
        if r < 0.9:
            return (self.rng.choice(_TAGS),)
        return tuple(sorted(set(self.rng.sample(_TAGS, 2))))

    def duration(self, type_code: str) -> int:
        lo, hi = _DURATION[type_code]
        return self.rng.randrange(lo, hi + 1, 5) if hi - lo >= 5 else lo

    def initiator(self, type_code: str) -> str:
        key = type_code if type_code in _INITIATOR else "group"
        return self.pick(_INITIATOR[key])

    def schedule(self, at: dt.datetime, run: Callable[[], None]) -> None:
        heapq.heappush(self.events, _Event(at, next(self._seq), run))

    # setup ------------------------------------------------------------------------------------
    def make_schools(self, count: int) -> None:
        prefixes = list(_SCHOOL_PREFIXES)
        self.rng.shuffle(prefixes)
        for i in range(count):
            level = _LEVELS[i % 3]
            prefix = prefixes[i % len(prefixes)]
            name = f"{prefix} {_LEVEL_SUFFIX[level]}"
            if i >= len(prefixes):
                name += f" {i // len(prefixes) + 1}"
            self.schools.append(_School(self.j.add_school(name), level))
        self.school_cum = list(itertools.accumulate(_LEVEL_WEIGHT[s.level] for s in self.schools))

    def make_students(self, count: int) -> None:
        rng = self.rng
        total = self.school_cum[-1]
        shares = [_LEVEL_WEIGHT[s.level] / total for s in self.schools]
        sizes = [max(1, round(count * share)) for share in shares]
        sizes[0] += count - sum(sizes)
        for school, size in zip(self.schools, sizes, strict=True):
            used: set[str] = set()
            for _ in range(max(size, 1)):
                alias = self.alias(used)
                grade: str | None = rng.choice(_LEVEL_GRADES[school.level])
                if rng.random() < 0.02:
                    grade = None
                notes = ""
                if rng.random() < 0.08:
                    notes = rng.choice(
                        (
                            "Prefers to meet before first period.",
                            "Plays on the school team; practice most afternoons.",
                            "New to the school this year.",
                            "Rides the late bus on Tuesdays and Thursdays.",
                        )
                    )
                sid = self.j.add_student(alias, school.id, grade, notes)
                school.students.append(sid)
                self.grade[sid] = grade
            # A skewed distribution: a few students are seen much more often than most.
            school.cum = list(
                itertools.accumulate(
                    1.0 / (rank + 1) ** 0.7 for rank in range(len(school.students))
                )
            )

    def alias(self, used: set[str]) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.8:
                alias = f"{rng.choice(_INITIALS)}.{rng.choice(_INITIALS)}. {rng.randint(10, 999)}"
            else:
                alias = f"{rng.choice(_NICKNAMES)} {rng.randint(10, 99)}"
            if alias.lower() not in used:
                used.add(alias.lower())
                return alias

    # plain contacts ---------------------------------------------------------------------------
    def plan_plain(self, count: int) -> None:
        for i in range(count):
            if i < len(_COVERAGE):
                type_code, outcome, referrals = _COVERAGE[i]
                self.plan_contact(type_code, outcome, referrals)
            else:
                self.plan_contact(self.pick(_PLAIN_WEIGHTS), None, None)

    def plan_contact(
        self, type_code: str, outcome: str | None, referrals: tuple[str, ...] | None
    ) -> None:
        rng = self.rng
        group = type_code in _ATTENDEES
        school = self.school()
        day = self.random_day()
        evening = type_code in ("event_duty", "community_event") and rng.random() < 0.4
        at = self.at(day, evening)
        if outcome is None:
            weights = _OUTCOME_WEIGHTS["group" if group else type_code]
            outcome = self.pick(weights)
            if group and rng.random() < 0.45:
                outcome = ""  # many group activities are logged without an outcome
        if referrals is None:
            referrals = self.referrals(type_code, outcome)
        students: tuple[ContactStudent, ...] = ()
        attendees: int | None = None
        if group:
            lo, hi = _ATTENDEES[type_code]
            attendees = rng.randint(lo, hi)
            self.group_activities += 1
        elif type_code != "staff_consult" or rng.random() < 0.6:
            n = 1
            r = rng.random()
            if type_code in ("relationship", "deescalation", "investigation") and r < 0.2:
                n = 2 if r < 0.15 else 3
            students = tuple(ContactStudent(s) for s in self.students_of(school, n))
        data = ContactInput(
            occurred_at=at,
            school_id=school.id,
            type_code=type_code,
            students=students,
            duration_min=self.duration(type_code),
            initiated_by=self.initiator(type_code),
            outcome=outcome or None,
            referrals=referrals,
            tags=self.tags(),
            notes=self.note(type_code),
            attendees=attendees,
        )
        self.contacts += 1
        if outcome == "follow_up_scheduled" and students:
            self.schedule(at, lambda: self.add_with_follow_up(data))
        else:
            self.schedule(at, lambda: self.add(data))

    def referrals(self, type_code: str, outcome: str) -> tuple[str, ...]:
        rng = self.rng
        if outcome in _ENFORCEMENT_REFERRAL and rng.random() < 0.6:
            return (_ENFORCEMENT_REFERRAL[outcome],)
        if outcome != "referred":
            return ()
        weights = _REFERRAL_WEIGHTS.get(type_code, _REFERRAL_WEIGHTS["default"])
        first = self.pick(weights)
        if rng.random() < 0.15:
            second = self.pick(_REFERRAL_WEIGHTS["default"])
            if second != first:
                return tuple(sorted((first, second)))
        return (first,)

    def add(self, data: ContactInput) -> None:
        self.j.add_contact(data)

    def add_with_follow_up(self, data: ContactInput) -> None:
        """A contact that promised a follow-up; the follow-up is done on time, late or not yet."""
        rng = self.rng
        cid = self.j.add_contact(data)
        day = data.occurred_at.date()
        due = _next_school_day(day + dt.timedelta(days=rng.randint(2, 10)))
        sids = [s.student_id for s in data.students]
        fid = self.j.add_follow_up(due, rng.choice(_FOLLOW_UP_WHAT), sids, source_contact_id=cid)
        self.follow_ups += 1
        r = rng.random()
        if r < 0.62:
            done = due - dt.timedelta(days=rng.randint(0, 2))
            done = max(done, day + dt.timedelta(days=1))
        elif r < 0.86:
            done = _next_school_day(due + dt.timedelta(days=rng.randint(1, 10)))
        elif r < 0.92:
            self.schedule(self.at(due), lambda: self.j.cancel_follow_up(fid))
            return
        else:
            return  # forgotten: stays open (overdue)
        if done <= self.today:
            self.schedule(self.at(done), lambda: self.complete(fid, done))

    def complete(self, fid: int, on: dt.date) -> None:
        self.j.complete_follow_up(fid, on)

    # mentoring series -------------------------------------------------------------------------
    def plan_mentoring(self, budget: int) -> int:
        """Plan mentoring series until ``budget`` sessions; return the sessions planned."""
        rng = self.rng
        planned = 0
        last_start = self.today - dt.timedelta(days=21)
        while planned < budget:
            school = self.school()
            if school.level == "elementary" and rng.random() < 0.6:
                continue  # mentoring is mostly with older students
            sid = self.student(school)
            day = self.random_school_day(hi=last_start)
            sessions = min(rng.randint(4, 12), budget - planned)
            series = _Series()
            self.series += 1
            for i in range(sessions):
                if day > self.today:
                    break
                last = i == sessions - 1
                interval = rng.randint(7, 14)
                due = _next_school_day(day + dt.timedelta(days=interval))
                r = rng.random()
                if r < 0.68:
                    actual = due - dt.timedelta(days=rng.randint(0, 1))
                    actual = due if actual <= day else _next_school_day(actual)
                elif r < 0.95:
                    actual = _next_school_day(due + dt.timedelta(days=rng.randint(1, 8)))
                else:
                    actual = None  # the student moved away: the series stops here
                data = ContactInput(
                    occurred_at=self.at(day),
                    school_id=school.id,
                    type_code="mentoring" if i == 0 or rng.random() < 0.7 else "mentoring_followup",
                    students=(ContactStudent(sid),),
                    duration_min=self.duration("mentoring"),
                    initiated_by=self.initiator("mentoring"),
                    outcome="follow_up_scheduled"
                    if not last or rng.random() < 0.5
                    else self.pick({"resolved": 70, "referred": 20, "parent_notified": 10}),
                    referrals=(),
                    tags=self.tags(),
                    notes=self.note("mentoring"),
                )
                if data.outcome == "referred":
                    data = _with_referrals(
                        data, (self.pick({"counselor": 2, "community_mentoring": 1}),)
                    )
                wants_follow_up = data.outcome == "follow_up_scheduled"
                self.schedule(
                    data.occurred_at,
                    _bind_session(self, series, sid, data, due if wants_follow_up else None),
                )
                self.contacts += 1
                planned += 1
                if wants_follow_up and actual is None:
                    self.schedule(self.at(due), _bind_cancel(self, series))
                    break
                if actual is None or not wants_follow_up:
                    break
                if last and actual <= self.today and rng.random() < 0.7:
                    # A closing check-in, done without logging another session.
                    self.schedule(self.at(actual), _bind_close(self, series, actual))
                day = actual
        return planned

    def session(
        self, series: _Series, sid: int, data: ContactInput, next_due: dt.date | None
    ) -> None:
        if series.open_follow_up is not None:
            cid = self.j.complete_follow_up(
                series.open_follow_up, data.occurred_at.date(), log_contact=data
            )
            series.open_follow_up = None
        else:
            cid = self.j.add_contact(data)
        if next_due is not None and cid is not None:
            series.open_follow_up = self.j.add_follow_up(
                next_due, "Next mentoring session", (sid,), source_contact_id=cid
            )
            self.follow_ups += 1

    # conflict cases ---------------------------------------------------------------------------
    def plan_conflicts(self, budget: int) -> int:
        rng = self.rng
        planned = 0
        index = 0
        middle = self.start + (self.today - self.start) / 2
        while planned < budget:
            school = self.school()
            parties = self.students_of(school, 3 if rng.random() < 0.1 else 2)
            if len(parties) < 2:
                if len(self.schools) == 1 and len(school.students) < 2:
                    break
                continue
            # The first cases start early so that their agreements are checked before today.
            if index < 3:
                day = self.random_school_day(hi=middle)
            elif index == 3:  # one recent case whose agreement is not checked yet
                day = self.random_school_day(lo=self.today - dt.timedelta(days=12))
            else:
                day = self.random_school_day()
            if index < 3:
                agreement = ("agreement_reached", "agreement_partial", "no_agreement")[index]
                held = index == 0
            else:
                agreement = self.pick(
                    {"agreement_reached": 60, "agreement_partial": 25, "no_agreement": 15}
                )
                held = rng.random() < 0.7
            case = _Case(parties)
            self.cases += 1
            roles = tuple(ContactStudent(s, "party") for s in parties)
            if rng.random() < 0.3 and planned + 1 < budget:
                self.case_contact(
                    case,
                    school,
                    day,
                    "deescalation",
                    roles,
                    self.pick({"resolved": 3, "warning": 1}),
                )
                planned += 1
            self.case_contact(
                case,
                school,
                day,
                "mediation",
                roles,
                agreement,
                open_case=(agreement, school),
                evening=False,
            )
            planned += 1
            restorative = rng.random() < (0.9 if agreement == "no_agreement" else 0.5)
            check = _next_school_day(day + dt.timedelta(days=rng.randint(14, 28)))
            if restorative and planned < budget:
                rday = _next_school_day(day + dt.timedelta(days=rng.randint(2, 7)))
                if rday <= self.today:
                    outcome = self.pick({"agreement_reached": 70, "agreement_partial": 30})
                    self.case_contact(case, school, rday, "restorative", roles, outcome)
                    planned += 1
                    agreement = outcome
                    check = max(check, _next_school_day(rday + dt.timedelta(days=14)))
            if agreement == "no_agreement":
                self.schedule(
                    self.at(day + dt.timedelta(days=1)), _bind_status(self, case, "closed")
                )
            elif check <= self.today and planned < budget:
                outcome = "agreement_held" if held else "agreement_broken"
                self.case_contact(case, school, check, "restorative", roles, outcome)
                planned += 1
                status = "held" if held else "broken"
                self.schedule(self.at(check, evening=True), _bind_status(self, case, status))
            case.check_date = check
            index += 1
        return planned

    def case_contact(
        self,
        case: _Case,
        school: _School,
        day: dt.date,
        type_code: str,
        roles: tuple[ContactStudent, ...],
        outcome: str,
        *,
        open_case: tuple[str, _School] | None = None,
        evening: bool = False,
    ) -> None:
        referrals: tuple[str, ...] = ()
        if outcome == "no_agreement":
            referrals = ("restorative_program",)
        data = ContactInput(
            occurred_at=self.at(day, evening),
            school_id=school.id,
            type_code=type_code,
            students=roles,
            duration_min=self.duration(type_code),
            initiated_by=self.initiator(type_code),
            outcome=outcome,
            referrals=referrals,
            tags=self.tags(),
            notes=self.note(type_code),
        )
        self.contacts += 1
        terms = ""
        if open_case is not None and outcome != "no_agreement":
            terms = self.rng.choice(_TERMS).format(
                adult=self.rng.choice(_SLOTS["adult"]), subject=self.rng.choice(_SLOTS["subject"])
            )
        self.schedule(data.occurred_at, _bind_case_contact(self, case, data, open_case, terms))

    def run_case_contact(
        self, case: _Case, data: ContactInput, opens: bool, terms: str, day: dt.date
    ) -> None:
        cid = self.j.add_contact(data)
        case.contact_ids.append(cid)
        if case.case_id is None and opens:
            case.case_id = self.j.add_conflict_case(
                "Disagreement between students",
                case.parties,
                terms=terms,
                opened_on=day,
                check_date=case.check_date,
                contact_ids=case.contact_ids,
            )
        elif case.case_id is not None:
            self.j.link_contact_to_case(case.case_id, cid)

    # run --------------------------------------------------------------------------------------
    def run(self) -> None:
        """Replay the plan in time order (events may schedule later ones, e.g. completions)."""
        events = self.events
        while events:
            with self.j.batch():
                for _ in range(_CHUNK):
                    if not events:
                        break
                    heapq.heappop(events).run()


def _with_referrals(data: ContactInput, referrals: tuple[str, ...]) -> ContactInput:
    return ContactInput(
        occurred_at=data.occurred_at,
        school_id=data.school_id,
        type_code=data.type_code,
        students=data.students,
        duration_min=data.duration_min,
        initiated_by=data.initiated_by,
        outcome=data.outcome,
        referrals=referrals,
        tags=data.tags,
        notes=data.notes,
        attendees=data.attendees,
    )


# Closures built by small factories, so each event captures its own values (not the loop's).
def _bind_session(
    g: _Generator, series: _Series, sid: int, data: ContactInput, next_due: dt.date | None
) -> Callable[[], None]:
    return lambda: g.session(series, sid, data, next_due)


def _bind_cancel(g: _Generator, series: _Series) -> Callable[[], None]:
    def run() -> None:
        if series.open_follow_up is not None:
            g.j.cancel_follow_up(series.open_follow_up)
            series.open_follow_up = None

    return run


def _bind_close(g: _Generator, series: _Series, on: dt.date) -> Callable[[], None]:
    def run() -> None:
        if series.open_follow_up is not None:
            g.j.complete_follow_up(series.open_follow_up, on)
            series.open_follow_up = None

    return run


def _bind_case_contact(
    g: _Generator,
    case: _Case,
    data: ContactInput,
    open_case: tuple[str, _School] | None,
    terms: str,
) -> Callable[[], None]:
    day = data.occurred_at.date()
    return lambda: g.run_case_contact(case, data, open_case is not None, terms, day)


def _bind_status(g: _Generator, case: _Case, status: str) -> Callable[[], None]:
    def run() -> None:
        if case.case_id is not None:
            g.j.update_conflict_case(case.case_id, status=status)

    return run


def populate(
    journal: Journal,
    *,
    seed: int = 7,
    contacts: int = 2500,
    students: int = 300,
    schools: int = 3,
    years: float = 2.0,
    today: dt.date | None = None,
) -> DemoStats:
    """Fill an unlocked, empty journal with deterministic synthetic data; return what was made."""
    if contacts < 0 or students < 2 or schools < 1 or years <= 0:
        raise ValueError("contacts ≥ 0, students ≥ 2, schools ≥ 1 and years > 0 are required")
    today = today or DEFAULT_TODAY
    start = today - dt.timedelta(days=max(1, round(years * 365.25)))
    rng = random.Random(seed)
    g = _Generator(journal, rng, today, start)
    with journal.batch():
        g.make_schools(min(schools, students))
        g.make_students(students)
        for t in _TEMPLATES:
            journal.add_template(t)
    mentoring = g.plan_mentoring(round(contacts * 0.11))
    conflict = g.plan_conflicts(round(contacts * 0.06))
    g.plan_plain(max(0, contacts - mentoring - conflict))
    g.run()
    journal.compact()
    return DemoStats(
        schools=len(g.schools),
        students=sum(len(s.students) for s in g.schools),
        contacts=g.contacts,
        group_activities=g.group_activities,
        mentoring_series=g.series,
        follow_ups=g.follow_ups,
        conflict_cases=g.cases,
        templates=len(_TEMPLATES),
    )


def create_demo_vault(
    folder: Path,
    *,
    kdf: KdfParams | None = None,
    seed: int = 7,
    today: dt.date | None = None,
) -> DemoStats:
    """Create a vault of synthetic data at ``folder`` and record that it is a demo: inside the
    vault (the ``demo_vault`` setting) and next to it (the lock screen's hint, which shows the
    demo passphrase). A vault of the officer's own never carries either."""
    from srojournal.domain.settings import DEMO_VAULT
    from srojournal.vault.fsutil import atomic_write
    from srojournal.vault.layout import DEMO_MARKER, DEMO_MARKER_TEXT
    from srojournal.vault.store import Vault

    vault, _code = Vault.create(folder, DEMO_PASSPHRASE, kdf=kdf)
    with vault:
        stats = populate(vault.journal, seed=seed, today=today)
        DEMO_VAULT.write(vault.journal, True)
    atomic_write(Path(folder) / DEMO_MARKER, DEMO_MARKER_TEXT.encode())
    return stats


__all__: Sequence[str] = (
    "DEFAULT_TODAY",
    "DEMO_PASSPHRASE",
    "DemoStats",
    "create_demo_vault",
    "populate",
)
