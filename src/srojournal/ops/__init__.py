"""Use cases: one function each, no Qt. The command line calls them directly; the window calls
them through its one writer (``ui/common/runner.py``). Each returns what it changed
(:class:`srojournal.ops.changes.Change`) so the window knows which screens to reload.

See docs/architecture.md for where a new use case goes.
"""
