"""The start screen: choose, create or unlock a vault."""

from srojournal.ui.unlock.screen import DEMO_PASSPHRASE, UnlockScreen

__all__ = ["DEMO_PASSPHRASE", "UnlockScreen"]
