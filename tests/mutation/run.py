"""Mutation testing of the critical core: does the suite fail when the code is wrong?

``make mutation`` runs this. It copies the project into ``build/mutation/`` and runs mutmut
there over the modules of :data:`CORE` (or the ones named in ``MODULES``), then prints one line
per module and one summary line::

    mutation: N mutants, K killed, S survived, E accepted as equivalent, score P%

The score is (killed + timed out) ÷ (all − accepted equivalents). "Killed" counts the mutants
that made a test fail or crash the test process, and those that ran out of time (a mutant that
loops forever is caught). "Survived" counts every other mutant that is not an accepted
equivalent: it passed its tests, or no test calls its function at all.

How mutmut 3 runs (what this script arranges for):

* It copies ``src/`` into ``mutants/src`` with every function of the selected modules replaced by
  a trampoline that calls the original or one mutant, chosen by the ``MUTANT_UNDER_TEST``
  environment variable; ``tests/``, ``resources/`` and ``packaging/`` (the bundle's tests import
  its scripts) are copied beside it and pytest runs in ``mutants/`` (``mutants/src`` first on
  ``sys.path``).
* It runs the selected tests once in its own process to record which tests call which function,
  then forks one worker per mutant that runs only those tests, fastest first, stopping at the
  first failure.
* A test that runs the command line as a subprocess (``python -m srojournal``) imports
  ``srojournal`` through ``PYTHONPATH``, which this script points at ``mutants/src``: the
  subprocess inherits ``MUTANT_UNDER_TEST`` and runs the mutant too (``site/sitecustomize.py``
  makes it run the original code during mutmut's own phases). Its calls are not recorded (they
  happen in another process), so such a test is run for a mutant only when it also calls the
  mutated function in the test process.
* Every run of the tests (the recording run, a clean run, each mutant) is a fresh fork of a
  server process that imported the tests but ran none, so no run inherits another's state.
* ``tests/gui`` is not run: the window reaches the core only through ``ops/``, whose own tests
  are run, and the GUI tests would add their minutes to both full runs.

Equivalent mutants (mutants that change no behaviour anyone can observe) are accepted one by one
in ``tests/mutation/equivalents.toml``, each keyed by its function and the exact lines it
changes, with a reason. A changed line no longer matches and the mutant counts as survived
again until it is reviewed.

A fresh copy is made on every run, so results never come from a cache of older code or tests.
``--again`` (``make mutation AGAIN=1``) is the one exception, for the loop of killing survivors:
it copies the current tests into the last run's copy and runs only its survivors again (mutmut
records the calls of the new tests first); it refuses when the code has changed since.
``--again`` keeps the last run's test selection: a new test file must be named in ``TESTS`` from
the first run (it may start empty), and ``--again`` refuses ``TESTS`` that name a file outside it.
``--tests`` (``make mutation TESTS="tests/unit/test_wal.py …"``) runs only the named test files
or folders, for a quick first look at a module's survivors; a mutant that only other tests would
kill then counts as survived, so the score is a lower bound, and says so.
The run writes ``build/mutation/survivors.txt``: every survivor that is not accepted, with its
diff, ready to be killed or reviewed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAGE = REPO / "build" / "mutation"
EQUIVALENTS = Path(__file__).resolve().parent / "equivalents.toml"

# The critical core: where a wrong line would leak a student or lose the journal.
CORE: tuple[str, ...] = (
    # key derivation and wrapping; the key file and write-ahead-log checks
    "srojournal/vault/keys.py",
    "srojournal/vault/keymaterial.py",
    "srojournal/vault/wal.py",
    # which cells must be hidden, the fewest complements, and the release gate (the reader's
    # system and its relations, the gate, its exact proofs, the solver it asks)
    "srojournal/reporting/rules.py",
    "srojournal/reporting/suppression.py",
    "srojournal/reporting/reader.py",
    "srojournal/reporting/relations.py",
    "srojournal/reporting/audit.py",
    "srojournal/reporting/proof.py",
    "srojournal/reporting/lp.py",
    # the scan of every output before it is written
    "srojournal/reporting/leakcheck.py",
    # per-student bounding and noise of program contributions
    "srojournal/reporting/contribution.py",
)

# What the tests read beside src/ and tests/: the app's resources, and the packaging scripts the
# bundle's tests import.
ALSO_COPY: tuple[str, ...] = ("resources", "packaging")

# Every test directory but tests/gui (see the module docstring).
TEST_DIRS: tuple[str, ...] = ("tests/unit", "tests/attack", "tests/e2e", "tests/faults")

KILLED = frozenset({"killed", "caught by type check"})
TIMED_OUT = frozenset({"timeout", "segfault"})  # out of time (SIGXCPU/SIGKILL) or crashed


# -- naming --------------------------------------------------------------------------------------


def resolve_module(token: str) -> str:
    """``reporting/leakcheck.py``, ``src/srojournal/reporting/leakcheck.py`` or
    ``srojournal.reporting.leakcheck`` → ``srojournal/reporting/leakcheck.py``."""
    t = token.strip().strip("/")
    if not t.endswith(".py"):
        t = t.replace(".", "/") + ".py"
    t = t.removeprefix("src/")
    if not t.startswith("srojournal/"):
        t = "srojournal/" + t
    return t


def module_of(path: str) -> str:
    """``srojournal/reporting/leakcheck.py`` → ``srojournal.reporting.leakcheck``."""
    return path.removesuffix(".py").replace("/", ".")


def function_of(mutant: str) -> str:
    """The dotted name of the function a mutant changes.

    ``srojournal.reporting.leakcheck.xǁLeakCheckerǁcheck_notes__mutmut_5`` →
    ``srojournal.reporting.leakcheck.LeakChecker.check_notes``.
    """
    module, _, mangled = mutant.rpartition(".")
    mangled = mangled.rsplit("__mutmut_", 1)[0]
    if mangled.startswith("xǁ"):
        _x, cls, name = mangled.split("ǁ")
        return f"{module}.{cls}.{name}"
    return f"{module}.{mangled.removeprefix('x_')}"


def change_of(diff: str) -> str:
    """The lines a mutant removes and adds, as in its diff (file names and context dropped)."""
    lines = [
        line.rstrip()
        for line in diff.splitlines()
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]
    return "\n".join(lines)


# -- equivalents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Equivalent:
    function: str
    change: str
    reason: str


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    if not path.exists():
        return []
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, raw in enumerate(doc.get("equivalent", [])):
        function, change, reason = raw.get("function"), raw.get("change"), raw.get("reason")
        if not (isinstance(function, str) and isinstance(change, str) and isinstance(reason, str)):
            raise SystemExit(f"{path.name}: entry {i + 1} needs function, change and reason")
        if not reason.strip():
            raise SystemExit(f"{path.name}: entry {i + 1} ({function}) has no reason")
        out.append(Equivalent(function, change_of(change), reason.strip()))
    return out


def accept(
    survivors: dict[str, str], equivalents: Sequence[Equivalent]
) -> tuple[set[str], list[Equivalent]]:
    """Match survivors (name → diff) with accepted equivalents, one entry for one mutant.

    Returns the names accepted and the entries that matched no survivor (stale: the line changed
    or a test now kills the mutant).
    """
    accepted: set[str] = set()
    unused: list[Equivalent] = []
    by_key: dict[tuple[str, str], list[str]] = {}
    for name in sorted(survivors, key=_mutant_order):
        by_key.setdefault((function_of(name), change_of(survivors[name])), []).append(name)
    for eq in equivalents:
        names = by_key.get((eq.function, eq.change))
        if names:
            accepted.add(names.pop(0))
        else:
            unused.append(eq)
    return accepted, unused


def _mutant_order(name: str) -> tuple[str, int]:
    base, _, n = name.rpartition("__mutmut_")
    return base, int(n) if n.isdigit() else 0


# -- scoring -------------------------------------------------------------------------------------


@dataclass
class Score:
    label: str
    total: int = 0
    killed: int = 0
    timed_out: int = 0
    accepted: int = 0
    no_tests: int = 0
    other: dict[str, int] = field(default_factory=dict)

    @property
    def caught(self) -> int:
        return self.killed + self.timed_out

    @property
    def survived(self) -> int:
        return self.total - self.caught - self.accepted

    @property
    def percent(self) -> float:
        counted = self.total - self.accepted
        return 100.0 * self.caught / counted if counted else 100.0

    def add(self, other: Score) -> None:
        self.total += other.total
        self.killed += other.killed
        self.timed_out += other.timed_out
        self.accepted += other.accepted
        self.no_tests += other.no_tests

    def line(self) -> str:
        return (
            f"{self.total} mutants, {self.caught} killed, {self.survived} survived, "
            f"{self.accepted} accepted as equivalent, score {self.percent:.1f}%"
        )

    def details(self) -> str:
        bits = []
        if self.timed_out:
            bits.append(f"{self.timed_out} of the killed timed out")
        if self.no_tests:
            bits.append(f"{self.no_tests} of the survivors have no test calling them")
        bits += [f"{n} {status}" for status, n in sorted(self.other.items())]
        return f" ({'; '.join(bits)})" if bits else ""


def score(label: str, statuses: dict[str, str], accepted: Iterable[str]) -> Score:
    s = Score(label, total=len(statuses))
    accepted = set(accepted)
    for name, status in statuses.items():
        if status in KILLED:
            s.killed += 1
        elif status in TIMED_OUT:
            s.timed_out += 1
        elif name in accepted:
            s.accepted += 1
        elif status == "no tests":
            s.no_tests += 1
        elif status != "survived":
            s.other[status] = s.other.get(status, 0) + 1
    return s


# -- the run -------------------------------------------------------------------------------------


def stage(modules: Sequence[str], tests: Sequence[str] = TEST_DIRS) -> None:
    """A fresh copy of the project, with mutmut's settings for this run."""
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in ("src", "tests", *ALSO_COPY):
        shutil.copytree(REPO / name, STAGE / name, ignore=skip)
    settings = "\n".join(
        [
            "",
            "# Written by tests/mutation/run.py for this run only.",
            "[tool.mutmut]",
            'source_paths = ["src"]',
            f"only_mutate = {json.dumps(['src/' + m for m in modules])}",
            f"pytest_add_cli_args_test_selection = {json.dumps(list(tests))}",
            # The same examples for every mutant: a kill or a survival is repeatable. One
            # thread for every HiGHS user of the tests (see single_thread_highs.py).
            'pytest_add_cli_args = ["--hypothesis-seed=0", "-p", '
            '"tests.mutation.single_thread_highs"]',
            f"also_copy = {json.dumps([d + '/' for d in ALSO_COPY])}",
            "use_git_change_detection = false",
            # Every test run (the recording run, the clean run, each mutant) in a fresh fork of a
            # server that imported the tests but ran none: no run inherits another's state.
            'process_isolation = "forkserver"',
            "",
        ]
    )
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    (STAGE / "pyproject.toml").write_text(text + settings, encoding="utf-8")
    # On PYTHONPATH from the start (see run_mutmut): they must exist before Python looks there.
    (STAGE / "mutants" / "src").mkdir(parents=True)
    shutil.copytree(
        STAGE / "tests" / "mutation" / "site", STAGE / "mutants" / "tests/mutation/site"
    )


def staged_tests() -> list[str]:
    """The test files and folders of the staged run."""
    doc = tomllib.loads((STAGE / "pyproject.toml").read_text(encoding="utf-8"))
    return list(doc["tool"]["mutmut"]["pytest_add_cli_args_test_selection"])


def refresh_tests() -> None:
    """The current tests in the stage, for a run again on the survivors (``--again``)."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for where in (STAGE / "tests", STAGE / "mutants" / "tests"):
        shutil.rmtree(where, ignore_errors=True)
        shutil.copytree(REPO / "tests", where, ignore=skip)


def run_mutmut(log: Path, names: Sequence[str] = ()) -> int:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Subprocesses of the tests (the command line) import the mutated tree, not src/; the
    # tests' own package (for the plugin) is found beside it.
    mutants = STAGE / "mutants"
    site = mutants / "tests" / "mutation" / "site"  # sitecustomize.py: see there
    paths = (str(mutants / "src"), str(mutants), str(site), env.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    mutmut = Path(sys.executable).with_name("mutmut")
    jobs = os.environ.get("MUTATION_JOBS") or str(os.cpu_count() or 2)
    cmd = ["nice", "-n", "10", str(mutmut), "run", "--max-children", jobs, *names]
    with log.open("w", encoding="utf-8") as out:
        return subprocess.run(
            cmd, cwd=STAGE, env=env, stdout=out, stderr=subprocess.STDOUT
        ).returncode


def results(modules: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per module: mutant name → status, read from mutmut's files in the stage."""
    from mutmut.stats import status_by_exit_code

    out: dict[str, dict[str, str]] = {}
    for m in modules:
        meta = STAGE / "mutants" / "src" / (m + ".meta")
        statuses: dict[str, str] = {}
        if meta.exists():
            data = json.loads(meta.read_text(encoding="utf-8"))
            for name, code in data["exit_code_by_key"].items():
                statuses[name] = status_by_exit_code[code]
        out[m] = statuses
    return out


def diffs(names: Iterable[str], module: str) -> dict[str, str]:
    """The diff of each named mutant (mutmut reads them from the stage)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = os.getcwd()
    os.chdir(STAGE)
    try:
        return {n: get_diff_for_mutant(n, path=Path("src") / module) for n in names}
    finally:
        os.chdir(cwd)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="narrow the run (module paths or dotted names)")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run the survivors of the last run again against the current tests (same code)",
    )
    parser.add_argument(
        "--tests",
        action="append",
        default=[],
        help="run only these test files or folders, separated by spaces (a quick, lower score)",
    )
    args = parser.parse_args(argv)
    tokens = [t for a in args.modules for t in re.split(r"[\s,]+", a) if t]
    wanted = [resolve_module(t) for t in tokens] if tokens else list(CORE)

    modules = []
    for m in dict.fromkeys(wanted):
        if (REPO / "src" / m).is_file():
            modules.append(m)
        else:
            print(f"mutation: {m} is not in this tree; skipped")
    if not modules:
        print("mutation: no module to mutate")
        return 2

    names: list[str] = []
    if args.again:
        changed = [
            m
            for m in modules
            if not (STAGE / "src" / m).is_file()
            or (STAGE / "src" / m).read_bytes() != (REPO / "src" / m).read_bytes()
        ]
        if changed or not (STAGE / "mutants").is_dir():
            print(f"mutation: --again needs a last run of the same code ({', '.join(changed)})")
            return 2
        named = [t for a in args.tests for t in re.split(r"[\s,]+", a) if t]
        staged = staged_tests()
        outside = [
            t
            for t in named
            if not any(t.split("::")[0] == d or t.startswith(d.rstrip("/") + "/") for d in staged)
        ]
        if outside:
            # mutmut keeps the selection it recorded the calls of: a file outside it would not
            # run, and changing the selection discards every result of the last run.
            print(
                f"mutation: --again runs the last run's tests ({' '.join(staged)}); "
                f"{' '.join(outside)} is not among them: start a new run with TESTS naming it"
            )
            return 2
        refresh_tests()
        for statuses in results(modules).values():
            names += [n for n, s in statuses.items() if s not in KILLED | TIMED_OUT]
        if not names:
            print("mutation: no survivor to run again")
    else:
        tests = [t for a in args.tests for t in re.split(r"[\s,]+", a) if t]
        for t in tests:
            if not (REPO / t.split("::")[0]).exists():
                print(f"mutation: no test file or folder {t}")
                return 2
        stage(modules, tests or TEST_DIRS)
    narrowed = staged_tests() != list(TEST_DIRS)
    if narrowed:
        print(
            f"mutation: only the tests in {' '.join(staged_tests())}: a mutant that only other "
            "tests kill counts as survived (the score is a lower bound)"
        )
    log = STAGE / "mutmut.log"
    what = f"{len(names)} survivors" if args.again else f"{len(modules)} modules"
    print(f"mutation: running mutmut on {what} (log: {log.relative_to(REPO)})")
    sys.stdout.flush()
    code = run_mutmut(log, names) if names or not args.again else 0
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").replace("\r", "\n")
        print("\n".join(tail.splitlines()[-30:]))
        print(f"mutation: mutmut failed (exit {code}); see {log.relative_to(REPO)}")
        return 1

    equivalents = load_equivalents()
    total = Score("all")
    report: list[str] = []
    all_unused: list[Equivalent] = []
    for m, statuses in results(modules).items():
        survivors = [n for n, s in statuses.items() if s not in KILLED | TIMED_OUT]
        diff_by_name = diffs(survivors, m)
        mine = [e for e in equivalents if e.function.startswith(module_of(m) + ".")]
        accepted, unused = accept(diff_by_name, mine)
        all_unused += unused
        s = score(m, statuses, accepted)
        total.add(s)
        print(f"mutation: {m}: {s.line()}{s.details()}")
        for name in sorted(set(survivors) - accepted, key=_mutant_order):
            report.append(f"# {name}: {statuses[name]}\n{diff_by_name[name]}\n")
    for eq in all_unused:
        print(f"mutation: accepted equivalent no longer matches a survivor: {eq.function}")
        print("    " + eq.change.replace("\n", "\n    "))
    (STAGE / "survivors.txt").write_text("\n".join(report), encoding="utf-8")
    print(f"mutation: survivors with their diffs: {(STAGE / 'survivors.txt').relative_to(REPO)}")
    print(f"mutation: {total.line()}{' (only the tests named)' if narrowed else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
