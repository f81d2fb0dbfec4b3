"""The headless face of SRO Journal: argparse subcommands over the use cases in ``ops/``.

Errors are one clear line on stderr with the exit codes of docs/cli.md, never a traceback:
2 usage, 3 wrong passphrase or recovery code, 4 not a vault / damaged / locked, 5 rejected input.
Every error meant for the officer is a ``UserError`` and carries its exit code; anything else is
a bug and is reported as one.
Passphrases come from the terminal, or one per line from standard input with
``--passphrase-stdin`` — never from an argument or an environment variable.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import srojournal
from srojournal.domain.errors import EXIT_INTERNAL, EXIT_REJECTED, EXIT_USAGE, UserError

if TYPE_CHECKING:
    import datetime as dt

    from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.cli")


class UsageError(UserError):
    """Bad arguments or no way to ask for a passphrase (exit 2)."""

    exit_code = EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"srojournal: {message} (see 'srojournal --help')\n")
        raise SystemExit(EXIT_USAGE)


class SecretReader:
    """Reads passphrases and codes: from the terminal, or one per line from stdin."""

    def __init__(self, from_stdin: bool, stdin: TextIO | None = None) -> None:
        self.from_stdin = from_stdin
        self._stdin = stdin or sys.stdin

    def read(self, prompt: str, *, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self._stdin.readline()
            if not line:
                raise UsageError(f"expected another line on standard input ({prompt.lower()})")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise UsageError("no terminal to ask for the passphrase; use --passphrase-stdin")
        import getpass  # the terminal prompt, not needed to start the app

        value = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass(f"{prompt} (again): ") != value:
            raise UsageError("the two entries do not match")
        return value


def _kdf_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--kdf-memory",
        type=int,
        metavar="MIB",
        help="Argon2id memory in MiB (default: calibrated, 256; 64 to 1024)",
    )
    p.add_argument(
        "--kdf-iterations",
        type=int,
        metavar="N",
        help="Argon2id iterations (default: calibrated to about 1 s; 3 to 20)",
    )


def _kdf_from(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from srojournal.vault.keys import MAX_ITERATIONS, MAX_MEMORY_KIB, KdfParams

    if args.kdf_memory is None and args.kdf_iterations is None:
        return None
    base = KdfParams.product_default()
    params = KdfParams(
        (args.kdf_memory * 1024) if args.kdf_memory is not None else base.memory_kib,
        args.kdf_iterations if args.kdf_iterations is not None else base.iterations,
        base.lanes,
    )
    if params.below_product_floor or params.above_caps:
        raise UsageError(
            f"--kdf-memory must be 64 to {MAX_MEMORY_KIB // 1024} (MiB) and --kdf-iterations "
            f"3 to {MAX_ITERATIONS}"
        )
    return params


def _iso_date(text: str) -> dt.date:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _app_launch(argv: Sequence[str]) -> argparse.Namespace | None:
    """``srojournal [--vault DIR] [--demo]``, parsed by hand; ``None`` for anything else.

    Starting the app is the common case and the officer waits for its window: building the
    argparse parsers (every subcommand's options) costs ~10 ms there. Anything that is not
    exactly this grammar (a subcommand, help, an abbreviation, a mistake) goes to argparse,
    which stays the one authority for usage and errors; the tests check both agree.
    """
    args = argparse.Namespace(
        version=False, self_test=False, vault=None, demo=False, quit_when_ready=False, command=None
    )
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--demo":
            args.demo = True
        elif arg == "--quit-when-ready":
            args.quit_when_ready = True
        elif arg.startswith("--vault=") and len(arg) > len("--vault="):
            args.vault = Path(arg.removeprefix("--vault="))
        elif arg == "--vault" and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            i += 1
            args.vault = Path(argv[i])
        else:
            return None
        i += 1
    return args


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return _app_launch(argv) or build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="srojournal",
        description="SRO Journal: an encrypted journal for school resource officers.",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument(
        "--self-test", action="store_true", help="check this build (SQLCipher, FTS5, Argon2id)"
    )
    p.add_argument("--vault", type=Path, metavar="DIR", help="open this vault in the app")
    p.add_argument(
        "--demo",
        action="store_true",
        help="accepted for old launchers; a demo vault made by `srojournal demo` shows its "
        "passphrase on its own",
    )
    p.add_argument("--quit-when-ready", action="store_true", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        return sp

    def secret_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--passphrase-stdin",
            action="store_true",
            help="read passphrases (and codes) one per line from standard input",
        )

    sp = cmd("init", "create a vault and print its recovery code")
    sp.add_argument("vault", type=Path)
    secret_arg(sp)
    _kdf_args(sp)

    sp = cmd("import", "import contacts from a CSV or Excel (.xlsx) file (all or nothing)")
    sp.add_argument("vault", type=Path)
    sp.add_argument("file", type=Path)
    sp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    sp.add_argument(
        "--add-schools",
        action="store_true",
        help="add school names that are not on the school list (otherwise the file is refused)",
    )
    sp.add_argument(
        "--mapping",
        type=Path,
        metavar="M.json",
        help="which column is which field, and what the file's labels mean (docs/cli.md)",
    )
    sp.add_argument(
        "--date-format",
        metavar="FMT",
        help="how the file writes dates when it cannot be told: M/D/YYYY, D/M/YYYY or YYYY-MM-DD",
    )
    sp.add_argument("--sheet", metavar="NAME", help="the worksheet of an .xlsx file to import")
    secret_arg(sp)

    sp = cmd(
        "export",
        "write your journal (or one student's records) as an unencrypted CSV in the import format",
    )
    sp.add_argument("vault", type=Path)
    sp.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    sp.add_argument("--student", metavar="ALIAS", help="only this student's records")
    sp.add_argument("--school", metavar="NAME", help="the student's school, when aliases repeat")
    secret_arg(sp)

    sp = cmd("summary", "export the anonymized summary of a month, a quarter or a school year")
    sp.add_argument("vault", type=Path)
    which = sp.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", metavar="YYYY-MM")
    which.add_argument("--quarter", metavar="YYYY-Qn")
    which.add_argument("--school-year", metavar="YYYY-YY", help="1 July to 30 June")
    sp.add_argument("--format", required=True, choices=("json", "csv", "pdf"))
    sp.add_argument("--out", required=True, type=Path, metavar="FILE")
    sp.add_argument(
        "--revise", action="store_true", help="release a revision with late or edited entries"
    )
    sp.add_argument(
        "--contribution",
        action="store_true",
        help="export the month's differentially private program contribution instead",
    )
    secret_arg(sp)

    sp = cmd("aggregate", "roll up released summaries (several months or officers)")
    sp.add_argument("summaries", type=Path, nargs="+", metavar="SUMMARY.json")
    sp.add_argument("--out", required=True, type=Path, metavar="FILE")
    sp.add_argument("--format", default="json", choices=("json", "csv", "pdf"))

    sp = cmd("verify", "check the vault's integrity")
    sp.add_argument("vault", type=Path)
    secret_arg(sp)

    sp = cmd("backup", "write a verified encrypted backup into a folder")
    sp.add_argument("vault", type=Path)
    sp.add_argument("dest", type=Path)
    secret_arg(sp)

    sp = cmd("restore", "restore a backup into a new vault folder")
    sp.add_argument("backup", type=Path)
    sp.add_argument("vault", type=Path)
    secret_arg(sp)

    sp = cmd("passwd", "change the passphrase (the old one stops opening the journal)")
    sp.add_argument("vault", type=Path)
    secret_arg(sp)

    sp = cmd("recover", "set a new passphrase with the recovery code (and get a new code)")
    sp.add_argument("vault", type=Path)
    secret_arg(sp)

    sp = cmd("new-recovery-code", "issue a new recovery code; the old one stops working")
    sp.add_argument("vault", type=Path)
    secret_arg(sp)

    sp = cmd("demo", "create a vault filled with synthetic demo data")
    sp.add_argument("vault", type=Path)
    sp.add_argument("--seed", type=int, default=7)
    sp.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="last day of the synthetic journal (default: a fixed date, for repeatable demos)",
    )
    _kdf_args(sp)
    return p


def _version_text() -> str:
    from srojournal.selftest import run_self_test

    r = run_self_test()
    # The version is read on demand: reading package metadata costs start-up time.
    return f"srojournal {srojournal.__version__} (SQLCipher {r.cipher_version or 'missing'})"


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _new_passphrase(reader: SecretReader, prompt: str = "New passphrase") -> str:
    from srojournal.vault.passphrase import check_passphrase

    value = reader.read(prompt, confirm=True)
    check_passphrase(value)
    return value


def cmd_init(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import create_vault

    kdf = _kdf_from(args)
    passphrase = _new_passphrase(reader, "Passphrase")
    vault, code = create_vault(args.vault, passphrase, kdf=kdf)
    vault.close()
    _out(f"Recovery code: {code}")
    sys.stderr.write(
        "Store the recovery code somewhere safe, away from the laptop. It is shown only once.\n"
    )
    return 0


def cmd_import(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.importing.dates import parse_date_order
    from srojournal.importing.mapping import Mapping, MappingError
    from srojournal.ops.access import open_vault
    from srojournal.vault import importer
    from srojournal.vault.errors import InvalidInput

    date_order = None
    if args.date_format is not None:
        try:
            date_order = parse_date_order(args.date_format)
        except ValueError as exc:
            raise UsageError(f"--date-format: {exc}") from None
    mapping = Mapping()
    if args.mapping is not None:
        try:
            mapping = Mapping.from_json(args.mapping.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            raise InvalidInput(f"--mapping: {args.mapping.name} cannot be read as text.") from None
        except MappingError as exc:
            raise InvalidInput(f"--mapping {args.mapping.name}: {exc}.") from None
    try:
        # The file is read and checked for shape before the passphrase is asked for.
        table = importer.read_file(args.file, sheet=args.sheet or mapping.sheet)
        with open_vault(args.vault, reader.read("Passphrase")) as vault:
            p = importer.preview(
                vault.journal,
                table,
                mapping,
                add_schools=args.add_schools,
                date_order=date_order,
            )
            if not p.ok:
                raise importer.rejection(p)
            for note in p.notes:
                sys.stderr.write(f"note: {note}\n")
            result = importer.import_preview(
                vault.journal, p, file_name=args.file.name, dry_run=args.dry_run
            )
    except importer.ImportRejected as exc:
        if len(exc.errors) == 1 and exc.total_bad == 1:
            sys.stderr.write(f"srojournal: {exc.errors[0]}. Nothing was written.\n")
            return EXIT_REJECTED
        sys.stderr.write(f"srojournal: {exc.message}\n")
        for err in exc.errors:
            sys.stderr.write(f"  {err}\n")
        if exc.total_bad > len(exc.errors):
            sys.stderr.write(f"  … and {exc.total_bad - len(exc.errors)} more\n")
        return EXIT_REJECTED
    what = "would import" if args.dry_run else "imported"
    _out(
        f"{what} {result.contacts} contacts ({result.new_students} new students, "
        f"{len(result.new_schools)} new schools, {result.follow_ups} follow-ups"
        + (f", {result.cases} cases" if result.cases else "")
        + (f", {result.contact_types} contact types" if result.contact_types else "")
        + ")"
        + ("; nothing was written" if args.dry_run else "")
    )
    return 0


def cmd_export(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import open_vault
    from srojournal.ops.journal_export import (
        NOT_CHECKED,
        NOT_ENCRYPTED,
        export_to_file,
        find_student,
    )

    if args.school is not None and args.student is None:
        raise UsageError("--school goes with --student")
    with open_vault(args.vault, reader.read("Passphrase")) as vault:
        student_id = None
        if args.student is not None:
            student_id = find_student(vault.journal, args.student, args.school).id
        counts = export_to_file(vault.journal, args.out, student_id=student_id)
    sys.stderr.write(f"warning: {NOT_ENCRYPTED}\n")
    sys.stderr.write(f"note: {NOT_CHECKED}\n")
    _out(
        f"wrote {args.out} ({counts.contacts} contacts, {counts.students} students, "
        f"{counts.follow_ups} follow-ups, {counts.cases} cases; not encrypted)"
    )
    return 0


def cmd_summary(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import open_vault
    from srojournal.ops.summaries import release_summary

    if args.contribution:
        return _contribution(args, reader)
    period = args.month or args.quarter or args.school_year
    with open_vault(args.vault, reader.read("Passphrase")) as vault:
        release_summary(vault.journal, period, args.format, args.out, revise=args.revise)
    _out(f"wrote {args.out}")
    return 0


def _contribution(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import open_vault
    from srojournal.ops.summaries import release_contribution

    if args.revise:
        raise UsageError("a contribution is never revised: late entries are not added to it")
    if not getattr(args, "month", None):
        raise UsageError("a contribution covers one month: give --month YYYY-MM")
    with open_vault(args.vault, reader.read("Passphrase")) as vault:
        release_contribution(vault.journal, args.month, args.format, args.out)
    _out(f"wrote {args.out}")
    return 0


def cmd_aggregate(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.reporting.contribution_service import aggregate_contribution_files
    from srojournal.reporting.service import aggregate_files
    from srojournal.vault.fsutil import atomic_write

    data = aggregate_contribution_files(args.summaries, args.format)
    if data is None:  # no contribution among the inputs: a roll-up of summaries
        data = aggregate_files(args.summaries, args.format)
    atomic_write(args.out, data, mode=0o644)
    _out(f"wrote {args.out}")
    return 0


def cmd_verify(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import open_vault

    with open_vault(args.vault, reader.read("Passphrase"), read_only=True) as vault:
        counts = vault.journal.verify()
        unseen_code = vault.recovery_code_unconfirmed
    _out(f"ok contacts={counts.contacts} students={counts.students} follow_ups={counts.follow_ups}")
    if unseen_code:
        sys.stderr.write(
            "srojournal: warning: a new recovery code was issued but never shown (the command "
            "stopped first); issue one with 'srojournal new-recovery-code'.\n"
        )
    return 0


def cmd_backup(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import open_vault
    from srojournal.ops.backups import back_up_now

    with open_vault(args.vault, reader.read("Passphrase")) as vault:
        info = back_up_now(vault, args.dest).value
    _out(f"backup verified: {info.path}")
    return 0


def cmd_restore(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.backups import restore

    passphrase = reader.read("Passphrase of the backup")
    counts = restore(args.backup, args.vault, passphrase).value
    _out(f"restored to {args.vault}: contacts={counts.contacts} students={counts.students}")
    return 0


def _progress(what: str) -> Callable[[float], None] | None:
    """A percentage on the terminal while the journal is re-encrypted (nothing when piped)."""
    if not sys.stderr.isatty():
        return None

    def show(fraction: float) -> None:
        sys.stderr.write(f"\r{what}… {fraction:4.0%}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _show_new_code(vault: Vault, code: str) -> None:
    from srojournal.ops.access import confirm_recovery_code

    _out(f"Recovery code: {code}")
    confirm_recovery_code(vault)
    sys.stderr.write(
        "Store the new recovery code somewhere safe, away from the laptop. It is shown only "
        "once; the previous code no longer works.\n"
    )


def cmd_passwd(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import change_passphrase, open_vault

    old = reader.read("Current passphrase")
    with open_vault(args.vault, old) as vault:
        new = _new_passphrase(reader)
        code = change_passphrase(
            vault, old, new, progress=_progress("Re-encrypting the journal")
        ).value
        if code is not None:  # a vault from an earlier release: its code cannot follow
            _show_new_code(vault, code)
    _out(
        "passphrase changed; the journal was re-encrypted and the old passphrase no longer opens "
        "it. Backups taken before this change still open with the old passphrase."
    )
    return 0


def cmd_recover(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import recover

    code = reader.read("Recovery code")
    vault, new_code = recover(
        args.vault,
        code,
        lambda: _new_passphrase(reader),
        progress=_progress("Re-encrypting the journal"),
    )
    with vault:
        _show_new_code(vault, new_code)
    _out("passphrase set; the recovery code you used no longer works (the new one is above)")
    return 0


def cmd_new_recovery_code(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.ops.access import new_recovery_code, open_vault

    passphrase = reader.read("Passphrase")
    with open_vault(args.vault, passphrase) as vault:
        code = new_recovery_code(
            vault, passphrase, progress=_progress("Re-encrypting the journal")
        ).value
        _show_new_code(vault, code)
    return 0


def cmd_demo(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.demo import DEMO_PASSPHRASE, create_demo_vault

    stats = create_demo_vault(args.vault, kdf=_kdf_from(args), seed=args.seed, today=args.today)
    _out(f"demo vault created at {args.vault} (synthetic data: {stats.contacts} contacts)")
    _out(f"demo passphrase: {DEMO_PASSPHRASE}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, SecretReader], int]] = {
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "summary": cmd_summary,
    "aggregate": cmd_aggregate,
    "verify": cmd_verify,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "passwd": cmd_passwd,
    "recover": cmd_recover,
    "new-recovery-code": cmd_new_recovery_code,
    "demo": cmd_demo,
}


def _run_gui(args: argparse.Namespace) -> int:
    import gc

    # Loading Qt's bindings and building the window make many long-lived objects, which the
    # cyclic garbage collector would scan again and again (about 5 ms of the start). It is
    # paused until the window has been painted: ``run_gui`` resumes it then.
    gc.disable()
    try:
        from srojournal.app import run_gui

        return int(run_gui(args.vault, quit_when_ready=args.quit_when_ready))
    finally:
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    from srojournal.hardening import harden_process

    harden_process()  # before anything is decrypted: no core dump may hold the journal
    logging.basicConfig(level=os.environ.get("SROJOURNAL_LOG", "WARNING").upper())
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        _out(_version_text())
        return 0
    if args.self_test:
        from srojournal.selftest import run_self_test

        result = run_self_test()
        for problem in result.problems:
            sys.stderr.write(f"srojournal: self-test: {problem}\n")
        if result.ok:
            _out(
                f"self-test ok: SQLCipher {result.cipher_version}, FTS5, Argon2id, AES-GCM, X25519"
            )
        return 0 if result.ok else EXIT_INTERNAL
    try:
        if args.command is None:
            return _run_gui(args)
        reader = SecretReader(getattr(args, "passphrase_stdin", False))
        return COMMANDS[args.command](args, reader)
    except UserError as exc:
        sys.stderr.write(f"srojournal: {exc.one_line()}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("srojournal: interrupted\n")
        return 130
    except MemoryError:
        sys.stderr.write("srojournal: out of memory\n")
        return EXIT_INTERNAL
    except Exception as exc:  # the last line of defence: no traceback for users
        # The exception text may hold journal content: name the type only. With
        # SROJOURNAL_LOG=DEBUG the frames (file, line, function — never values) are logged too.
        sys.stderr.write(
            f"srojournal: internal error ({type(exc).__name__}); this is a bug, please report it\n"
        )
        if log.isEnabledFor(logging.DEBUG):
            frames = traceback.extract_tb(exc.__traceback__)
            log.debug(
                "where: %s",
                " <- ".join(
                    f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)
                ),
            )
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
