"""``python -m tests.faults.cli ARGS``: the real command line (``srojournal.cli.main``) in a child
process that accepts the cheap test vaults of the campaigns and of the suite (the ``cheap_cli``
fixture; see ``accept_weak_kdf_for_tests``).

Everything else is the product's: argument parsing, error lines and exit codes. The KDF floor
itself is attacked through ``python -m srojournal`` in tests/e2e.
"""

from __future__ import annotations

import sys

from srojournal.cli import main
from srojournal.vault.keys import accept_weak_kdf_for_tests

if __name__ == "__main__":
    accept_weak_kdf_for_tests()
    raise SystemExit(main(sys.argv[1:]))
