"""Quick entry: the keyboard-first form for a new or edited journal entry."""

from srojournal.ui.entry.dialog import QuickEntryDialog, draft_name, round_to_5

__all__ = ["QuickEntryDialog", "draft_name", "round_to_5"]
