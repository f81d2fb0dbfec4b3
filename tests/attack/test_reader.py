"""The attacker itself, on hand-made releases: it must find what is there and nothing else.

These files are written here from true tables (no product code), so each test knows exactly
what a reader should be able to prove.
"""

from __future__ import annotations

import json

from tests.attack.conftest import SCHOOLS, background, day
from tests.attack.findings import Attack
from tests.attack.leaks import scan
from tests.attack.reader import Model, Release
from tests.attack.truth import Cell, CellKey, Visit, tables

MONTH = "2025-10"
WESTWOOD_SAFETY: CellKey = ("T2", ("Westwood Elementary", "safety"))


def document(period: str, truth: dict[CellKey, Cell], hidden: set[CellKey], number: int = 1):  # type: ignore[no-untyped-def]
    """A release in the summary format: every cell of ``truth``, ``hidden`` ones as `S`."""
    dims = {
        "T0": ["measure"], "T1": ["category", "outcome_group"], "T2": ["school", "category"],
        "T3": ["grade_band", "category"], "T4": ["referral"], "T5": ["follow_up_status"],
        "T6": ["contact_type", "measure"],
    }  # fmt: skip
    units = {"T3": "student_contacts", "T4": "referrals", "T5": "follow_ups"}
    out = []
    for tid, names in dims.items():
        cells = [
            {
                **dict(zip(names, coords, strict=True)),
                "count": None if (tid, coords) in hidden else cell.value,
                "status": "S" if (tid, coords) in hidden else "ok",
            }
            for (t, coords), cell in truth.items()
            if t == tid
        ]
        out.append({"id": tid, "unit": units.get(tid, "contacts"), "dimensions": names,
                    "cells": cells})  # fmt: skip
    doc = {"format": "srojournal-summary", "version": 1, "period": period, "threshold": 10,
           "release": number, "tables": out}  # fmt: skip
    return json.dumps(doc).encode()


def _three_assists(month: str = MONTH) -> list[Visit]:
    return [
        *background(month),
        *(
            Visit(100 + i, day(5 + i, month), school, "welfare_assist",
                  ((f"Ren{i} {school[0]}", "3"),), "parent_notified")
            for i, school in enumerate(SCHOOLS)
        ),
    ]  # fmt: skip


def _school_block(month: str = MONTH) -> set[CellKey]:
    """Safety and mentoring of every school hidden; margins published."""
    return {("T2", (s, c)) for s in SCHOOLS for c in ("safety", "mentoring")}


def test_a_hidden_non_empty_cell_counts_at_least_one() -> None:
    truth = tables(_three_assists(), [], MONTH, SCHOOLS)
    data = document(MONTH, truth, _school_block())
    blind = Model()  # a reader who does not use "non-empty means at least 1"
    r = blind.add_release(Release.parse(data))
    assert blind.interval(blind.var[r][WESTWOOD_SAFETY]) == (0, 3)
    attack = Attack()
    attack.release(data, truth)
    pinned = {f.where: f.detail for f in attack.findings() if f.kind == "pinned"}
    assert pinned["T2 Westwood Elementary/safety"].endswith("[1, 1]")
    assert pinned["T2 Westwood Elementary/mentoring"].endswith("[4, 4]")  # its row's remainder
    assert len(pinned) == 6


def _nine_assists(month: str = MONTH) -> list[Visit]:
    return _three_assists(month) + [
        Visit(200 + i, day(9 + i, month), SCHOOLS[i % 3], "welfare_assist",
              ((f"Extra{i} {SCHOOLS[i % 3][0]}", "3"),), "parent_notified")
        for i in range(6)
    ]  # fmt: skip


def test_a_wide_enough_suppression_passes() -> None:
    truth = tables(_nine_assists(), [], MONTH, SCHOOLS)
    attack = Attack()
    attack.release(document(MONTH, truth, _school_block()), truth)
    assert [f for f in attack.findings() if f.kind == "pinned"] == []


def test_a_quarter_pins_a_cell_hidden_in_one_month() -> None:
    """Q4 = October + November + December when the journal did not change in between."""
    visits = [*_nine_assists("2025-10"), *background("2025-11", 300), *background("2025-12", 600)]
    attack = Attack()
    months = []
    for month in ("2025-10", "2025-11", "2025-12"):
        truth = tables(visits, [], month, SCHOOLS)
        hidden = _school_block() if month == "2025-10" else set()
        months.append(attack.release(document(month, truth, hidden), truth))
    quarter = tables(visits, [], "2025-Q4", SCHOOLS)
    q = attack.release(document("2025-Q4", quarter, set()), quarter)
    col = attack.model.var[months[0]][("T2", ("Westwood Elementary", "mentoring"))]
    assert attack.model.interval(col) == (1, 6)
    assert not attack.pinned(months[0])
    attack.rollup(q, months)
    assert attack.model.interval(col) == (4, 4)


def test_drills_subtracted_prove_every_cited_student() -> None:
    visits = background()
    visits += [
        Visit(100 + i, day(1 + i), SCHOOLS[i % 3], "investigation",
              ((f"Cited{i} {SCHOOLS[i % 3][0]}", "7"),), "citation")
        for i in range(12)
    ]  # fmt: skip
    visits += [Visit(200 + i, day(3 + i), SCHOOLS[0], "safety_check") for i in range(5)]
    truth = tables(visits, [], MONTH, SCHOOLS)
    attack = Attack()
    attack.release(document(MONTH, truth, set()), truth)
    groups = {f.where for f in attack.findings() if f.kind == "group"}
    assert "category safety" in groups
    # One student-linked safety contact that is not a citation, and the proof is gone.
    visits.append(Visit(300, day(20), SCHOOLS[1], "welfare_assist", (("Ok E", "7"),), "resolved"))
    truth = tables(visits, [], MONTH, SCHOOLS)
    attack = Attack()
    attack.release(document(MONTH, truth, set()), truth)
    assert "category safety" not in {f.where for f in attack.findings() if f.kind == "group"}


def test_a_revision_that_adds_one_student_is_read() -> None:
    visits = _three_assists()
    first = tables(visits, [], MONTH, SCHOOLS)
    late = Visit(400, day(22), SCHOOLS[2], "investigation", (("Late M", "10"),), "arrest")
    second = tables([*visits, late], [], MONTH, SCHOOLS)
    attack = Attack()
    a = attack.release(document(MONTH, first, _school_block()), first)
    b = attack.release(document(MONTH, second, _school_block(), number=2), second)
    attack.growth(a, b)
    revision = {f.where for f in attack.findings() if f.kind == "revision"}
    assert {"T1 safety/enforcement", "T0 students"} <= revision


def test_the_scan_normalises_before_it_matches() -> None:
    label = "Ｓａｍ\u00a0 ＲＩＶＥＲＡ said his uncle hits him"
    table = {"id": "T2", "dimensions": ["school"], "cells": [{"school": label}]}
    doc = {"format": "srojournal-summary", "tables": [table]}
    found = scan(
        json.dumps(doc, ensure_ascii=False).encode(),
        aliases=["Sam Rivera"],
        notes=["Sam Rivera said his uncle hits him at home"],
        schools=SCHOOLS,
    )
    assert found[:2] == ["alias 'Sam Rivera'", "a six-word run of a note"]
    assert found[2].startswith("label outside the allow-lists")
    csv_text = "table,school,count,status\nT2,Westwood Elementary,3,ok\nT2,=HYPERLINK(1),1,ok\n"
    assert any("formula" in f for f in scan(csv_text.encode(), schools=SCHOOLS))
    assert scan(b"table,school,count,status\nT2,Westwood Elementary,3,ok\n", schools=SCHOOLS) == []
