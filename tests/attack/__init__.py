"""The outside attack on released summaries (docs/summary-format.md): a reader who knows the
algorithm, holds every release, and solves integer programs.

Tests that today's summaries lose carry ``KNOWN_LEAK``. xfail is strict in this project: when
"Summaries v2" lands, each of them passes, pytest reports XPASS as a failure, and the marker
must come off — that is the point of the marker.
"""

import pytest

KNOWN_LEAK = pytest.mark.xfail(
    strict=True, reason="leaks in today's summaries; fixed by Summaries v2"
)
