"""A school merged into another after its months were released (Settings → Schools → Merge).

The merged school's contacts become the other school's; later releases no longer list it. A
reader who saw the name leave knows where its contacts went: the new school's row of a later
quarter is the old rows of both schools added up. Driven through the vault's school list and the
real command line, attacked with that knowledge.
"""

from __future__ import annotations

from dataclasses import replace

from srojournal.vault.store import Vault
from tests.attack.conftest import Officer, background, clean, day
from tests.attack.truth import Visit
from tests.conftest import PASSPHRASE

OLD = "Westwood Elementary"
NEW = "Eastside Middle School"
MONTHS = ("2025-10", "2025-11", "2025-12")


def _merge(officer: Officer) -> None:
    with Vault.open(officer.path, PASSPHRASE) as vault:
        j = vault.journal
        old, new = j.school_id_by_name(OLD), j.school_id_by_name(NEW)
        assert old is not None and new is not None
        j.merge_school(old, new)
    # The truth from now on: the old school's contacts (and students) are the new school's.
    officer.visits = [replace(v, school=NEW) if v.school == OLD else v for v in officer.visits]
    officer.schools = [s for s in officer.schools if s != OLD]


def _welfare(month: str, key: int) -> list[Visit]:
    """Two welfare assists at the old school: a small safety row there."""
    return [
        Visit(key + i, day(6 + i, month), OLD, "welfare_assist", ((f"Wel{i} W", "3"),),
              "parent_notified", minutes=30)
        for i in range(2)
    ]  # fmt: skip


def test_a_quarter_after_a_merge_does_not_read_back_the_old_school(officer: Officer) -> None:
    for n, month in enumerate(MONTHS):
        visits = background(month, start=1 + 100 * n)
        if n == 0:
            visits += _welfare(month, 900)
        assert officer.import_visits(visits).code == 0
    months = [officer.release(m) for m in MONTHS]
    assert None not in months
    _merge(officer)
    quarter = officer.release("2025-Q4")
    assert quarter is not None
    officer.attack.rollup(quarter, months, {OLD: NEW})  # type: ignore[arg-type]
    found = clean(officer.attack.findings())
    assert not found, "\n".join(found)
    # The quarter lists the schools as they are now.
    released = officer.attack.model.releases[quarter]
    assert not any(k[0] == "T2" and k[1][0] == OLD for k in released.cells)


def test_a_revision_after_a_merge_is_consistent_and_audited(officer: Officer) -> None:
    month = MONTHS[0]
    assert officer.import_visits([*background(month), *_welfare(month, 900)]).code == 0
    first = officer.release(month)
    assert first is not None
    _merge(officer)
    late = [
        Visit(700 + i, day(20, month), NEW, "relationship", ((f"Late{i:02d} E", "7"),),
              "resolved", notes="entered late")
        for i in range(12)
    ]  # fmt: skip
    assert officer.import_visits(late).code == 0
    second = officer.release(month, "--revise")
    assert second is not None
    officer.attack.growth(first, second, {OLD: NEW})
    found = clean(officer.attack.findings())
    assert not found, "\n".join(found)
    assert not any(
        k[0] == "T2" and k[1][0] == OLD for k in officer.attack.model.releases[second].cells
    )


def test_a_merge_alone_is_no_revision(officer: Officer) -> None:
    """Moving a school's contacts to another changes no record: nothing to revise."""
    month = MONTHS[0]
    assert officer.import_visits([*background(month), *_welfare(month, 900)]).code == 0
    assert officer.release(month) is not None
    _merge(officer)
    r, out = officer.summary(month, "json", "--revise")
    assert r.code == 5 and not out.exists()
    assert "nothing has changed" in r.err
