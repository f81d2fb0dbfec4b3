"""The headless face of SRO Journal: argparse subcommands over the core (PRODUCT §7).

Errors are one clear line on stderr with the exit codes of §7, never a traceback:
2 usage, 3 wrong passphrase or recovery code, 4 not a vault / damaged / locked, 5 rejected input.
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
from srojournal.vault.errors import VaultError, WeakPassphrase

if TYPE_CHECKING:
    import datetime as dt

    from srojournal.vault.store import Vault

EXIT_USAGE = 2
EXIT_REJECTED = 5
EXIT_INTERNAL = 1

log = logging.getLogger("srojournal.cli")


class UsageError(Exception):
    pass


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
    p.add_argument("--demo", action="store_true", help="show the demo passphrase on unlock")
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

    sp = cmd("import", "import contacts from a CSV file (all or nothing)")
    sp.add_argument("vault", type=Path)
    sp.add_argument("file", type=Path)
    sp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    secret_arg(sp)

    sp = cmd("summary", "export the anonymized summary of one month")
    sp.add_argument("vault", type=Path)
    sp.add_argument("--month", required=True, metavar="YYYY-MM")
    sp.add_argument("--format", required=True, choices=("json", "csv", "pdf"))
    sp.add_argument("--out", required=True, type=Path, metavar="FILE")
    sp.add_argument("--revise", action="store_true", help="release a revision with late entries")
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
    from srojournal.vault.store import Vault

    kdf = _kdf_from(args)
    passphrase = _new_passphrase(reader, "Passphrase")
    vault, code = Vault.create(args.vault, passphrase, kdf=kdf)
    vault.close()
    _out(f"Recovery code: {code}")
    sys.stderr.write(
        "Store the recovery code somewhere safe, away from the laptop. It is shown only once.\n"
    )
    return 0


def cmd_import(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.vault.importer import ImportRejected, import_csv, read_csv_file
    from srojournal.vault.store import Vault

    text = read_csv_file(args.file)
    try:
        with Vault.open(args.vault, reader.read("Passphrase")) as vault:
            result = import_csv(vault.journal, text, dry_run=args.dry_run)
    except ImportRejected as exc:
        sys.stderr.write(f"srojournal: {exc.message}\n")
        for err in exc.errors:
            sys.stderr.write(f"  {err}\n")
        if exc.total_bad > len(exc.errors):
            sys.stderr.write(f"  … and {exc.total_bad - len(exc.errors)} more\n")
        return EXIT_REJECTED
    what = "would import" if args.dry_run else "imported"
    _out(
        f"{what} {result.contacts} contacts ({result.new_students} new students, "
        f"{len(result.new_schools)} new schools, {result.follow_ups} follow-ups)"
        + ("; nothing was written" if args.dry_run else "")
    )
    return 0


def cmd_summary(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.reporting.service import export_month
    from srojournal.vault.fsutil import atomic_write
    from srojournal.vault.store import Vault

    with Vault.open(args.vault, reader.read("Passphrase")) as vault:
        data = export_month(vault.journal, args.month, args.format, revise=args.revise)
    atomic_write(args.out, data, mode=0o644)
    _out(f"wrote {args.out}")
    return 0


def cmd_aggregate(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.reporting.service import aggregate_files
    from srojournal.vault.fsutil import atomic_write

    data = aggregate_files(args.summaries, args.format)
    atomic_write(args.out, data, mode=0o644)
    _out(f"wrote {args.out}")
    return 0


def cmd_verify(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.vault.store import Vault

    with Vault.open(args.vault, reader.read("Passphrase"), read_only=True) as vault:
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
    from srojournal.vault.backup import create_backup
    from srojournal.vault.store import Vault

    with Vault.open(args.vault, reader.read("Passphrase")) as vault:
        info = create_backup(vault, args.dest)
    _out(f"backup verified: {info.path}")
    return 0


def cmd_restore(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.vault.backup import restore_backup, verify_backup
    from srojournal.vault.store import Vault

    passphrase = reader.read("Passphrase of the backup")
    verify_backup(args.backup, passphrase)
    restore_backup(args.backup, args.vault)
    with Vault.open(args.vault, passphrase) as vault:
        counts = vault.journal.verify()
        vault.journal.audit("restored_from_backup", {"contacts": counts.contacts})
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
    _out(f"Recovery code: {code}")
    vault.confirm_recovery_code()
    sys.stderr.write(
        "Store the new recovery code somewhere safe, away from the laptop. It is shown only "
        "once; the previous code no longer works.\n"
    )


def cmd_passwd(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.vault.store import Vault

    old = reader.read("Current passphrase")
    with Vault.open(args.vault, old) as vault:
        new = _new_passphrase(reader)
        code = vault.change_passphrase(old, new, progress=_progress("Re-encrypting the journal"))
        if code is not None:  # a vault from an earlier release: its code cannot follow
            _show_new_code(vault, code)
    _out(
        "passphrase changed; the journal was re-encrypted and the old passphrase no longer opens "
        "it. Backups taken before this change still open with the old passphrase."
    )
    return 0


def cmd_recover(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.vault.store import Vault

    code = reader.read("Recovery code")
    with Vault.open_with_recovery(args.vault, code) as vault:
        new = _new_passphrase(reader)
        new_code = vault.change_passphrase(
            code, new, with_recovery_code=True, progress=_progress("Re-encrypting the journal")
        )
        assert new_code is not None
        _show_new_code(vault, new_code)
    _out("passphrase set; the recovery code you used no longer works (the new one is above)")
    return 0


def cmd_new_recovery_code(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.vault.store import Vault

    passphrase = reader.read("Passphrase")
    with Vault.open(args.vault, passphrase) as vault:
        code = vault.replace_recovery_code(
            passphrase, progress=_progress("Re-encrypting the journal")
        )
        _show_new_code(vault, code)
    return 0


def cmd_demo(args: argparse.Namespace, reader: SecretReader) -> int:
    from srojournal.demo import DEMO_PASSPHRASE, populate
    from srojournal.vault.store import Vault

    vault, _code = Vault.create(args.vault, DEMO_PASSPHRASE, kdf=_kdf_from(args))
    with vault:
        stats = populate(vault.journal, seed=args.seed, today=args.today)
    _out(f"demo vault created at {args.vault} (synthetic data: {stats.contacts} contacts)")
    _out(f"demo passphrase: {DEMO_PASSPHRASE}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, SecretReader], int]] = {
    "init": cmd_init,
    "import": cmd_import,
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
    from srojournal.app import run_gui

    return int(run_gui(args.vault, demo=args.demo, quit_when_ready=args.quit_when_ready))


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
    except WeakPassphrase as exc:
        hint = (" " + " ".join(exc.feedback)) if exc.feedback else ""
        sys.stderr.write(f"srojournal: passphrase refused: {exc.message}{hint}\n")
        return EXIT_USAGE
    except VaultError as exc:
        sys.stderr.write(f"srojournal: {exc.message}\n")
        return exc.exit_code
    except UsageError as exc:
        sys.stderr.write(f"srojournal: {exc}\n")
        return EXIT_USAGE
    except _report_rejected() as exc:
        sys.stderr.write(f"srojournal: {exc}\n")
        return EXIT_REJECTED
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


def _report_rejected() -> type[Exception]:
    try:
        from srojournal.reporting.errors import ReportRejected
    except ImportError:  # reporting not built yet
        return _NeverRaised
    return ReportRejected


class _NeverRaised(Exception):
    pass


if __name__ == "__main__":
    raise SystemExit(main())
