"""The private basis of a release: the coded facts it was computed from, kept inside the vault.

The gate needs them to model what a reader knows about earlier releases — which of their hidden
cells are non-empty, which records changed since — and a revision needs them to see what changed.
They never leave the vault: codes, school names and opaque student ids only (no notes, aliases or
dates), zlib-compressed JSON.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact

from .errors import ReportRejected

VERSION = 1


def encode_basis(months: Mapping[str, MonthFacts]) -> bytes:
    doc = {
        "version": VERSION,
        "months": {
            m: {
                "schools": list(f.schools),
                "contacts": [
                    [
                        c.contact_id,
                        c.school,
                        c.contact_type,
                        c.category,
                        c.outcome_group,
                        c.duration_min,
                        [[s.student_id, s.grade_band] for s in c.students],
                        list(c.referrals),
                        c.attendees,
                        c.group_activity,
                    ]
                    for c in f.contacts
                ],
                "follow_ups": [
                    [u.follow_up_id, u.status, list(u.student_ids)] for u in f.follow_ups
                ],
            }
            for m, f in sorted(months.items())
        },
    }
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return zlib.compress(raw, 6)


def decode_basis(data: bytes) -> dict[str, MonthFacts]:
    try:
        doc: Any = json.loads(zlib.decompress(data).decode("utf-8"))
        if doc["version"] != VERSION:
            raise ValueError
        out: dict[str, MonthFacts] = {}
        for m, f in doc["months"].items():
            contacts = tuple(
                ContactFact(
                    int(c[0]),
                    str(c[1]),
                    str(c[2]),
                    str(c[3]),
                    str(c[4]),
                    int(c[5]),
                    tuple(StudentFact(int(s[0]), str(s[1])) for s in c[6]),
                    tuple(str(r) for r in c[7]),
                    int(c[8]),
                    bool(c[9]),
                )
                for c in f["contacts"]
            )
            follow_ups = tuple(
                FollowUpFact(int(u[0]), str(u[1]), tuple(int(i) for i in u[2]))
                for u in f["follow_ups"]
            )
            out[str(m)] = MonthFacts(str(m), contacts, follow_ups, tuple(map(str, f["schools"])))
        return out
    except (ValueError, KeyError, TypeError, IndexError, zlib.error):
        raise ReportRejected("the stored basis of a release cannot be read back") from None
