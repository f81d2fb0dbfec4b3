"""Property: for random months, every export passes the audit, hides every small cell and leaks
no alias and no six-word run of a note — also for revisions after late entries or edits."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srojournal.domain.facts import ContactFact, FollowUpFact, MonthFacts, StudentFact
from srojournal.domain.models import ContactFilter
from srojournal.domain.taxonomy import (
    BUILTIN_CONTACT_TYPES,
    GRADE_BANDS,
    NO_OUTCOME_GROUP,
    OUTCOME_GROUPS,
    REFERRAL_TARGETS,
)
from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.render_json import parse_summary_json
from srojournal.reporting.service import export_month
from srojournal.reporting.tables import build_tables, logical_key
from srojournal.vault.repo import Journal
from srojournal.vault.store import Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE

from .attacker import oracles
from .factories import FactsBuilder
from .vault_facts import FactsWriter

SCHOOLS = ("Lincoln High", "Washington Middle")
TYPES = BUILTIN_CONTACT_TYPES
SYLLABLES = ("zor", "bla", "qui", "xan", "vel", "dru", "mop", "kiv")
NOTE_WORDS = ("the", "student", "said", "mentoring", "high", "resolved", "fight", "12", "count")

alias = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=3).map(
    lambda parts: "".join(parts).capitalize()
)
note = st.lists(st.sampled_from(NOTE_WORDS), min_size=6, max_size=14).map(" ".join)


@st.composite
def contact(draw, n_students: int) -> ContactFact:
    t = draw(st.sampled_from(TYPES))
    k = min(n_students, draw(st.sampled_from((0, 1, 1, 1, 2, 3))))
    ids = draw(st.lists(st.integers(1, max(1, n_students)), min_size=k, max_size=k, unique=True))
    return ContactFact(
        contact_id=0,
        school=draw(st.sampled_from(SCHOOLS)),
        contact_type=t.code,
        category=t.category,
        outcome_group=draw(st.sampled_from((*OUTCOME_GROUPS, NO_OUTCOME_GROUP))),
        duration_min=draw(st.sampled_from((0, 15, 30, 60))),
        students=tuple(StudentFact(i, GRADE_BANDS[i % 4]) for i in ids),
        referrals=tuple(
            draw(st.lists(st.sampled_from(list(REFERRAL_TARGETS)), max_size=2, unique=True))
        ),
        attendees=draw(st.integers(0, 40)) if t.group_activity else 0,
        group_activity=t.group_activity,
    )


@st.composite
def month(draw, period: str = "2026-03") -> MonthFacts:
    n_students = draw(st.integers(0, 45))
    contacts = draw(st.lists(contact(n_students), max_size=90))
    contacts = [replace(c, contact_id=i + 1) for i, c in enumerate(contacts)]
    follow_ups = draw(
        st.lists(
            st.tuples(
                st.sampled_from(("done_on_time", "done_late", "open", "cancelled")),
                st.integers(1, max(1, n_students)),
            ),
            max_size=20,
        )
    )
    fus = tuple(FollowUpFact(i + 1, s, (sid,)) for i, (s, sid) in enumerate(follow_ups))
    return MonthFacts(period, tuple(contacts), fus, SCHOOLS)


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W_]+", text)]


def _check_release(
    journal: Journal,
    period: str,
    outputs: list[bytes],
    k: int,
    notes: list[str],
    truths: list[MonthFacts],
    monotone: bool = True,
) -> None:
    contents = [r.content for r in journal.releases(period)]
    assert oracles(*truths).reader(contents, monotone=monotone).attack() == []
    published = parse_summary_json(contents[-1])
    status = {logical_key(t.id, c.coords): c.status for t in published.tables for c in t.cells}
    for cell in build_tables(journal.month_facts(period)).cells():
        if cell.student_linked and len(cell.students) < k:
            assert status[cell.key] == "S", (cell.table_id, cell.coords)
    for out in outputs:
        text = out.decode("utf-8")
        for name in journal.student_names():
            assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        words = _words(text)
        windows = {tuple(words[i : i + 6]) for i in range(len(words) - 5)}
        for n in notes:
            nw = _words(n)
            for i in range(len(nw) - 5):
                assert tuple(nw[i : i + 6]) not in windows


_vaults = itertools.count()


@settings(
    max_examples=20,
    database=None,
    derandomize=True,  # the same 20 months on every run: a failure here is repeatable
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    facts=month(),
    late=st.lists(contact(45), max_size=12),
    edited=st.booleans(),
    names=st.lists(alias, max_size=6, unique=True),
    notes=st.lists(note, max_size=4),
    k=st.sampled_from((5, 10, 12)),
)
def test_every_export_is_safe(tmp_path_factory, facts, late, edited, names, notes, k) -> None:
    """On a real vault: the audit passes, no small cell is published, nothing leaks."""
    folder = tmp_path_factory.mktemp(f"prop{next(_vaults)}") / "vault"
    vault, _code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    try:
        j = vault.journal
        j.set_setting("report_threshold", str(k))
        writer = FactsWriter(j)
        writer.write(facts)
        school = j.school_id_by_name(SCHOOLS[0])
        assert school is not None
        for name in names:  # students known to the vault, whatever month they appear in
            j.add_student(name, school, "9")
        for text in notes:  # notes of another month: their 6-word runs must not appear
            writer.write(FactsBuilder("2026-01").contact("relationship", []).build(), notes=text)
        period = facts.period
        outputs = [export_month(j, period, f) for f in ("json", "csv")]
        first = j.month_facts(period)
        _check_release(j, period, outputs, k, notes, [first])

        # late entries (and, sometimes, an edit that removes contacts) then a revision
        if edited:
            month_rows = j.list_contacts(
                ContactFilter(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)),
                limit=1000,
            )
            for row in month_rows[: len(month_rows) // 2]:
                j.delete_contact(row.id)
        writer.write(MonthFacts(period, tuple(late), (), SCHOOLS))
        assert export_month(j, period, "json") == outputs[0]
        try:
            outputs = [export_month(j, period, "json", revise=True)]
        except ReportRejected as exc:
            # too few students changed (or none): refused, nothing stored
            assert "revision refused" in str(exc) or "nothing has changed" in str(exc)
            assert len(j.releases(period)) == 1
            return
        outputs.append(export_month(j, period, "csv"))
        assert len(j.releases(period)) == 2
        second = j.month_facts(period)
        _check_release(j, period, outputs, k, notes, [first, second], monotone=not edited)
    finally:
        vault.close()
