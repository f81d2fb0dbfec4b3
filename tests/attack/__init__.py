"""The outside attack on released summaries (docs/summary-format.md): a reader who knows the
algorithm, holds every release, and solves integer programs.

Tests that today's summaries lose carry ``KNOWN_LEAK``. xfail is strict in this project: when
"Summaries v2" lands, each of them passes, pytest reports XPASS as a failure, and the marker
must come off — that is the point of the marker.
"""

import pytest

KNOWN_LEAK = pytest.mark.xfail(
    strict=True,
    reason="the import still lets these through; fixed with the school list and one alias key",
)

# The generated campaigns of test_generated.py pass on most runs but the summary export can still
# stop with a solver error on some orderings of the model, and a school year takes minutes. Until
# that is fixed, they may fail without failing the suite; the fix removes this marker.
SOLVER_PENDING = pytest.mark.xfail(
    strict=False, reason="summary export: solver robustness and school-year speed still open"
)
