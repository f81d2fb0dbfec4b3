"""The solver wrapper's answers: the program HiGHS solves is the one we describe, bound changes
and added rows reach it, a rebuilt program is the same program, and an integer program is solved
to optimality (no gap).

Each test runs its solves in a fresh thread (see ``test_lp.py``: HiGHS's scheduler belongs to the
thread), so that nothing else in the suite decides what it shows.
"""

from __future__ import annotations

import numpy as np
import pytest

from srojournal.reporting.lp import INF, Outcome, Program, SolverError

from .test_lp import _in_fresh_thread

INT_ROWS = [([0, 1, 2], [2.0, 3.0, 5.0], 7.0, INF)]


def _knapsack(binary: bool = True) -> Program:
    # min 3 x0 + 4 x1 + 6 x2 s.t. 2 x0 + 3 x1 + 5 x2 >= 7, x in {0,1}:
    # integer optimum 9 (x0, x1, x2 = 1, 0, 1), LP optimum 26/3
    return Program([0.0] * 3, [1.0] * 3, INT_ROWS, binary=binary)


KCOST = np.array([3.0, 4.0, 6.0])


def _run(fn):  # type: ignore[no-untyped-def]
    return _in_fresh_thread(fn)


def test_an_integer_program_is_solved_to_its_optimum_and_an_lp_to_its_relaxation() -> None:
    def scenario() -> tuple[Outcome, Outcome]:
        return _knapsack(True).minimize(KCOST), _knapsack(False).minimize(KCOST)

    mip, lp = _run(scenario)
    assert mip.status == "optimal" and mip.value == pytest.approx(9.0)
    assert mip.x is not None and list(np.round(mip.x)) == [1.0, 0.0, 1.0]
    assert mip.integral()
    assert mip.row_dual is None and mip.col_dual is None  # no duals for an integer program
    assert lp.value < 9.0 - 1e-6
    assert lp.x is not None and not lp.integral()
    assert lp.row_dual is not None and lp.row_dual.shape == (1,)
    assert lp.col_dual is not None and lp.col_dual.shape == (3,)
    assert lp.x.dtype == np.float64


def test_integral_is_exact_within_its_tolerance() -> None:
    x = np.array([1.0, 2.0 + 0.5e-6, -3.0])
    assert Outcome("optimal", 0.0, x).integral()
    assert not Outcome("optimal", 0.0, np.array([1.0, 2.0 + 2e-6])).integral()
    assert Outcome("optimal", 0.0, np.array([0.5])).integral(tol=0.5)
    assert not Outcome("optimal", 0.0, np.array([0.25])).integral(tol=0.2)


def test_the_mip_gaps_are_zero() -> None:
    """An integer program where HiGHS stops early at a worse solution under its default relative
    gap (1e-4) or an absolute gap of 1: ours must reach the optimum (21.54 above a fixed part of
    100000, proved with both gaps at zero)."""

    def scenario() -> list[float]:
        rng = np.random.default_rng(0)
        n = 20
        rows = []
        for _ in range(15):
            idx = sorted(rng.choice(n, 6, replace=False).tolist())
            rows.append((idx, list(rng.integers(3, 20, 6).astype(float)), 30.0, INF))
        cost = np.append(rng.integers(100, 400, n).astype(float) / 100, 1e5)
        out = []
        for option, value in ((None, 0.0), ("mip_rel_gap", 1e-4), ("mip_abs_gap", 1.0)):
            # the last column is fixed at 1: a constant part of the objective
            p = Program([0.0] * n + [1.0], [2.0] * n + [1.0], rows, binary=True)
            if option:
                p.set_option(option, value)
            out.append(p.minimize(cost).value - 1e5)
        return out

    exact, loose_rel, loose_abs = _run(scenario)
    assert exact == pytest.approx(21.54, abs=1e-6)
    assert loose_rel > exact + 0.1 and loose_abs > exact + 0.1  # the instance tells them apart


def test_bounds_reach_the_solver_and_the_mirror() -> None:
    def scenario() -> list[float]:
        p = _knapsack(False)
        values = [p.minimize(KCOST).value]
        p.set_col_bounds(2, 0.0, 0.0)  # x2 out: 2 x0 + 3 x1 >= 7 is infeasible in [0,1]
        values.append(INF if p.minimize(KCOST).status == "infeasible" else -1.0)
        assert (p.col_lower[2], p.col_upper[2]) == (0.0, 0.0)
        p.set_col_bounds(2, 0.0, 1.0)
        p.set_row_bounds(0, 5.0, INF)
        assert (p.row_lower[0], p.row_upper[0]) == (5.0, INF)
        values.append(p.minimize(KCOST).value)  # 5 x2 >= 5: x2 = 1, value 6
        p.set_cols_bounds([0, 2], np.array([1.0, 0.0]), np.array([1.0, 0.0]))
        assert list(p.col_lower) == [1.0, 0.0, 0.0] and list(p.col_upper) == [1.0, 1.0, 0.0]
        values.append(p.minimize(KCOST).value)  # x0 = 1: 2 + 3 x1 >= 5: x1 = 1, value 7
        p.set_cols_bounds([0, 2], np.array([0.0, 0.0]), np.array([1.0, 1.0]))
        p.set_row_bounds(0, 7.0, INF)
        values.append(p.minimize(KCOST).value)
        return values

    values = _run(scenario)
    assert values[1] == INF
    assert values[2:4] == pytest.approx([6.0, 7.0])
    assert values[4] == pytest.approx(values[0])


def test_a_rebuild_solves_the_program_as_changed() -> None:
    """After bounds changes, added rows and an option, a program rebuilt from the mirror (what a
    solve without an answer does) is the same program: same answers."""

    def scenario() -> tuple[list[float], list[float], int]:
        p = _knapsack(True)
        p.set_col_bounds(0, 0.0, 0.0)
        p.set_row_bounds(0, 3.0, INF)
        row = p.add_row([0, 1], [1.0, 1.0], 1.0, INF)  # x0 + x1 >= 1
        p.add_rows([])
        p.add_rows([([2], [1.0], 0.0, 0.0), ([1, 2], [1.0, 1.0], 0.0, 2.0)])
        p.set_option("mip_rel_gap", 0.0)
        first = [p.minimize(KCOST).value, float(p.m), float(row)]
        p._h = p._build()  # what a rebuild does
        second = [p.minimize(KCOST).value, float(p.m), float(row)]
        twin = p.clone(integer=False)
        third = twin.minimize(KCOST)
        assert third.x is not None
        return first, second, round(third.value)

    first, second, relaxed = _run(scenario)
    # x0 = 0, x2 = 0: 3 x1 >= 3, x1 >= 1: x1 = 1, value 4
    assert first == pytest.approx([4.0, 4.0, 1.0])
    assert second == first
    assert relaxed == 4


def test_row_activity_follows_added_rows() -> None:
    p = Program([0.0] * 3, [1.0] * 3, [([0, 2], [1.0, -2.0], 0.0, 1.0)])
    p.add_rows([([1], [3.0], 0.0, 1.0), ([0, 1, 2], [1.0, 1.0, 1.0], 0.0, 3.0)])
    assert p.add_row([2], [5.0], 0.0, 9.0) == 3
    points = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
    act = p.row_activity(points)
    assert act.shape == (4, 2)
    assert act.tolist() == [[-5.0, 0.0], [6.0, 3.0], [6.0, 1.0], [15.0, 0.0]]
    assert list(p.row_lower) == [0.0, 0.0, 0.0, 0.0]
    assert list(p.row_upper) == [1.0, 1.0, 3.0, 9.0]
    assert p._starts == [0, 2, 3, 6, 7]
    assert Program([0.0], [1.0], []).row_activity(np.array([[1.0]])).shape == (0, 1)


def test_the_program_keeps_its_own_copy_of_the_bounds() -> None:
    lower = np.zeros(3)
    upper = np.ones(3)
    p = Program(lower, upper, INT_ROWS)
    lower[0] = 5.0
    upper[1] = 0.0
    assert list(p.col_lower) == [0.0, 0.0, 0.0] and list(p.col_upper) == [1.0, 1.0, 1.0]
    twin = p.clone(integer=True)
    p.set_col_bounds(0, 1.0, 1.0)
    p.set_row_bounds(0, 0.0, 0.0)
    assert twin.col_lower[0] == 0.0 and twin.row_lower[0] == 7.0 and twin.row_upper[0] == INF
    assert twin.n == 3 and twin.m == 1 and twin.solves == 0 and twin.rebuilds == 0


def test_switching_integrality_changes_the_answer() -> None:
    def scenario() -> list[float]:
        p = _knapsack(False)
        out = [p.minimize(KCOST).value]
        p.set_integer(True)
        out.append(p.minimize(KCOST).value)
        p.set_integer(True)  # no change
        out.append(p.minimize(KCOST).value)
        p.set_integer(False)
        out.append(p.minimize(KCOST).value)
        twin = p.clone(integer=True)
        out.append(twin.minimize(KCOST).value)
        Program([], [], []).set_integer(True)  # nothing to switch
        return out

    lp, mip, mip_again, lp_again, twin = _run(scenario)
    assert mip == mip_again == twin == pytest.approx(9.0)
    assert lp == pytest.approx(lp_again) and lp < 9.0 - 1e-6


def test_an_option_survives_a_rebuild_and_a_clone() -> None:
    """An option set on the program (an iteration limit here) is kept when HiGHS's copy is
    rebuilt and in a clone: a program that cannot answer under it raises SolverError."""

    def scenario() -> tuple[str, int, str]:
        p = _knapsack(False)
        p.set_option("presolve", "off")
        p.set_option("simplex_iteration_limit", 0)
        try:
            p.minimize(KCOST)
        except SolverError as err:
            first = err.status
        twin = p.clone(integer=False)
        try:
            twin.minimize(KCOST)
        except SolverError as err:
            return first, p.rebuilds, err.status
        return first, p.rebuilds, "answered"

    first, rebuilds, twin = _run(scenario)
    assert first == twin and "iteration" in first.lower()
    assert rebuilds == 2


def test_presolve_is_restored_after_an_answer_without_it() -> None:
    """A rebuilt program solved without presolve goes back to the program's own presolve
    setting for its next solves."""

    class NeedsNoPresolve(Program):
        def _build(self, *, presolve: bool = True):  # type: ignore[no-untyped-def]
            h = super()._build(presolve=presolve)
            if presolve:
                h.setOptionValue("simplex_iteration_limit", 0)
                h.setOptionValue("presolve", "off")
            return h

    def scenario() -> tuple[float, int, str, str]:
        p = NeedsNoPresolve([0.0] * 3, [1.0] * 3, INT_ROWS)
        out = p.minimize(KCOST)
        presolve = p._h.getOptionValue("presolve")
        q = NeedsNoPresolve([0.0] * 3, [1.0] * 3, INT_ROWS)
        q.set_option("presolve", "on")
        q._h = q._build()  # the option kept, then overridden by this test's solver
        q.minimize(KCOST)
        assert q.rebuilds == 2
        return out.value, p.rebuilds, str(presolve), str(q._h.getOptionValue("presolve"))

    from highspy import _core

    ok = _core.HighsStatus.kOk
    value, rebuilds, presolve, kept = _run(scenario)
    assert value == pytest.approx(26 / 3)
    assert rebuilds == 2
    assert presolve == str((ok, "choose"))
    assert kept == str((ok, "on"))


def test_solver_error_names_the_status() -> None:
    err = SolverError("Iteration limit reached")
    assert err.status == "Iteration limit reached"
    assert str(err) == (
        "the summary could not be checked: the solver gave no answer (Iteration limit reached); "
        "nothing was written. Try the export again; if this keeps happening, please report it"
    )


def test_an_unbounded_or_infeasible_answer_is_told_apart_and_the_cost_kept() -> None:
    """HiGHS may say "unbounded or infeasible"; a feasibility solve tells which, and the next
    solve still uses the objective it was asked for."""

    def scenario() -> tuple[str, str, float, list[float]]:
        p = Program([0.0, 0.0], [INF, INF], [([0, 1], [1.0, -1.0], -INF, 0.0)])
        p.set_option("presolve", "off")
        cost = np.array([-1.0, 0.0])
        first = p.minimize(cost).status  # x0 <= x1, both free above: unbounded
        q = Program([0.0, 0.0], [INF, INF], [([0, 1], [1.0, 1.0], -INF, -1.0)])
        second = q.minimize(cost).status  # x0 + x1 <= -1 with x >= 0: infeasible
        p.set_col_bounds(1, 0.0, 4.0)
        out = p.minimize(cost)
        assert out.x is not None
        return first, second, out.value, list(p._cost)

    first, second, value, cost = _run(scenario)
    assert first == "unbounded"
    assert second == "infeasible"
    assert value == pytest.approx(-4.0)
    assert cost == [-1.0, 0.0]


def _strategy(p: Program) -> int:
    return int(p._h.getOptionValue("simplex_strategy")[1])


DUAL, PRIMAL = 1, 4


def test_a_tightened_program_goes_on_with_the_dual_simplex() -> None:
    """After a bound was tightened (or a row added, or integrality switched) the last basis is
    no longer feasible and the next LP solve uses the dual simplex; after a change of the
    objective alone, or a bound only loosened, it goes on with the primal simplex."""

    def scenario() -> list[int]:
        p = _knapsack(False)
        seen = []

        def solve() -> None:
            p.minimize(KCOST)
            seen.append(_strategy(p))

        solve()  # a new program: dual
        solve()  # the objective alone: primal
        p.set_col_bounds(0, 0.0, 1.0)  # unchanged
        solve()
        p.set_col_bounds(0, 0.0, 2.0)  # loosened above only
        solve()
        p.set_col_bounds(0, 0.0, 1.0)  # tightened above
        solve()
        p.set_col_bounds(0, -1.0, 1.0)  # loosened below only
        solve()
        p.set_col_bounds(0, 0.0, 1.0)  # tightened below
        solve()
        p.set_row_bounds(0, 7.0, 50.0)  # tightened above
        solve()
        p.set_row_bounds(0, 6.0, 50.0)  # loosened below only
        solve()
        p.set_row_bounds(0, 6.0, INF)  # loosened above only
        solve()
        p.set_row_bounds(0, 7.0, INF)  # tightened below
        solve()
        p.set_cols_bounds([1, 2], np.array([0.0, 0.0]), np.array([2.0, 1.0]))  # loosened
        solve()
        p.set_cols_bounds([1, 2], np.array([0.0, 0.0]), np.array([1.0, 1.0]))  # tightened
        solve()
        p.set_cols_bounds([1, 2], np.array([-1.0, 0.0]), np.array([1.0, 1.0]))  # loosened
        solve()
        p.set_cols_bounds([1, 2], np.array([0.0, 0.0]), np.array([1.0, 1.0]))  # tightened below
        solve()
        p.add_rows([([0], [1.0], 0.0, 1.0)])
        solve()
        p.set_integer(False)  # unchanged
        solve()
        p.set_integer(True)
        p.set_integer(False)
        solve()
        twin = p.clone(integer=False)
        twin.minimize(KCOST)
        seen.append(_strategy(twin))
        return seen

    seen = _run(scenario)
    assert seen == [
        DUAL, PRIMAL, PRIMAL, PRIMAL, DUAL, PRIMAL, DUAL, DUAL, PRIMAL, PRIMAL, DUAL,
        PRIMAL, DUAL, PRIMAL, DUAL, DUAL, PRIMAL, DUAL, DUAL,
    ]  # fmt: skip


def test_a_change_of_the_lower_bound_alone_reaches_the_solver() -> None:
    def scenario() -> tuple[float, float]:
        p = _knapsack(True)
        p.set_col_bounds(1, 1.0, 1.0)  # x1 = 1: 3 + 2 x0 + 5 x2 >= 7: x2 = 1, value 10
        p.set_row_bounds(0, 7.0, INF)  # unchanged
        fixed = p.minimize(KCOST).value
        q = _knapsack(True)
        q.set_col_bounds(0, 0.0, 1.0)  # unchanged
        q.set_col_bounds(1, 1.0, 1.0)
        return fixed, q.minimize(KCOST).value

    fixed, again = _run(scenario)
    assert fixed == again == pytest.approx(10.0)


def test_integrality_of_a_one_column_program_and_through_a_rebuild() -> None:
    """A program switched to integer stays integer when a solve without an answer rebuilds it
    (the rebuilt program is the same program)."""

    def scenario() -> tuple[float, float, float]:
        one = Program([0.0], [1.5], [])
        one.set_integer(True)
        single = one.minimize(np.array([-1.0])).value
        p = _knapsack(False)
        p.set_integer(True)
        p._h.setOptionValue("presolve", "off")
        p._h.setOptionValue("mip_max_nodes", 0)  # the instance goes astray
        p._h.setOptionValue("mip_max_leaves", 0)
        p._h.setOptionValue("mip_max_improving_sols", 0)
        out = p.minimize(KCOST)
        q = _knapsack(False)
        q.set_integer(True)
        q._h = q._build()
        return single, out.value, q.minimize(KCOST).value

    single, rebuilt, built = _run(scenario)
    assert single == pytest.approx(-1.0)
    assert rebuilt == pytest.approx(9.0)
    assert built == pytest.approx(9.0)


def test_a_rebuild_is_logged_with_the_status() -> None:
    import logging

    from .test_lp import _small

    def scenario() -> int:
        prog = _small()
        prog._h.setOptionValue("presolve", "off")
        prog._h.setOptionValue("simplex_iteration_limit", 0)
        prog.minimize(np.array([1.0, 2.0, 1.0]))
        return prog.rebuilds

    logger = logging.getLogger("srojournal.reporting.lp")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        assert _run(scenario) == 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].getMessage() == (
        "solver: no definite answer (Iteration limit reached); solving a rebuilt program"
    )


def test_a_program_without_columns_is_solved_at_zero() -> None:
    def scenario() -> Outcome:
        return Program([], [], [([], [], 0.0, 1.0), ([], [], -1.0, 0.0)]).minimize(np.zeros(0))

    out = _run(scenario)
    assert out.status == "optimal" and out.value == 0.0 and type(out.value) is float
    assert out.x is not None and out.x.shape == (0,)
    assert out.row_dual is not None and out.row_dual.shape == (2,)
    assert out.col_dual is not None and out.col_dual.shape == (0,)


def test_an_unbounded_program_costs_minus_infinity_and_one_solve() -> None:
    """HiGHS says "unbounded" for an LP (one solve) and, after presolve, "unbounded or
    infeasible" for integer programs: a feasibility solve then tells which (two solves)."""

    def scenario() -> list[tuple[str, float, int]]:
        out = []
        free = Program([0.0], [INF], [([0], [1.0], 0.0, INF)])
        answer = free.minimize(np.array([-1.0]))
        assert answer.x is None
        out.append((answer.status, answer.value, free.solves))
        free_int = Program([0.0], [INF], [([0], [1.0], 0.0, INF)], binary=True)
        answer = free_int.minimize(np.array([-1.0]))
        out.append((answer.status, answer.value, free_int.solves))
        # 3 x1 + 5 x2 = 1 has no solution in integers >= 0; x0 alone could descend for ever
        none = Program([0.0] * 3, [INF] * 3, [([1, 2], [3.0, 5.0], 1.0, 1.0)], binary=True)
        answer = none.minimize(np.array([-1.0, 0.0, 0.0]))
        out.append((answer.status, answer.value, none.solves))
        return out

    lp, mip, infeasible = _run(scenario)
    assert lp == ("unbounded", -INF, 1)
    assert mip == ("unbounded", -INF, 2)
    assert infeasible == ("infeasible", 0.0, 2)


def test_a_solve_after_a_highs_user_with_worker_threads_in_the_same_thread() -> None:
    """Another HiGHS user (HiGHS's own class, as a library would use it) sized this thread's
    scheduler with two threads: our one-thread program resets it and answers. (Built on the
    core class, so that no test plugin can change its thread count.)"""
    from highspy import _core

    def scenario() -> tuple[str, float, int]:
        h = _core._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 2)
        h.addVars(2, np.zeros(2), np.ones(2))
        h.addRow(1.0, 2.0, 2, np.array([0, 1], dtype=np.int32), np.ones(2))
        h.run()
        assert h.getModelStatus() == _core.HighsModelStatus.kOptimal
        p = _knapsack(False)
        out = p.minimize(KCOST)
        return out.status, out.value, p.solves

    status, value, solves = _run(scenario)
    assert status == "optimal" and value == pytest.approx(26 / 3)
    assert solves == 2  # the first run met the other scheduler; the second answered


def test_a_solve_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """The command line prints its result on standard output: HiGHS must print nothing there
    (no banner, no log), for an LP, an integer program and a rebuilt one."""

    def scenario() -> None:
        _knapsack(False).minimize(KCOST)
        _knapsack(True).minimize(KCOST)
        p = _knapsack(False)
        p._h.setOptionValue("presolve", "off")
        p._h.setOptionValue("simplex_iteration_limit", 0)
        p.minimize(KCOST)
        assert p.rebuilds == 1

    capfd.readouterr()
    _run(scenario)
    assert capfd.readouterr() == ("", "")


def test_a_rebuild_without_presolve_turns_presolve_off() -> None:
    """The last rebuild of a solve without an answer is without presolve; the others keep the
    program's own options."""

    def scenario() -> tuple[object, object, object]:
        p = _knapsack(False)
        p.set_option("mip_rel_gap", 0.5)
        off = p._build(presolve=False)
        on = p._build()
        return (
            off.getOptionValue("presolve")[1],
            on.getOptionValue("presolve")[1],
            (on.getOptionValue("mip_rel_gap")[1]),
        )

    assert _run(scenario) == ("off", "choose", 0.5)


def test_bounds_given_as_integers_take_fractional_changes() -> None:
    """A program described with integer bounds keeps fractional bounds set later, in its mirror
    and in the program HiGHS solves after a rebuild."""

    def scenario() -> tuple[list[float], list[float], float]:
        p = Program([0, 0, 0], [1, 1, 1], [([0, 1, 2], [2, 3, 5], 7, 10)])
        p.set_col_bounds(0, 0.5, 1.5)
        p.set_row_bounds(0, 7.5, 9.5)
        p._h = p._build()  # what a rebuild does
        out = p.minimize(KCOST)
        return [*p.col_lower, *p.col_upper], [*p.row_lower, *p.row_upper], out.value

    cols, rows, value = _run(scenario)
    assert cols == [0.5, 0.0, 0.0, 1.5, 1.0, 1.0]
    assert rows == [7.5, 9.5]
    # x0 = 0.5 (1.5), then the cheapest per unit of the row: x2 = 1 (6), x1 = 0.5 (2)
    assert value == pytest.approx(9.5)
