"""One writer: a write from another thread never joins a transaction it does not own."""

from __future__ import annotations

import threading

import pytest

from srojournal.vault.errors import ConcurrentWrite
from srojournal.vault.store import Vault


def test_a_write_from_another_thread_is_refused_not_joined(vault: Vault) -> None:
    j = vault.journal
    school = j.add_school("Lincoln Middle")
    inside, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def slow_failing_task() -> None:
        try:
            with j.batch():
                j.add_student("AB", school)
                inside.set()
                assert release.wait(10)
                raise RuntimeError("the task fails after its first write")
        except RuntimeError as exc:
            failed.append(exc)

    worker = threading.Thread(target=slow_failing_task)
    worker.start()
    try:
        assert inside.wait(10)
        with pytest.raises(ConcurrentWrite):
            j.add_student("CD", school)  # would have joined the task's transaction
    finally:
        release.set()
        worker.join(10)
    assert failed
    assert [s.alias for s in j.students()] == []  # the task rolled back; nothing else was in it
    j.add_student("CD", school)  # the writer is free again
    assert [s.alias for s in j.students()] == ["CD"]


def test_the_owning_thread_still_nests(vault: Vault) -> None:
    j = vault.journal
    with j.batch():
        school = j.add_school("Lincoln Middle")
        j.add_student("AB", school)
    assert [s.alias for s in j.students()] == ["AB"]
