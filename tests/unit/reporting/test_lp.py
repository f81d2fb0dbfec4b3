"""The solver wrapper: a definite answer whatever else ran HiGHS before it in the process.

HiGHS keeps one task scheduler per thread, sized by the first solve in that thread; a scheduler
with worker threads does not survive ``fork()``. Each test runs where that state is fresh (a new
thread, or a subprocess), so that the order of the suite does not decide what it shows.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import highspy
import numpy as np
import pytest

from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.lp import Program, SolverError


def _small(binary: bool = False) -> Program:
    # min x0 + 2 x1 + x2  s.t.  1 <= x0 + x1 <= 2, 1 <= x1 + x2 <= 2, x in [0, 1]: value 2
    rows = [([0, 1], [1.0, 1.0], 1.0, 2.0), ([1, 2], [1.0, 1.0], 1.0, 2.0)]
    return Program([0.0] * 3, [1.0] * 3, rows, binary=binary)


COST = np.array([1.0, 2.0, 1.0])


def _other_highs_user(threads: int) -> None:
    """What a library (or a test's own reader) does: solve with another thread count."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.addVars(2, np.zeros(2), np.ones(2))
    h.addRow(1.0, 2.0, 2, np.array([0, 1], dtype=np.int32), np.ones(2))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _in_fresh_thread(fn) -> object:  # type: ignore[no-untyped-def]
    result: list[object] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the test thread
            result.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    assert result, "the solve did not finish"
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


@pytest.mark.parametrize("binary", [False, True])
def test_a_solve_after_another_highs_user_with_more_threads(binary: bool) -> None:
    def scenario() -> object:
        _other_highs_user(threads=2)
        out = _small(binary).minimize(COST)
        _other_highs_user(threads=0)  # and a user of HiGHS's default keeps working after us
        return out

    out = _in_fresh_thread(scenario)
    assert out.status == "optimal"  # type: ignore[attr-defined]
    assert out.value == pytest.approx(2.0)  # type: ignore[attr-defined]


_FORK_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import highspy, numpy as np
    from srojournal.reporting.lp import Program

    def other(threads):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", threads)
        rng = np.random.default_rng(1)
        n = 40
        h.addVars(n, np.zeros(n), np.full(n, 10.0))
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
        )
        h.changeColsCost(n, np.arange(n, dtype=np.int32), -rng.random(n))
        for _ in range(30):
            idx = rng.choice(n, 8, replace=False).astype(np.int32)
            h.addRow(-highspy.kHighsInf, 13.0, 8, idx, rng.random(8) * 5)
        h.setOptionValue("time_limit", 0.5)
        h.run()

    def ours():
        p = Program([0.0, 0.0], [1.0, 1.0], [([0, 1], [1.0, 1.0], 1.0, 2.0)], binary=True)
        return p.minimize(np.array([1.0, 2.0])).status

    other(2)  # the parent's scheduler has a worker thread
    pid = os.fork()
    if pid == 0:
        status = ours()
        other(2)  # a parallel solve in the child must not wait for the parent's workers
        sys.stdout.write(f"child {status}\\n")
        sys.stdout.flush()
        os._exit(0)
    _, code = os.waitpid(pid, 0)
    sys.stdout.write(f"parent {ours()} {code}\\n")
    """
)


def test_a_forked_child_solves_after_the_parent_used_worker_threads() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _FORK_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert "child optimal" in proc.stdout, proc.stderr[-500:]
    assert "parent optimal 0" in proc.stdout


def test_a_solve_without_an_answer_is_rebuilt_and_answered() -> None:
    prog = _small()
    prog._h.setOptionValue("presolve", "off")
    prog._h.setOptionValue("simplex_iteration_limit", 0)  # the instance goes astray
    out = prog.minimize(COST)
    assert out.status == "optimal"
    assert out.value == pytest.approx(2.0)
    assert prog.rebuilds == 1
    # and it keeps answering, from the rebuilt instance
    assert prog.minimize(np.array([2.0, 1.0, 2.0])).value == pytest.approx(1.0)


class _Hopeless(Program):
    def _build(self, *, presolve: bool = True):  # type: ignore[no-untyped-def]
        h = super()._build(presolve=presolve)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_iteration_limit", 0)
        return h


def test_a_solver_that_never_answers_is_a_clear_message() -> None:
    rows = [([0, 1], [1.0, 1.0], 1.0, 2.0), ([1, 2], [1.0, 1.0], 1.0, 2.0)]
    prog = _Hopeless([0.0] * 3, [1.0] * 3, rows)
    with pytest.raises(SolverError) as err:
        prog.minimize(COST)
    assert isinstance(err.value, ReportRejected)  # exit 5 with one line, never "internal error"
    assert "\n" not in str(err.value)
    assert "internal error" not in str(err.value)
    assert prog.rebuilds == 2


def test_unbounded_and_infeasible_are_told_apart() -> None:
    free = Program([0.0], [float("inf")], [([0], [1.0], 0.0, float("inf"))])
    assert free.minimize(np.array([-1.0])).status == "unbounded"
    empty = Program([0.0, 0.0], [1.0, 1.0], [([0, 1], [1.0, 1.0], 3.0, 4.0)])
    assert empty.minimize(np.array([-1.0, 0.0])).status == "infeasible"
    no_columns = Program([], [], [])
    assert no_columns.minimize(np.zeros(0)).status == "optimal"
