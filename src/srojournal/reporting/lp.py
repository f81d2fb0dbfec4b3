"""Linear and integer programs, solved by HiGHS through ``highspy`` (no SciPy).

One :class:`Program` holds a fixed matrix; bounds and the objective change between solves, so
HiGHS re-solves from the previous basis (a few hundred microseconds for a month's tables).

We construct ``highspy._core._Highs`` rather than the public ``highspy.Highs`` subclass: the
subclass installs a logging callback in its constructor, before any option can be set, and
HiGHS then prints its banner on standard output — where the command line prints its result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from highspy import _core

INF: Final = float("inf")
FloatArray = npt.NDArray[np.float64]

_OPTIMAL = _core.HighsModelStatus.kOptimal
_UNBOUNDED = (_core.HighsModelStatus.kUnbounded, _core.HighsModelStatus.kUnboundedOrInfeasible)
_INFEASIBLE = _core.HighsModelStatus.kInfeasible


class SolverError(RuntimeError):
    """HiGHS did not reach a definite answer (a time or iteration limit, a numerical failure)."""


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
        h = _core._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
        h.setOptionValue("threads", 1)
        lp = _core.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.m
        lp.col_cost_ = np.zeros(self.n)
        # Bounds are mirrored here: the dual bounds of the suppression read them back.
        self.col_lower = np.asarray(lower, dtype=np.float64).copy()
        self.col_upper = np.asarray(upper, dtype=np.float64).copy()
        self.row_lower = np.array([r[2] for r in rows], dtype=np.float64)
        self.row_upper = np.array([r[3] for r in rows], dtype=np.float64)
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = self.col_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        starts = [0]
        index: list[int] = []
        value: list[float] = []
        for idx, val, _lo, _hi in rows:
            index.extend(idx)
            value.extend(val)
            starts.append(len(index))
        lp.a_matrix_.format_ = _core.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = self.n
        lp.a_matrix_.num_row_ = self.m
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=np.float64)
        if binary:
            lp.integrality_ = [_core.HighsVarType.kInteger] * self.n
        h.passModel(lp)
        self._h = h
        self._integer = binary
        self._all = np.arange(self.n, dtype=np.int32)
        self.solves = 0

    def set_integer(self, integer: bool) -> None:
        if integer == self._integer or self.n == 0:
            return
        kind = _core.HighsVarType.kInteger if integer else _core.HighsVarType.kContinuous
        self._h.changeColsIntegrality(self.n, self._all, np.full(self.n, kind))
        self._integer = integer

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        if self.row_lower[row] == lower and self.row_upper[row] == upper:
            return
        self._h.changeRowBounds(row, lower, upper)
        self.row_lower[row] = lower
        self.row_upper[row] = upper

    def add_row(self, idx: Sequence[int], val: Sequence[float], lower: float, upper: float) -> int:
        self._h.addRow(
            lower,
            upper,
            len(idx),
            np.asarray(idx, dtype=np.int32),
            np.asarray(val, dtype=np.float64),
        )
        self.row_lower = np.append(self.row_lower, lower)
        self.row_upper = np.append(self.row_upper, upper)
        self.m += 1
        return self.m - 1

    def minimize(self, cost: FloatArray) -> Outcome:
        h = self._h
        h.changeColsCost(self.n, self._all, np.asarray(cost, dtype=np.float64))
        h.run()
        self.solves += 1
        status = h.getModelStatus()
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
        if status in _UNBOUNDED:
            if status == _core.HighsModelStatus.kUnboundedOrInfeasible and self._infeasible():
                return Outcome("infeasible")
            return Outcome("unbounded", -INF)
        if status == _INFEASIBLE:
            return Outcome("infeasible")
        raise SolverError(f"the solver stopped without an answer ({h.modelStatusToString(status)})")

    def _infeasible(self) -> bool:
        """Tell 'unbounded' from 'infeasible' by solving for feasibility alone."""
        h = self._h
        h.changeColsCost(self.n, self._all, np.zeros(self.n))
        h.run()
        return bool(h.getModelStatus() == _INFEASIBLE)
