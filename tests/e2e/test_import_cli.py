"""The import command as an officer runs it: files, mappings, schools, aliases, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CLI_KDF_ARGS, PASSPHRASE, assert_no_traceback

STDIN = PASSPHRASE + "\n"


@pytest.fixture
def vault_dir(cli, tmp_path: Path) -> Path:
    v = tmp_path / "v"
    r = cli("init", v, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=STDIN)
    assert r.code == 0, r.err
    return v


def _file(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _verify(cli, v: Path) -> str:
    r = cli("verify", v, "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    return r.out.strip()


def test_alias_spelled_with_two_spaces_is_the_same_student(cli, vault_dir, tmp_path) -> None:
    first = _file(tmp_path, "date,type,school,students\n2026-03-02,mentoring,Lincoln High,Sam R\n")
    r = cli("import", vault_dir, first, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0, r.err
    second = _file(
        tmp_path, "date,type,school,students\n2026-03-03,mentoring,Lincoln High,Sam  R\n", "b.csv"
    )
    r = cli("import", vault_dir, second, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 0, r.err
    assert "0 new students" in r.out
    assert _verify(cli, vault_dir) == "ok contacts=2 students=1 follow_ups=0"


def test_unknown_schools_exit_5_with_one_line_and_nothing_written(cli, vault_dir, tmp_path) -> None:
    src = _file(
        tmp_path,
        "date,type,school,students\n"
        "2026-03-02,mentoring,Lincoln HS,JD\n"
        "2026-03-03,mentoring,Oak Grove,Mo\n"
        "2026-03-04,mentoring,Lincoln HS,Al\n",
    )
    r = cli("import", vault_dir, src, "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 5
    [line] = r.err.splitlines()
    assert "'Lincoln HS' (2 rows), 'Oak Grove' (1 row)" in line and "--add-schools" in line
    assert _verify(cli, vault_dir) == "ok contacts=0 students=0 follow_ups=0"
    r = cli("import", vault_dir, src, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert r.code == 0 and "2 new schools" in r.out


def test_formula_school_exit_5_with_one_line(cli, vault_dir, tmp_path) -> None:
    src = _file(tmp_path, 'date,type,school\n2026-03-02,mentoring,"=HYPERLINK(""http://x"")"\n')
    r = cli("import", vault_dir, src, "--add-schools", "--passphrase-stdin", stdin=STDIN)
    assert_no_traceback(r)
    assert r.code == 5
    [line] = r.err.splitlines()
    assert line.startswith("srojournal: line 2: school: ") and "formula" in line
    assert "HYPERLINK" not in line
    assert _verify(cli, vault_dir) == "ok contacts=0 students=0 follow_ups=0"
