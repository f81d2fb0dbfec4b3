"""Conflict cases: parties, agreement terms, a check date, and the contacts of a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from srojournal.domain.cases import checked_status
from srojournal.domain.errors import InvalidInput
from srojournal.domain.models import ConflictCase
from srojournal.vault.repo.core import JournalCore, ids_of


class Cases(JournalCore):
    def add_conflict_case(
        self,
        title: str,
        party_ids: Iterable[int],
        *,
        terms: str = "",
        opened_on: dt.date,
        check_date: dt.date | None = None,
        contact_ids: Iterable[int] = (),
    ) -> int:
        with self.batch() as c:
            case_id = int(
                c.execute(
                    "INSERT INTO conflict_cases (title, terms, opened_on, check_date)"
                    " VALUES (?, ?, ?, ?)",
                    (
                        title,
                        terms,
                        opened_on.isoformat(),
                        check_date.isoformat() if check_date else None,
                    ),
                ).lastrowid
            )
            c.executemany(
                "INSERT OR IGNORE INTO conflict_parties (case_id, student_id) VALUES (?, ?)",
                [(case_id, s) for s in party_ids],
            )
            c.executemany(
                "INSERT OR IGNORE INTO conflict_contacts (case_id, contact_id) VALUES (?, ?)",
                [(case_id, x) for x in contact_ids],
            )
        return case_id

    def update_conflict_case(
        self,
        case_id: int,
        *,
        title: str | None = None,
        terms: str | None = None,
        check_date: dt.date | None = None,
        status: str | None = None,
    ) -> None:
        case = self.conflict_case(case_id)
        if status is not None:
            checked_status(status)
        check = check_date or case.check_date
        with self.batch() as c:
            c.execute(
                "UPDATE conflict_cases SET title = ?, terms = ?, check_date = ?, status = ?"
                " WHERE id = ?",
                (
                    title if title is not None else case.title,
                    terms if terms is not None else case.terms,
                    check.isoformat() if check else None,
                    status or case.status,
                    case_id,
                ),
            )

    def set_conflict_parties(self, case_id: int, student_ids: Iterable[int]) -> None:
        self.conflict_case(case_id)
        with self.batch() as c:
            c.execute("DELETE FROM conflict_parties WHERE case_id = ?", (case_id,))
            c.executemany(
                "INSERT OR IGNORE INTO conflict_parties (case_id, student_id) VALUES (?, ?)",
                [(case_id, s) for s in student_ids],
            )

    def clear_case_check_date(self, case_id: int) -> None:
        with self.batch() as c:
            c.execute("UPDATE conflict_cases SET check_date = NULL WHERE id = ?", (case_id,))

    def unlink_contact_from_case(self, case_id: int, contact_id: int) -> None:
        with self.batch() as c:
            c.execute(
                "DELETE FROM conflict_contacts WHERE case_id = ? AND contact_id = ?",
                (case_id, contact_id),
            )

    def link_contact_to_case(self, case_id: int, contact_id: int) -> None:
        with self.batch() as c:
            c.execute(
                "INSERT OR IGNORE INTO conflict_contacts (case_id, contact_id) VALUES (?, ?)",
                (case_id, contact_id),
            )

    def conflict_case(self, case_id: int) -> ConflictCase:
        found = self._cases("WHERE k.id = ?", [case_id])
        if not found:
            raise InvalidInput("That conflict case does not exist.")
        return found[0]

    def conflict_cases(self, *, student_id: int | None = None) -> list[ConflictCase]:
        if student_id is None:
            return self._cases("", [])
        return self._cases(
            "WHERE k.id IN (SELECT case_id FROM conflict_parties WHERE student_id = ?)",
            [student_id],
        )

    def cases_due_for_check(self) -> list[ConflictCase]:
        """Cases whose agreement still waits for its check: open ones with a check date, and
        held ones whose check date is later than their last check (a check logged with the
        outcome "agreement held" or "broken"): a held case's date that is not later is the
        day its last check happened."""
        return self._cases(
            "WHERE k.check_date IS NOT NULL AND (k.status = 'open' OR (k.status = 'held'"
            " AND k.check_date > COALESCE((SELECT max(substr(c.occurred_at, 1, 10))"
            "   FROM conflict_contacts cc JOIN contacts c ON c.id = cc.contact_id"
            "   WHERE cc.case_id = k.id"
            "   AND c.outcome IN ('agreement_held', 'agreement_broken')), '')))",
            [],
        )

    def _cases(self, where: str, args: list[Any]) -> list[ConflictCase]:
        rows = self.conn.execute(
            "SELECT k.id, k.title, k.terms, k.opened_on, k.check_date, k.status,"
            " (SELECT group_concat(student_id) FROM conflict_parties WHERE case_id = k.id),"
            " (SELECT group_concat(contact_id) FROM conflict_contacts WHERE case_id = k.id)"
            " FROM conflict_cases k " + where + " ORDER BY k.opened_on DESC, k.id DESC",
            args,
        ).fetchall()
        return [
            ConflictCase(
                id=r[0],
                title=r[1],
                terms=r[2],
                opened_on=dt.date.fromisoformat(r[3]),
                check_date=dt.date.fromisoformat(r[4]) if r[4] else None,
                status=r[5],
                party_ids=ids_of(r[6]),
                contact_ids=ids_of(r[7]),
            )
            for r in rows
        ]
