"""Anonymized monthly summaries: tables, suppression, audit, leak check, renderers, roll-ups.

Imports no Qt widgets; only the PDF renderer uses QtGui.
"""

from .errors import AuditFailed, LeakFound, ReportRejected, RevisionRefused

__all__ = ["AuditFailed", "LeakFound", "ReportRejected", "RevisionRefused"]
