"""Reports page."""
