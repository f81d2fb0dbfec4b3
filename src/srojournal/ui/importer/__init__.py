"""The import window (File > Import…) and the officer's own export (File > Export journal…)."""
