"""Follow-ups: what the officer promised to do, by due date; completing one can log its contact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from srojournal.domain.errors import InvalidInput
from srojournal.domain.followups import by_bucket
from srojournal.domain.models import ContactInput, FollowUp
from srojournal.vault.repo.contacts import Contacts


class FollowUps(Contacts):
    def add_follow_up(
        self,
        due: dt.date,
        what: str,
        student_ids: Iterable[int] = (),
        *,
        source_contact_id: int | None = None,
    ) -> int:
        with self.batch() as c:
            fid = int(
                c.execute(
                    "INSERT INTO follow_ups (due_date, what, source_contact_id) VALUES (?, ?, ?)",
                    (due.isoformat(), what, source_contact_id),
                ).lastrowid
            )
            c.executemany(
                "INSERT OR IGNORE INTO follow_up_students (follow_up_id, student_id) VALUES (?, ?)",
                [(fid, s) for s in student_ids],
            )
        return fid

    def follow_up(self, follow_up_id: int) -> FollowUp:
        found = self._follow_ups("WHERE f.id = ?", [follow_up_id])
        if not found:
            raise InvalidInput("That follow-up does not exist.")
        return found[0]

    def follow_ups(
        self,
        *,
        status: str | None = "open",
        student_id: int | None = None,
        due_before: dt.date | None = None,
    ) -> list[FollowUp]:
        clauses: list[str] = []
        args: list[Any] = []
        if status is not None:
            clauses.append("f.status = ?")
            args.append(status)
        if student_id is not None:
            clauses.append(
                "f.id IN (SELECT follow_up_id FROM follow_up_students WHERE student_id = ?)"
            )
            args.append(student_id)
        if due_before is not None:
            clauses.append("f.due_date < ?")
            args.append(due_before.isoformat())
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._follow_ups(where, args)

    def _follow_ups(self, where: str, args: list[Any]) -> list[FollowUp]:
        rows = self.conn.execute(
            "SELECT f.id, f.due_date, f.what, f.status, f.completed_on, f.source_contact_id,"
            " f.done_contact_id, (SELECT group_concat(student_id) FROM follow_up_students"
            " WHERE follow_up_id = f.id) FROM follow_ups f " + where + " ORDER BY f.due_date, f.id",
            args,
        ).fetchall()
        return [
            FollowUp(
                id=r[0],
                due=dt.date.fromisoformat(r[1]),
                what=r[2],
                status=r[3],
                student_ids=tuple(sorted(int(x) for x in r[7].split(","))) if r[7] else (),
                completed_on=dt.date.fromisoformat(r[4]) if r[4] else None,
                source_contact_id=r[5],
                done_contact_id=r[6],
            )
            for r in rows
        ]

    def follow_ups_buckets(self, today: dt.date) -> dict[str, list[FollowUp]]:
        """Open follow-ups as overdue / today / this week (next 7 days) / later."""
        return by_bucket(self.follow_ups(status="open"), today)

    def overdue_count(self, today: dt.date) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM follow_ups WHERE status = 'open' AND due_date < ?",
            (today.isoformat(),),
        ).fetchone()
        return int(row[0])

    def complete_follow_up(
        self,
        follow_up_id: int,
        on: dt.date,
        *,
        log_contact: ContactInput | None = None,
    ) -> int | None:
        """Mark a follow-up done; optionally log the follow-up contact in the same transaction."""
        self.follow_up(follow_up_id)
        with self.batch() as c:
            contact_id = self.add_contact(log_contact) if log_contact is not None else None
            c.execute(
                "UPDATE follow_ups SET status = 'done', completed_on = ?, done_contact_id = ?"
                " WHERE id = ?",
                (on.isoformat(), contact_id, follow_up_id),
            )
        return contact_id

    def follow_up_links(self, contact_id: int) -> tuple[tuple[int, str], ...]:
        """The follow-ups that point at a contact: (id, ``source`` or ``done``), for undo."""
        rows = self.conn.execute(
            "SELECT id, 'source' FROM follow_ups WHERE source_contact_id = ?"
            " UNION ALL SELECT id, 'done' FROM follow_ups WHERE done_contact_id = ?"
            " ORDER BY 1, 2",
            (contact_id, contact_id),
        ).fetchall()
        return tuple((int(r[0]), str(r[1])) for r in rows)

    def relink_follow_up(self, follow_up_id: int, link: str, contact_id: int) -> None:
        """Point a follow-up at a contact again (its ``source`` or its ``done`` contact)."""
        column = {"source": "source_contact_id", "done": "done_contact_id"}[link]
        with self.batch() as c:
            c.execute(
                f"UPDATE follow_ups SET {column} = ? WHERE id = ?", (contact_id, follow_up_id)
            )

    def reschedule_follow_up(self, follow_up_id: int, due: dt.date) -> None:
        with self.batch() as c:
            c.execute(
                "UPDATE follow_ups SET due_date = ?, status = 'open', completed_on = NULL"
                " WHERE id = ?",
                (due.isoformat(), follow_up_id),
            )

    def cancel_follow_up(self, follow_up_id: int) -> None:
        with self.batch() as c:
            c.execute("UPDATE follow_ups SET status = 'cancelled' WHERE id = ?", (follow_up_id,))
