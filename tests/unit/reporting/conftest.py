from __future__ import annotations

from .factories import FactsBuilder


def busy_month(period: str = "2026-03") -> FactsBuilder:
    """A month with enough students for a real breakdown."""
    b = FactsBuilder(period)
    for s in range(1, 31):
        b.contact("mentoring", [s], outcome_group="resolved", band="high")
        b.contact("relationship", [s], outcome_group="none", band="middle", school=b.schools[s % 2])
    for s in range(1, 13):
        b.contact("mediation", [s, s + 12], outcome_group="agreement", band="middle")
    for s in range(1, 4):
        b.contact("investigation", [40 + s], outcome_group="enforcement", referrals=["counselor"])
    b.contact("classroom", [], outcome_group="none", attendees=25, times=4)
    b.contact("safety_check", [], outcome_group="none", attendees=0, times=3)
    for s in range(1, 15):
        b.follow_up("done_on_time" if s < 9 else "open", [s])
    return b
