"""The outside attack on released summaries (docs/summary-format.md): a reader who knows the
algorithm, holds every release, and solves integer programs.

Every finding of the outside review that found the leaks of version 1 is a test here; each failed
on version 1 and passes since the rules and the gate described in docs/summary-format.md.
"""
