"""The scoring of `make mutation`: equivalents are accepted one by one, keyed by their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mutation.run import (
    CORE,
    Equivalent,
    accept,
    change_of,
    function_of,
    load_equivalents,
    resolve_module,
    score,
)

DIFF = """--- src/srojournal/reporting/leakcheck.py
+++ src/srojournal/reporting/leakcheck.py
@@ -3,7 +3,7 @@
     words = words_of(text)
-    for i in range(len(words) - 5):
+    for i in range(len(words) - 6):
         window = tuple(words[i : i + 6])"""

CHANGE = "-    for i in range(len(words) - 5):\n+    for i in range(len(words) - 6):"
METHOD = "srojournal.reporting.leakcheck.xǁLeakCheckerǁcheck_notes__mutmut_"


def test_a_mutant_is_named_by_its_function_and_its_lines() -> None:
    assert function_of(METHOD + "7") == "srojournal.reporting.leakcheck.LeakChecker.check_notes"
    assert (
        function_of("srojournal.vault.keys.x_derive__mutmut_12") == "srojournal.vault.keys.derive"
    )
    assert change_of(DIFF) == CHANGE


def test_each_entry_accepts_one_mutant_and_a_changed_line_accepts_none() -> None:
    function = "srojournal.reporting.leakcheck.LeakChecker.check_notes"
    survivors = {METHOD + "3": DIFF, METHOD + "9": DIFF}  # the same change twice
    entry = Equivalent(function, CHANGE, "reason")

    accepted, unused = accept(survivors, [entry])
    assert accepted == {METHOD + "3"} and unused == []

    accepted, unused = accept(survivors, [entry, entry])
    assert accepted == set(survivors) and unused == []

    moved = Equivalent(function, CHANGE.replace("- 6", "- 7"), "reason")
    accepted, unused = accept(survivors, [moved])
    assert accepted == set() and unused == [moved]

    other = Equivalent("srojournal.reporting.leakcheck.LeakChecker.check_names", CHANGE, "r")
    assert accept(survivors, [other]) == (set(), [other])


def test_score_is_killed_and_timed_out_over_all_but_the_equivalents() -> None:
    statuses = {
        "a": "killed",
        "b": "killed",
        "c": "timeout",
        "d": "survived",
        "e": "survived",
        "f": "no tests",
        "g": "suspicious",
    }
    s = score("m", statuses, accepted={"e", "b"})  # a killed mutant is never "accepted"
    assert (s.total, s.caught, s.accepted, s.survived) == (7, 3, 1, 3)
    assert s.percent == pytest.approx(50.0)
    assert s.line() == ("7 mutants, 3 killed, 3 survived, 1 accepted as equivalent, score 50.0%")


def test_modules_are_named_as_paths_or_dotted() -> None:
    want = "srojournal/reporting/leakcheck.py"
    for token in (
        "reporting/leakcheck.py",
        "src/srojournal/reporting/leakcheck.py",
        "srojournal.reporting.leakcheck",
        "reporting.leakcheck",
    ):
        assert resolve_module(token) == want
    assert want in CORE


def test_the_accepted_equivalents_file_is_well_formed(tmp_path: Path) -> None:
    for eq in load_equivalents():
        assert eq.reason and "\n" not in eq.reason
        # What the mutant removes, then what it adds (nothing, when it drops an argument).
        assert eq.change.startswith("-")
        assert all(line[:1] in "-+" for line in eq.change.splitlines())
        assert any(eq.function.startswith(m.removesuffix(".py").replace("/", ".")) for m in CORE)
    bad = tmp_path / "eq.toml"
    bad.write_text('[[equivalent]]\nfunction = "x"\nchange = "-a\\n+b"\nreason = " "\n')
    with pytest.raises(SystemExit, match="no reason"):
        load_equivalents(bad)


def test_a_run_again_refuses_tests_outside_the_last_runs_selection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--again`` runs the last run's selection: a new test file outside it would silently not
    run, so naming one is refused with what to do instead."""
    from tests.mutation import run

    module = "srojournal/reporting/lp.py"
    (tmp_path / "src" / module).parent.mkdir(parents=True)
    (tmp_path / "src" / module).write_bytes((run.REPO / "src" / module).read_bytes())
    (tmp_path / "mutants").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mutmut]\npytest_add_cli_args_test_selection = ["tests/unit/reporting/test_lp.py"]\n'
    )
    monkeypatch.setattr(run, "STAGE", tmp_path)
    new = "tests/unit/reporting/test_lp_mutants.py"
    assert run.main([module, "--again", "--tests", new]) == 2
    out = capsys.readouterr().out
    assert new in out and "start a new run with TESTS naming it" in out
