"""The journal's rules hold without storage: contacts, case rules, follow-up buckets."""

from __future__ import annotations

import datetime as dt

import pytest

from srojournal.domain import cases, followups, validation
from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ContactInput, ContactStudent, FollowUp

WHEN = dt.datetime(2026, 3, 2, 10, 0)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"outcome": "nope"}, "Unknown outcome"),
        ({"referrals": ("astrologer",)}, "Unknown referral"),
        ({"initiated_by": "cat"}, "Initiated by"),
        ({"duration_min": 1441}, "Duration"),
        ({"attendees": -1}, "Attendees"),
        ({"students": (ContactStudent(1, "bystander"),)}, "Unknown student role"),
        ({"students": (ContactStudent(1), ContactStudent(1))}, "listed twice"),
    ],
)
def test_contact_rules(change: dict[str, object], words: str) -> None:
    data = ContactInput(WHEN, 1, "mentoring", **change)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=words):
        validation.check_contact(data)


def test_a_good_contact_passes() -> None:
    validation.check_contact(
        ContactInput(WHEN, 1, "mentoring", (ContactStudent(1), ContactStudent(2, "party")))
    )


def test_type_codes_and_labels() -> None:
    assert validation.checked_type_code(" Hall_Walk ") == "hall_walk"
    for bad in ("x", "1abc", "has space", "a" * 41):
        with pytest.raises(InvalidInput):
            validation.checked_type_code(bad)
    assert validation.clean_label("  Lincoln   Middle ", "School") == "Lincoln Middle"
    with pytest.raises(InvalidInput, match="cannot be empty"):
        validation.clean_label("   ", "Alias")


def test_case_rules() -> None:
    assert cases.checked_title("  Lunch   table ") == "Lunch table"
    with pytest.raises(InvalidInput, match="needs a title"):
        cases.checked_title(" ")
    with pytest.raises(InvalidInput, match="at least two parties"):
        cases.checked_parties([4, 4])
    assert cases.checked_parties([4, 5, 4]) == (4, 5)
    with pytest.raises(InvalidInput, match="Unknown case status"):
        cases.checked_status("won")


def test_follow_up_buckets_and_on_time_rule() -> None:
    today = dt.date(2026, 3, 18)

    def f(days: int) -> FollowUp:
        return FollowUp(days, today + dt.timedelta(days=days), "", "open", ())

    grouped = followups.by_bucket([f(-1), f(0), f(7), f(8)], today)
    assert {k: [x.id for x in v] for k, v in grouped.items()} == {
        "overdue": [-1],
        "today": [0],
        "week": [7],
        "later": [8],
    }
    due = dt.date(2026, 3, 10)
    assert followups.completion_state("done", due, due) == "done_on_time"
    assert followups.completion_state("done", due, due + dt.timedelta(1)) == "done_late"
    assert followups.completion_state("cancelled", due, None) == "cancelled"
