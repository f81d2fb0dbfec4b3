"""The fault campaigns at small trial counts (the full counts run with ``make faults``)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.faults import plaintext
from tests.faults.campaign import CAMPAIGNS, Campaign, table


@pytest.mark.slow
@pytest.mark.parametrize("campaign", CAMPAIGNS, ids=[c.key for c in CAMPAIGNS])
def test_campaign_small(campaign: Campaign, tmp_path: Path) -> None:
    tally = campaign.run(campaign.small, random.Random(f"pytest/{campaign.key}"), tmp_path)
    if tally.skipped and not tally.trials:
        pytest.skip(tally.skipped)
    assert tally.trials > 0
    tally.assert_clean()


def test_scanner_finds_plaintext() -> None:
    """The plaintext scan is only worth something if it sees a planted needle."""
    assert plaintext._hits(b"xx QUILLFEATHER yy", list(plaintext.ALIASES))
    assert plaintext._hits("a Zanzibarra".encode("utf-16-le"), list(plaintext.ALIASES))
    assert not plaintext._hits(b"nothing here", list(plaintext.ALIASES))


def test_table_last_line() -> None:
    from tests.faults.common import Tally

    t = Tally("x", trials=3)
    t.fail("lost", "one")
    assert table([t]).splitlines()[-1] == "faults: 3 trials, 0 damaged, 1 lost, 0 crashes"
