"""Followups page."""
