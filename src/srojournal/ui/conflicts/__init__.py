"""Conflicts page."""
