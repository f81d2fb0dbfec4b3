"""SRO Journal: an encrypted journal for school resource officers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("srojournal")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

APP_ID = "org.srojournal.SROJournal"
