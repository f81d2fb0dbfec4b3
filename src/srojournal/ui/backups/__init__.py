"""Backups page."""
