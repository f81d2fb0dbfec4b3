"""Campaign 1: SIGKILL at random moments while saving, importing, changing the passphrase,
rotating the data key and writing a backup. After each kill the vault must open, pass
``journal.verify()`` and hold everything that was acknowledged.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from srojournal.vault import keys
from srojournal.vault.backup import create_backup, list_backups, verify_backup
from srojournal.vault.errors import VaultError, WrongPassphrase
from srojournal.vault.store import Vault
from tests.faults.common import (
    OTHER_PASSPHRASE,
    PASSPHRASE,
    REPO_ROOT,
    Child,
    Tally,
    child_env,
    cli_cmd,
    contact,
    make_vault,
    opened,
    run,
    worker_cmd,
)
from tests.faults.worker import save_note, with_example_migration


def _spawn(work: Path, trial: int, *args: str | Path) -> Child:
    return Child(worker_cmd(*args), stderr_path=work / f"child-{trial}.err", env=child_env())


def _kill_randomly(child: Child, rng: random.Random, window: float) -> None:
    """Kill during start-up/open (1 in 5) or at a random moment of the operation."""
    if rng.random() < 0.2:
        child.run_for(rng.uniform(0.0, 0.5))
    elif child.wait_lines(1):
        child.run_for(rng.uniform(0.0, window))
    child.kill()


def _child_crashed(child: Child, code: int, tally: Tally, trial: int) -> None:
    if code == -9 and not child.acks():
        tally.interrupted += 1
    err = child.stderr()
    if code not in (0, -9) or "Traceback" in err:
        tally.fail("crash", f"trial {trial}: child exit {code}: {err[-300:]!r}")


def _quarantine(folder: Path, work: Path, trial: int) -> None:
    """Keep a damaged vault for inspection and start the next trial from a fresh one."""
    shutil.move(folder, work / f"damaged-{folder.name}-{trial}")
    make_vault(folder)


def _open_checked(folder: Path, tally: Tally, trial: int, passphrase: str = PASSPHRASE) -> bool:
    """Open (as the next start would), verify, close. Records damage; True when sound."""
    try:
        with opened(folder, passphrase) as v:
            v.journal.verify()
    except VaultError as exc:
        tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
        return False
    return True


def kill_save(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("kill while saving")
    folder = work / "save-vault"
    make_vault(folder)
    for trial in range(trials):
        tag = f"t{trial}"
        child = _spawn(work, trial, "save", folder, tag)
        if rng.random() < 0.15:
            child.run_for(rng.uniform(0.0, 0.5))  # during start-up and open
        else:
            child.wait_lines(1 + rng.randint(0, 25))
            child.run_for(rng.uniform(0.0, 0.012))
        child.kill()
        code = child.finish()
        tally.trials += 1
        _child_crashed(child, code, tally, trial)
        acked = [(int(a[1]), int(a[2])) for a in child.acks()]
        try:
            with opened(folder) as v:
                v.journal.verify()
                for cid, i in acked:
                    try:
                        notes = v.journal.contact(cid).notes
                    except Exception as exc:
                        tally.fail("lost", f"trial {trial}: acknowledged contact {cid}: {exc!r}")
                        continue
                    if notes != save_note(tag, i):
                        tally.fail("lost", f"trial {trial}: contact {cid} holds other notes")
        except VaultError as exc:
            tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
            _quarantine(folder, work, trial)
    return tally


def _import_csv(path: Path, tag: str, rows: int) -> None:
    lines = ["date,time,school,type,students,grades,outcome,notes"]
    lines += [
        f"2026-03-{1 + i % 28:02d},10:{i % 60:02d},Lincoln Middle,mentoring,S{i % 40},7,"
        f"resolved,imp {tag} r{i} talked about goals"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def kill_import(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("kill during import")
    folder = work / "import-vault"
    make_vault(folder)
    for trial in range(trials):
        tag = f"t{trial}"
        rows = rng.randint(1000, 3000)
        src = work / f"import-{trial}.csv"
        _import_csv(src, tag, rows)
        child = _spawn(work, trial, "import", folder, src)
        _kill_randomly(child, rng, rows / 2500)
        code = child.finish()
        tally.trials += 1
        _child_crashed(child, code, tally, trial)
        acked = bool(child.acks())
        try:
            with opened(folder) as v:
                v.journal.verify()
                n = v.conn.execute(
                    "SELECT count(*) FROM contacts WHERE notes LIKE ?", (f"imp {tag} r%",)
                ).fetchone()[0]
        except VaultError as exc:
            tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
            _quarantine(folder, work, trial)
            continue
        if n not in (0, rows):
            tally.fail("damaged", f"trial {trial}: {n} of {rows} rows imported (not all or none)")
        elif acked and n != rows:
            tally.fail("lost", f"trial {trial}: acknowledged import holds {n} of {rows} rows")
        src.unlink()
    return tally


def _try_open(folder: Path, secret: str, *, recovery: bool = False) -> bool | VaultError:
    try:
        v = Vault.open_with_recovery(folder, secret) if recovery else Vault.open(folder, secret)
    except WrongPassphrase:
        return False
    except VaultError as exc:
        return exc
    try:
        v.journal.verify()
    except VaultError as exc:
        return exc
    finally:
        v.close()
    return True


def kill_passwd(trials: int, rng: random.Random, work: Path) -> Tally:
    """A passphrase change re-encrypts the journal: killed anywhere, the vault opens with the old
    or the new passphrase (the new one once acknowledged), holds every entry, and the recovery
    code (which a passphrase change keeps) still opens it."""
    tally = Tally("kill during passphrase change (re-encryption)")
    folder = work / "passwd-vault"
    code = make_vault(folder)
    _fill(folder, PASSWD_CONTACTS)
    current, other = PASSPHRASE, OTHER_PASSPHRASE
    for trial in range(trials):
        child = _spawn(work, trial, "passwd", folder, current, other)
        _kill_randomly(child, rng, 0.6)
        exit_code = child.finish()
        tally.trials += 1
        _child_crashed(child, exit_code, tally, trial)
        acked = bool(child.acks())
        old_ok, new_ok = _try_open(folder, current), _try_open(folder, other)
        for r in (old_ok, new_ok):
            if isinstance(r, VaultError):
                tally.fail("damaged", f"trial {trial}: {type(r).__name__}: {r.message}")
        if old_ok is not True and new_ok is not True:
            tally.fail("damaged", f"trial {trial}: neither the old nor the new passphrase opens")
            break
        if old_ok is True and new_ok is True:
            tally.fail("damaged", f"trial {trial}: both passphrases open the journal")
        if acked and new_ok is not True:
            tally.fail("lost", f"trial {trial}: acknowledged passphrase change lost")
        if new_ok is True:
            current, other = other, current
        _check_contents(folder, current, tally, trial, PASSWD_CONTACTS)
        if trial % 3 == 0 and _try_open(folder, code, recovery=True) is not True:
            tally.fail("damaged", f"trial {trial}: the recovery code no longer opens the vault")
    return tally


PASSWD_CONTACTS = 600  # enough pages that a kill can land inside the re-encryption


def _check_contents(folder: Path, passphrase: str, tally: Tally, trial: int, n: int) -> None:
    try:
        with opened(folder, passphrase) as v:
            counts = v.journal.verify()
    except VaultError as exc:
        tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
        return
    if counts.contacts != n:
        tally.fail("lost", f"trial {trial}: {counts.contacts} of {n} contacts")


def kill_recover(trials: int, rng: random.Random, work: Path) -> Tally:
    """Using the recovery code replaces it. Killed anywhere: the old or the new passphrase opens;
    once the new code is acknowledged it opens and the old one is dead; a new code the officer
    never saw is flagged (so the app asks for a new one), never silently the only way in."""
    tally = Tally("kill while recovering (new passphrase, new code)")
    folder = work / "recover-vault"
    code = make_vault(folder)
    _fill(folder, PASSWD_CONTACTS)
    current, other = PASSPHRASE, OTHER_PASSPHRASE
    for trial in range(trials):
        child = _spawn(work, trial, "recover", folder, code, other)
        _kill_randomly(child, rng, 0.6)
        exit_code = child.finish()
        tally.trials += 1
        _child_crashed(child, exit_code, tally, trial)
        acks = child.acks()
        old_ok, new_ok = _try_open(folder, current), _try_open(folder, other)
        for r in (old_ok, new_ok):
            if isinstance(r, VaultError):
                tally.fail("damaged", f"trial {trial}: {type(r).__name__}: {r.message}")
        if old_ok is not True and new_ok is not True:
            tally.fail("damaged", f"trial {trial}: neither the old nor the new passphrase opens")
            break
        old_code_ok = _try_open(folder, code, recovery=True)
        if acks:
            new_code = acks[0][1]
            if new_ok is not True:
                tally.fail("lost", f"trial {trial}: acknowledged new passphrase does not open")
            if old_code_ok is True:
                tally.fail("damaged", f"trial {trial}: the used recovery code still opens")
            if _try_open(folder, new_code, recovery=True) is not True:
                tally.fail("lost", f"trial {trial}: the acknowledged new code does not open")
            code = new_code
        elif old_code_ok is not True:
            # The change went through but its code was never shown: the vault must say so.
            with opened(folder, other) as v:
                if not v.recovery_code_unconfirmed:
                    tally.fail("lost", f"trial {trial}: an unseen recovery code is not flagged")
                code = v.replace_recovery_code(other)
                v.confirm_recovery_code()
        if new_ok is True:
            current, other = other, current
        _check_contents(folder, current, tally, trial, PASSWD_CONTACTS)
    return tally


def _fill(folder: Path, n: int) -> None:
    with opened(folder) as v, v.journal.batch():
        for i in range(n):
            v.journal.add_contact(contact(f"rotation payload {i} " + "z" * 200))


def kill_rotate(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("kill during data-key rotation")
    folder = work / "rotate-vault"
    make_vault(folder)
    _fill(folder, 400)
    for trial in range(trials):
        child = _spawn(work, trial, "rotate", folder, PASSPHRASE)
        _kill_randomly(child, rng, 0.25)
        code = child.finish()
        tally.trials += 1
        _child_crashed(child, code, tally, trial)
        try:
            # Half the time the first thing after the crash is a read-only `verify`.
            for read_only in (True, False) if trial % 2 else (False,):
                with opened(folder, read_only=read_only) as v:
                    counts = v.journal.verify()
                    note = v.journal.contact(1).notes
                if counts.contacts != 400 or not note.startswith("rotation payload 0 "):
                    tally.fail("lost", f"trial {trial}: contents changed ({counts})")
            if keys.read_header(folder).pending is not None:
                tally.fail("damaged", f"trial {trial}: header not settled after a writable open")
        except VaultError as exc:
            tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
            _quarantine(folder, work, trial)
            _fill(folder, 400)
    return tally


def kill_backup(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("kill during backup")
    folder = work / "backup-vault"
    dest = work / "backups"
    make_vault(folder)
    _fill(folder, 300)
    for trial in range(trials):
        child = _spawn(work, trial, "backup", folder, dest)
        _kill_randomly(child, rng, 0.25)
        code = child.finish()
        tally.trials += 1
        _child_crashed(child, code, tally, trial)
        acked = [a[1] for a in child.acks()]
        if not _open_checked(folder, tally, trial):
            _quarantine(folder, work, trial)
            _fill(folder, 300)
            continue
        listed = list_backups(dest)
        for b in listed:
            try:
                counts = verify_backup(b.path, PASSPHRASE)
            except VaultError as exc:
                tally.fail("damaged", f"trial {trial}: listed backup {b.path.name}: {exc.message}")
                shutil.rmtree(b.path)
                continue
            if counts["contacts"] != b.contacts:
                tally.fail("damaged", f"trial {trial}: backup {b.path.name} counts differ")
        names = {b.path.name for b in listed}
        for path in acked:
            if Path(path).name not in names:
                tally.fail("lost", f"trial {trial}: acknowledged backup {path} is not listed")
        # Keep the folder small: the newest verified backup is enough for the next trial.
        for b in listed[1:]:
            shutil.rmtree(b.path)
    return tally


PURGE_CONTACTS = 2000  # enough that a kill can land inside the redaction or the vacuum


def kill_purge(trials: int, rng: random.Random, work: Path) -> Tally:
    """Retention purge: one transaction redacts every note, then VACUUM rewrites the file."""
    tally = Tally("kill during purge and vacuum")
    for trial in range(trials):
        folder = work / f"purge-vault-{trial}"
        make_vault(folder)
        _fill(folder, PURGE_CONTACTS)
        child = _spawn(work, trial, "purge", folder)
        _kill_randomly(child, rng, 0.12)
        code = child.finish()
        tally.trials += 1
        _child_crashed(child, code, tally, trial)
        try:
            with opened(folder) as v:
                counts = v.journal.verify()
                notes = [v.journal.contact(i).notes for i in (1, 1000, PURGE_CONTACTS)]
        except VaultError as exc:
            tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
            continue
        purged = [n == "" for n in notes]
        if counts.contacts != PURGE_CONTACTS:
            tally.fail("lost", f"trial {trial}: {counts.contacts} contacts after the purge")
        elif any(purged) and not all(purged):
            tally.fail("damaged", f"trial {trial}: a purge applied to some notes only")
        elif child.acks() and not all(purged):
            tally.fail("lost", f"trial {trial}: an acknowledged purge is not applied")
        shutil.rmtree(folder, ignore_errors=True)
    return tally


def kill_restore(trials: int, rng: random.Random, work: Path) -> Tally:
    """`srojournal restore` killed anywhere: the backup is untouched, and the target is either
    absent (a retry works) or a whole vault with the backup's contents."""
    tally = Tally("kill during restore")
    folder = work / "restore-vault"
    make_vault(folder)
    _fill(folder, 800)
    with opened(folder) as v:
        backup = create_backup(v, work / "backups").path
    before = {p.name: p.read_bytes() for p in backup.iterdir()}
    for trial in range(trials):
        target = work / f"restored-{trial}"
        child = Child(
            worker_cmd("restore", backup, target),
            stderr_path=work / f"child-{trial}.err",
            env=child_env(),
        )
        assert child.proc.stdin is not None
        child.proc.stdin.write((PASSPHRASE + "\n").encode())
        child.proc.stdin.flush()
        child.run_for(rng.uniform(0.0, 1.2))
        child.kill()
        code = child.finish()
        tally.trials += 1
        if code not in (0, -9) or "Traceback" in child.stderr():
            tally.fail("crash", f"trial {trial}: child exit {code}: {child.stderr()[-300:]!r}")
        acked = child.acks()
        if acked and acked[0][1] != "0":
            tally.fail("crash", f"trial {trial}: restore exited {acked[0][1]}: {child.stderr()!r}")
        if {p.name: p.read_bytes() for p in backup.iterdir()} != before:
            tally.fail("damaged", f"trial {trial}: the backup was written to")
        if not (target.exists() and any(target.iterdir())):
            if acked:
                tally.fail("lost", f"trial {trial}: acknowledged restore left no vault")
            r = run(
                cli_cmd("restore", backup, target, "--passphrase-stdin"), stdin=PASSPHRASE + "\n"
            )
            if r.code != 0:
                tally.fail("damaged", f"trial {trial}: a retry after the kill failed: {r.err!r}")
        _check_contents(target, PASSPHRASE, tally, trial, 800)
        shutil.rmtree(target, ignore_errors=True)
    return tally


FIXTURE_V1 = REPO_ROOT / "tests" / "fixtures" / "vault-v1"


def kill_migrate(trials: int, rng: random.Random, work: Path) -> Tally:
    """Opening a vault of the previous format (backup first, a schema step, the key file to
    format 2) killed anywhere: it opens, with its passphrase and its recovery code, whole, at the
    old, the new or an intermediate schema version (each step commits on its own), never half a
    step."""
    from srojournal.vault import schema

    final = schema.CURRENT_VERSION + 1  # the real steps, then the example step
    tally = Tally("kill during migration (schema and key file)")
    code = (REPO_ROOT / "tests" / "fixtures" / "vault-v1.recovery-code").read_text().strip()
    for trial in range(trials):
        folder = work / f"migrate-{trial}"
        shutil.copytree(FIXTURE_V1, folder)
        folder.chmod(0o700)
        child = _spawn(work, trial, "migrate", folder, PASSPHRASE)
        _kill_randomly(child, rng, 0.5)
        exit_code = child.finish()
        tally.trials += 1
        _child_crashed(child, exit_code, tally, trial)
        acked = [int(a[1]) for a in child.acks()]
        try:
            version, tables = _schema(folder)
            if not 1 <= version <= final or (version == final) != ("example_v2" in tables):
                tally.fail("damaged", f"trial {trial}: schema {version} half migrated")
            with with_example_migration():
                with opened(folder) as v:
                    counts = v.journal.verify()
                    for cid in acked:
                        v.journal.contact(cid)
                    if counts.contacts != 60 + len(acked):
                        tally.fail("lost", f"trial {trial}: {counts.contacts} contacts")
                Vault.open_with_recovery(folder, code).close()
        except VaultError as exc:
            tally.fail("damaged", f"trial {trial}: {type(exc).__name__}: {exc.message}")
        except Exception as exc:
            tally.fail("lost", f"trial {trial}: {exc!r}")
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(folder.with_name(folder.name + "-backups"), ignore_errors=True)
    return tally


def _schema(folder: Path) -> tuple[int, set[str]]:
    """The journal's schema version and tables, read without opening (or migrating) the vault."""
    import sqlcipher3

    from srojournal.vault import keymaterial

    opened_keys = keys.read_header(folder).open("passphrase", keys.normalize_secret(PASSPHRASE))
    try:
        for o in opened_keys:
            conn = sqlcipher3.connect(
                keymaterial.read_only_uri(folder / "journal.db").replace("&immutable=1", ""),
                uri=True,
            )
            try:
                conn.execute("PRAGMA cipher_log_level = NONE")
                keymaterial.set_key(conn, o.data_key)
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                return version, {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            except sqlcipher3.DatabaseError:
                continue
            finally:
                conn.close()
    finally:
        for o in opened_keys:
            o.zero()
    raise VaultError("no keyset opens the journal")
