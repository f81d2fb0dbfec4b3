"""Roll-ups of contributions: cell-by-cell sums with a 90 % interval from the known noise.

Each cell of a contribution is its bounded true count plus noise that the file fully describes
(:func:`~.contribution.cell_noise`, with the scales the file states). Most cells carry a plain
sum of independent discrete Laplace noises; a sum of contributions then carries a plain sum too,
whose distribution is computed **exactly** from the characteristic function of the discrete
Laplace distribution with parameter p = exp(−1/scale),

    φ(t) = (1 − p)² / (1 − 2p·cos t + p²),

raised to the number of terms of each scale, multiplied, and inverted with one FFT on a grid wide
enough (±14 standard deviations) that the mass folded over from beyond it is below 10⁻¹⁵. The
interval is ``estimate ± q`` with q the smallest integer such that the noise lies in [−q, q] with
probability ≥ 90 %; the noise is symmetric, so the interval covers the bounded true total with
probability at least 90 %.

The contact tables T1 and T2 (and T0 contacts) are reconciled by least squares before rounding
(see :func:`~.contribution._reconcile`): their noise is a linear combination of discrete Laplace
noises plus a rounding error of at most 1.5 per cell. For them the interval uses the normal
distribution with the exact variance (the rounding error counted at its largest); each such cell
is a combination of at least nine independent noises per file, and at the 90 % level even a
single Laplace variable's interval is within 1 % of the normal one (1.628 against 1.645 standard
deviations), so the approximation errs, if at all, on the wide side. The normal distribution is
also used for a plain sum so large that the grid would exceed 2²² points (thousands of terms).
The roll-up's ``interval`` field says ``exact``, ``normal approximation`` or ``mixed``.

The lower end is raised to 0 where it is negative: a count is never negative, so this can only
make the interval truer. The estimate itself is left as summed, negative or not: clipping it would
bias the total.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from .contribution import Contribution, catalogue, cell_noise
from .contribution_io import (
    CONFIDENCE,
    Rollup,
    RollupCell,
    RollupTable,
    parse_contribution_json,
)
from .errors import ReportRejected
from .tables import TABLE_DIMENSIONS, TABLE_IDS, TABLE_UNITS

MAX_INPUTS = 5000
MAX_GRID = 1 << 22
WIDTH_SDS = 14.0

Signature = tuple[tuple[float, int], ...]
"""The noise of one roll-up cell: (scale, number of independent terms), sorted."""


def variance(scale: float) -> float:
    """Variance of the discrete Laplace distribution with this scale: 2p / (1 − p)²."""
    p = math.exp(-1.0 / scale)
    return 2.0 * p / (1.0 - p) ** 2


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def half_width(
    signature: Signature, confidence: float = float(CONFIDENCE), extra_variance: float = 0.0
) -> tuple[int, str]:
    """(q, method): the smallest q with P(|noise| ≤ q) ≥ confidence for this noise.

    ``signature`` lists the plain discrete Laplace terms; ``extra_variance`` > 0 adds noise known
    only by its variance, and then the normal distribution with the total variance is used.
    """
    terms = [(s, n) for s, n in signature if n > 0]
    var = sum(n * variance(s) for s, n in terms) + extra_variance
    if var == 0:
        return 0, "exact"
    sd = math.sqrt(var)
    half = math.ceil(WIDTH_SDS * sd) + 8
    size = 1 << max(4, (2 * half + 1).bit_length())
    if extra_variance > 0 or size > MAX_GRID:
        return math.ceil(_z(confidence) * sd), "normal approximation"
    t = 2.0 * np.pi * np.arange(size) / size
    log_phi = np.zeros(size)
    for scale, n in terms:
        p = math.exp(-1.0 / scale)
        log_phi += n * (2.0 * math.log1p(-p) - np.log1p(-2.0 * p * np.cos(t) + p * p))
    pmf = np.fft.ifft(np.exp(log_phi)).real  # pmf[k] = P(noise ≡ k mod size)
    # P(|noise| ≤ q) = pmf[0] + 2 * (pmf[1] + … + pmf[q]) by symmetry.
    central = pmf[0] + 2.0 * np.cumsum(pmf[1 : half + 1])
    hits = np.nonzero(central >= confidence - 1e-12)[0]
    if len(hits) == 0:  # pragma: no cover - the grid holds ±14 sd, far beyond 90 %
        raise ReportRejected("internal error: the interval could not be computed")
    return int(hits[0]) + 1, "exact"


def aggregate_contributions(items: Sequence[Contribution]) -> Rollup:
    if not items:
        raise ReportRejected("nothing to aggregate: give at least one contribution file")
    if len(items) > MAX_INPUTS:
        raise ReportRejected(f"too many contribution files (at most {MAX_INPUTS})")
    schools = sorted({s for c in items for s in c.schools}, key=lambda n: (n.casefold(), n))
    totals: Counter[tuple[str, tuple[str, ...]]] = Counter()
    plain: dict[tuple[str, tuple[str, ...]], Counter[float]] = {}
    extra: dict[tuple[str, tuple[str, ...]], float] = {}
    for c in items:
        spec = cell_noise(c.schools)
        scales = {p.part: p.scale for p in c.parts}
        for t in c.tables:
            for cell in t.cells:
                key = (t.id, cell.coords)
                totals[key] += cell.count
                noise = spec[key]
                scale = scales[noise.part]
                if noise.exact:
                    plain.setdefault(key, Counter())[scale] += noise.terms
                else:
                    more = noise.weight * variance(scale) + noise.rounding**2
                    extra[key] = extra.get(key, 0.0) + more
    widths: dict[tuple[Signature, float], tuple[int, str]] = {}
    methods: set[str] = set()
    cells: dict[str, list[RollupCell]] = {t: [] for t in TABLE_IDS}
    for tid, coords in catalogue(schools):
        key = (tid, coords)
        sig: Signature = tuple(sorted(plain.get(key, Counter()).items()))
        memo = (sig, extra.get(key, 0.0))
        if memo not in widths:
            widths[memo] = half_width(sig, extra_variance=memo[1])
        q, method = widths[memo]
        methods.add(method)
        est = totals[key]
        cells[tid].append(RollupCell(coords, est, max(0, est - q), max(0, est + q)))
    tables = tuple(
        RollupTable(t, TABLE_UNITS[t], TABLE_DIMENSIONS[t], tuple(cells[t])) for t in TABLE_IDS
    )
    method = methods.pop() if len(methods) == 1 else "mixed"
    periods = tuple(sorted({c.period for c in items}))
    epsilons = tuple(sorted({c.epsilon.normalize() for c in items}))
    return Rollup(periods, len(items), epsilons, method, tables)


def aggregate_contribution_contents(contents: Sequence[bytes]) -> Rollup:
    """Parse and roll up contribution files; any bad input raises ReportRejected."""
    if len(contents) != len(set(contents)):
        raise ReportRejected("the same contribution file was given twice")
    items: list[Contribution] = []
    for i, content in enumerate(contents, start=1):
        try:
            items.append(parse_contribution_json(content))
        except ReportRejected as exc:
            raise ReportRejected(f"input {i}: {exc}") from None
    return aggregate_contributions(items)
