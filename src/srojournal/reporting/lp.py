"""Linear and integer programs, solved by HiGHS through ``highspy`` (no SciPy).

One :class:`Program` holds a fixed matrix; bounds and the objective change between solves, so
HiGHS re-solves from the previous basis (a few hundred microseconds for a month's tables).

We construct ``highspy._core._Highs`` rather than the public ``highspy.Highs`` subclass: the
subclass installs a logging callback in its constructor, before any option can be set, and
HiGHS then prints its banner on standard output — where the command line prints its result.

**HiGHS's task scheduler.** HiGHS runs its solvers on a task scheduler that belongs to the
calling thread and is created by the first ``run()`` in that thread, sized by that instance's
``threads`` option. Two consequences, both seen in practice:

* a later instance asking for another thread count does not solve at all: ``run()`` returns an
  error and the model status stays "not set". Any other HiGHS user in the process (a library, a
  test's own solver with HiGHS's default thread count) can get there first, so a status of
  "not set" after an error resets this thread's scheduler and solves again;
* a scheduler with worker threads does not survive ``fork()``: the child inherits a scheduler
  whose workers do not exist, and its next parallel solve waits for them for ever. The child
  therefore drops the inherited scheduler right after a fork (:func:`os.register_at_fork`).

We ask for one thread: our programs are small, and one thread keeps every answer identical from
run to run and machine to machine.

**A solve without a definite answer** (a numerical failure, a presolve that went astray, a warm
start that led nowhere) is not an answer to pass on: the program is rebuilt from scratch and
solved again, once with HiGHS's defaults and once with presolve off, before :class:`SolverError`
is raised. A fresh instance solves from nothing, so any state left by earlier solves is gone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from highspy import _core

from .errors import ReportRejected

log = logging.getLogger(__name__)

INF: Final = float("inf")
FloatArray = npt.NDArray[np.float64]

_MS = _core.HighsModelStatus
_OPTIMAL = _MS.kOptimal
_UNBOUNDED = (_MS.kUnbounded, _MS.kUnboundedOrInfeasible)
_INFEASIBLE = _MS.kInfeasible
_DEFINITE = (_OPTIMAL, _MS.kModelEmpty, _INFEASIBLE, *_UNBOUNDED)
_DUAL: Final = 1  # HiGHS simplex_strategy: serial dual simplex
_PRIMAL: Final = 4  # primal simplex


class SolverError(ReportRejected):
    """HiGHS gave no definite answer, even on a program rebuilt from scratch.

    Nothing is written or stored; the message is safe to show (it carries no journal content).
    """

    def __init__(self, status: str) -> None:
        super().__init__(
            "the summary could not be checked: the solver gave no answer "
            f"({status}); nothing was written. Try the export again; if this keeps happening, "
            "please report it"
        )
        self.status = status


def reset_scheduler() -> None:
    """Drop this thread's HiGHS task scheduler; the next solve creates one of its own size."""
    reset = getattr(_core._Highs, "resetThreadScheduler", None) or getattr(
        _core._Highs, "resetGlobalScheduler", None
    )
    if reset is not None:
        reset(False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reset_scheduler)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one minimisation."""

    status: str  # "optimal" | "unbounded" | "infeasible"
    value: float = 0.0
    x: FloatArray | None = None
    row_dual: FloatArray | None = None
    col_dual: FloatArray | None = None

    def integral(self, tol: float = 1e-6) -> bool:
        assert self.x is not None
        return bool(np.all(np.abs(self.x - np.round(self.x)) <= tol))


RowSpec = tuple[Sequence[int], Sequence[float], float, float]
"""(column indices, coefficients, lower, upper): lower <= sum(coef * x) <= upper."""


class Program:
    """min c·x subject to row and column bounds; x continuous or integer."""

    def __init__(
        self,
        lower: Sequence[float],
        upper: Sequence[float],
        rows: Sequence[RowSpec],
        *,
        binary: bool = False,
    ) -> None:
        self.n = len(lower)
        self.m = len(rows)
        # The whole model is mirrored here: the dual bounds of the suppression read the bounds
        # back, and a solve without an answer rebuilds HiGHS's copy from this one.
        self.col_lower = np.asarray(lower, dtype=np.float64).copy()
        self.col_upper = np.asarray(upper, dtype=np.float64).copy()
        self.row_lower = np.array([r[2] for r in rows], dtype=np.float64)
        self.row_upper = np.array([r[3] for r in rows], dtype=np.float64)
        self._starts = [0]
        self._index: list[int] = []
        self._value: list[float] = []
        for idx, val, _lo, _hi in rows:
            self._index.extend(idx)
            self._value.extend(val)
            self._starts.append(len(self._index))
        self._integer = binary
        self._options: dict[str, bool | float | str] = {}
        self._tightened = True
        self._strategy = 0
        self._all = np.arange(self.n, dtype=np.int32)
        self._cost = np.zeros(self.n)
        self._h = self._build()
        self.solves = 0
        self.rebuilds = 0

    def clone(self, *, integer: bool) -> Program:
        """A separate program with the same matrix and bounds (e.g. an integer twin of an LP)."""
        twin = Program.__new__(Program)
        twin.n, twin.m = self.n, self.m
        twin.col_lower, twin.col_upper = self.col_lower.copy(), self.col_upper.copy()
        twin.row_lower, twin.row_upper = self.row_lower.copy(), self.row_upper.copy()
        twin._starts, twin._index, twin._value = (
            list(self._starts),
            list(self._index),
            list(self._value),
        )
        twin._integer = integer
        twin._options = dict(self._options)
        twin._tightened = True
        twin._strategy = 0
        twin._all = self._all
        twin._cost = np.zeros(self.n)
        twin._h = twin._build()
        twin.solves = 0
        twin.rebuilds = 0
        return twin

    def _build(self, *, presolve: bool = True) -> _core._Highs:
        h = _core._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
        h.setOptionValue("threads", 1)
        for name, value in getattr(self, "_options", {}).items():
            h.setOptionValue(name, value)
        if not presolve:
            h.setOptionValue("presolve", "off")
        lp = _core.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.m
        lp.col_cost_ = self._cost.copy()
        lp.col_lower_ = self.col_lower.copy()
        lp.col_upper_ = self.col_upper.copy()
        lp.row_lower_ = self.row_lower.copy()
        lp.row_upper_ = self.row_upper.copy()
        lp.a_matrix_.format_ = _core.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = self.n
        lp.a_matrix_.num_row_ = self.m
        lp.a_matrix_.start_ = np.array(self._starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(self._index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(self._value, dtype=np.float64)
        if self._integer:
            lp.integrality_ = [_core.HighsVarType.kInteger] * self.n
        h.passModel(lp)
        self._strategy = 0
        self._tightened = True
        return h

    def set_option(self, name: str, value: bool | float | str) -> None:
        """A HiGHS option for this program (kept when the program is rebuilt)."""
        self._options[name] = value
        self._h.setOptionValue(name, value)

    def set_integer(self, integer: bool) -> None:
        if integer == self._integer or self.n == 0:
            return
        kind = _core.HighsVarType.kInteger if integer else _core.HighsVarType.kContinuous
        self._h.changeColsIntegrality(self.n, self._all, np.full(self.n, kind))
        self._integer = integer
        self._tightened = True

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        if self.row_lower[row] == lower and self.row_upper[row] == upper:
            return
        if lower > self.row_lower[row] or upper < self.row_upper[row]:
            self._tightened = True
        self._h.changeRowBounds(row, lower, upper)
        self.row_lower[row] = lower
        self.row_upper[row] = upper

    def set_col_bounds(self, col: int, lower: float, upper: float) -> None:
        if self.col_lower[col] == lower and self.col_upper[col] == upper:
            return
        if lower > self.col_lower[col] or upper < self.col_upper[col]:
            self._tightened = True
        self._h.changeColBounds(col, lower, upper)
        self.col_lower[col] = lower
        self.col_upper[col] = upper

    def set_cols_bounds(self, cols: Sequence[int], lower: FloatArray, upper: FloatArray) -> None:
        """Bounds of several columns at once (``lower[i]``, ``upper[i]`` for ``cols[i]``)."""
        idx = np.asarray(cols, dtype=np.int32)
        low = np.asarray(lower, dtype=np.float64)
        high = np.asarray(upper, dtype=np.float64)
        if np.any(low > self.col_lower[idx]) or np.any(high < self.col_upper[idx]):
            self._tightened = True
        self._h.changeColsBounds(len(idx), idx, low, high)
        self.col_lower[idx] = low
        self.col_upper[idx] = high

    def add_row(self, idx: Sequence[int], val: Sequence[float], lower: float, upper: float) -> int:
        self.add_rows([(idx, val, lower, upper)])
        return self.m - 1

    def add_rows(self, rows: Sequence[RowSpec]) -> None:
        """Add rows, in one call to HiGHS."""
        if not rows:
            return
        self._tightened = True
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for idx, val, _lo, _hi in rows:
            starts.append(len(index))
            index.extend(idx)
            value.extend(val)
        lower = np.array([r[2] for r in rows], dtype=np.float64)
        upper = np.array([r[3] for r in rows], dtype=np.float64)
        self._h.addRows(
            len(rows),
            lower,
            upper,
            len(index),
            np.asarray(starts, dtype=np.int32),
            np.asarray(index, dtype=np.int32),
            np.asarray(value, dtype=np.float64),
        )
        base = len(self._index)
        self._index.extend(index)
        self._value.extend(value)
        self._starts.extend(base + s for s in starts[1:])
        self._starts.append(len(self._index))
        self.row_lower = np.concatenate([self.row_lower, lower])
        self.row_upper = np.concatenate([self.row_upper, upper])
        self.m += len(rows)

    def row_activity(self, points: FloatArray) -> FloatArray:
        """Each row's value at each point: ``points`` holds one point per row (n columns);
        the answer one row per program row, one column per point. Computed from the sparse
        rows (a dense copy of a large program would be mostly zeros)."""
        act = np.zeros((self.m, len(points)))
        if self.m:
            row_of = np.repeat(np.arange(self.m), np.diff(np.asarray(self._starts)))
            terms = points[:, self._index].T * np.asarray(self._value)[:, None]
            np.add.at(act, row_of, terms)
        return act

    def minimize(self, cost: FloatArray) -> Outcome:
        return self._outcome(self._solve(cost))

    def _solve(self, cost: FloatArray) -> _core.HighsModelStatus:
        self._cost = np.asarray(cost, dtype=np.float64).copy()
        self._h.changeColsCost(self.n, self._all, self._cost)
        status = self._run()
        if status not in _DEFINITE:
            status = self._recover(status)
        return status

    def _run(self) -> _core.HighsModelStatus:
        h = self._h
        if not self._integer:
            # After a change of the objective alone the last basis is still feasible: the
            # primal simplex goes on from it (several times faster here than the dual). After
            # a bound was tightened it is not, and the dual simplex is the one that goes on.
            strategy = _DUAL if self._tightened else _PRIMAL
            if strategy != self._strategy:
                h.setOptionValue("simplex_strategy", strategy)
                self._strategy = strategy
            self._tightened = False
        run_status = h.run()
        self.solves += 1
        status = h.getModelStatus()
        if status == _MS.kNotset and run_status == _core.HighsStatus.kError:
            # Another HiGHS user sized this thread's scheduler differently (see above).
            reset_scheduler()
            h.run()
            self.solves += 1
            status = h.getModelStatus()
        return status

    def _recover(self, status: _core.HighsModelStatus) -> _core.HighsModelStatus:
        """Rebuild the program from scratch and solve again: defaults, then presolve off."""
        first = self._h.modelStatusToString(status)
        for presolve in (True, False):
            self.rebuilds += 1
            log.info("solver: no definite answer (%s); solving a rebuilt program", first)
            self._h = self._build(presolve=presolve)
            status = self._run()
            if status in _DEFINITE:
                if not presolve:
                    self._h.setOptionValue("presolve", self._options.get("presolve", "choose"))
                return status
        raise SolverError(first)

    def _outcome(self, status: _core.HighsModelStatus) -> Outcome:
        h = self._h
        if status == _MS.kModelEmpty:
            return Outcome("optimal", 0.0, np.zeros(self.n), np.zeros(self.m), np.zeros(self.n))
        if status == _OPTIMAL:
            sol = h.getSolution()
            duals = not self._integer and sol.dual_valid
            return Outcome(
                "optimal",
                float(h.getInfo().objective_function_value),
                np.array(sol.col_value, dtype=np.float64),
                np.array(sol.row_dual, dtype=np.float64) if duals else None,
                np.array(sol.col_dual, dtype=np.float64) if duals else None,
            )
        if status == _INFEASIBLE:
            return Outcome("infeasible")
        if status == _MS.kUnboundedOrInfeasible and self._infeasible():
            return Outcome("infeasible")
        return Outcome("unbounded", -INF)

    def _infeasible(self) -> bool:
        """Tell 'unbounded' from 'infeasible' by solving for feasibility alone."""
        cost = self._cost
        infeasible = self._solve(np.zeros(self.n)) == _INFEASIBLE
        self._cost = cost
        self._h.changeColsCost(self.n, self._all, cost)
        return infeasible
