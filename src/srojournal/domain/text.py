"""Text normalisation shared by every place that compares what an officer typed.

One alias normalisation serves lookup, insert and the summaries' leak check, so that "Sam  R",
"sam r" and "Ｓａｍ R" (full-width letters) are the same student everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_SPACE: Final = re.compile(r"\s+")


def normalize_alias(text: str) -> str:
    """NFKC, case folding, whitespace runs collapsed to one space, trimmed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Case folding can produce characters that NFKC maps further (e.g. some ligatures).
    folded = unicodedata.normalize("NFKC", folded)
    return _SPACE.sub(" ", folded).strip()
