"""Loaded by every Python process that a test starts during `make mutation` (PYTHONPATH).

A test that runs the command line as a subprocess imports the mutated tree, and the subprocess
inherits mutmut's ``MUTANT_UNDER_TEST``. A mutant's name there runs that mutant, as it should.
mutmut's own phases ("stats": record which tests call which function) only make sense in its
own process: there, recording a call reads mutmut's settings from the working directory, which a
subprocess does not have. In a subprocess they run the original code.
"""

import os

if os.environ.get("MUTANT_UNDER_TEST") in ("stats", "list_all_tests", "mutant_generation"):
    os.environ["MUTANT_UNDER_TEST"] = ""
