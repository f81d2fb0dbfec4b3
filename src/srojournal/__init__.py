"""SRO Journal: an encrypted journal for school resource officers."""

APP_ID = "org.srojournal.SROJournal"


def __getattr__(name: str) -> str:
    # The version's single source is pyproject.toml, read from the installed metadata on first
    # use only: importlib.metadata costs ~50 ms at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("srojournal")
        except PackageNotFoundError:  # a source tree that was never installed
            value = "0.0.0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(name)
