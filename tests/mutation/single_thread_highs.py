"""pytest plugin for the mutation run: every HiGHS instance of the tests solves on one thread.

HiGHS keeps one task scheduler per thread, sized by the first solve in that thread. The tests'
own attackers (``highspy.Highs()``, HiGHS's default thread count) and the product's programs
(one thread) then cannot both solve in one process, and a scheduler with worker threads does not
survive the fork of a mutant worker. mutmut runs every selected test in one process and forks
from it, so this plugin gives the tests' solvers the product's one thread. It changes no product
code and no answer (an optimum does not depend on the thread count).
"""

from __future__ import annotations

import highspy

_init = highspy.Highs.__init__


def _one_thread(self: highspy.Highs, *args: object, **kwargs: object) -> None:
    _init(self, *args, **kwargs)
    self.setOptionValue("threads", 1)


highspy.Highs.__init__ = _one_thread  # type: ignore[method-assign]
