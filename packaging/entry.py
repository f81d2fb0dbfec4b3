"""Entry point of the frozen app (PyInstaller): the same `main` as the `srojournal` command."""

import sys

from srojournal.cli import main

if __name__ == "__main__":
    sys.exit(main())
