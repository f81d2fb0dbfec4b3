"""Campaigns 4 and 5: disk full, read-only folders, stale and double locks."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from srojournal.vault.errors import VaultError
from tests.faults.common import (
    PASSPHRASE,
    Child,
    Tally,
    child_env,
    cli_cmd,
    make_vault,
    one_clear_line,
    opened,
    run,
    worker_cmd,
)
from tests.faults.worker import NOBODY


def _check_after_refusal(
    folder: Path, child: Child, tally: Tally, what: str, *, need_full: bool = True
) -> None:
    """The save was refused clearly, the vault is sound and the earlier draft survived."""
    lines = child.lines
    refused = [ln for ln in lines if ln.startswith("refused ")]
    if "draft" not in lines:
        tally.fail("crash", f"{what}: the draft was not saved: {child.stderr()[-300:]!r}")
        return
    if "saved" in lines:
        tally.fail("crash", f"{what}: the save did not fail although the disk was full")
    elif not refused:
        tally.fail("crash", f"{what}: no clear refusal: {child.stderr()[-300:]!r}")
    elif not refused[0].startswith("refused StorageError ") or (
        need_full and "full" not in refused[0]
    ):
        tally.fail("crash", f"{what}: unclear refusal: {refused[0][:200]}")
    if "Traceback" in child.stderr():
        tally.fail("crash", f"{what}: traceback: {child.stderr()[-300:]!r}")
    try:
        with opened(folder) as v:
            v.journal.verify()
            if v.journal.load_draft("quick-entry") != "typed entry that must survive":
                tally.fail("lost", f"{what}: the draft typed before the disk filled is gone")
            acked = [int(ln.split()[1]) for ln in lines if ln.startswith("ack ")]
            for cid in acked:
                try:
                    v.journal.contact(cid)
                except Exception:
                    tally.fail("lost", f"{what}: acknowledged contact {cid} is gone")
    except VaultError as exc:
        tally.fail("damaged", f"{what}: {type(exc).__name__}: {exc.message}")


def disk_full(trials: int, rng: random.Random, work: Path) -> Tally:
    """A file-size limit (EFBIG) in a child: the save fails clearly, nothing is lost."""
    tally = Tally("disk full (file-size limit)")
    for trial in range(trials):
        folder = work / f"full-{trial}"
        make_vault(folder)
        child = Child(
            worker_cmd("diskfull", folder, str(rng.choice([0, 4, 64, 512]))),
            stderr_path=work / f"full-{trial}.err",
            env=child_env(),
        )
        child.finish()
        tally.trials += 1
        # EFBIG is reported by SQLite as an I/O error, not as "full": a StorageError suffices.
        _check_after_refusal(folder, child, tally, f"trial {trial}", need_full=False)
    return tally


@contextlib.contextmanager
def small_tmpfs(size: str = "2m") -> Iterator[Path | None]:
    """A tiny tmpfs when this machine lets us mount one, else None (the variant is skipped)."""
    where = Path(tempfile.mkdtemp(prefix="faults-tmpfs-"))
    mounted = False
    try:
        if os.geteuid() == 0 and shutil.which("mount"):
            r = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                capture_output=True,
                timeout=20,
                check=False,
            )
            mounted = r.returncode == 0
        yield where if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(where)], capture_output=True, timeout=20, check=False)
        shutil.rmtree(where, ignore_errors=True)


def disk_full_tmpfs(trials: int, rng: random.Random, work: Path) -> Tally:
    """Fill a real (tiny) file system: ENOSPC instead of EFBIG."""
    tally = Tally("disk full (small tmpfs)")
    for trial in range(trials):
        with small_tmpfs() as fs:
            if fs is None:
                tally.skipped = "cannot mount a tmpfs here"
                return tally
            folder = fs / "vault"
            make_vault(folder)
            child = Child(
                worker_cmd("fill", folder), stderr_path=work / f"fill-{trial}.err", env=child_env()
            )
            child.finish()
            tally.trials += 1
            # Check on a copy on a roomy disk, as an officer would after moving the vault.
            copy = work / f"fill-{trial}"
            shutil.copytree(folder, copy)
        _check_after_refusal(copy, child, tally, f"tmpfs trial {trial}")
    return tally


def _can_run_as_nobody() -> str:
    if os.geteuid() != 0:
        return "needs root to run a child as an unprivileged user"
    return ""


def read_only_folder(trials: int, rng: random.Random, work: Path) -> Tally:
    """A vault folder the user cannot write: refused (or opened read-only) with a clear line."""
    tally = Tally("read-only vault folder")
    reason = _can_run_as_nobody()
    if reason:
        tally.skipped = reason
        return tally
    shared = Path(tempfile.mkdtemp(prefix="faults-ro-"))
    try:
        shared.chmod(0o755)
        for trial in range(trials):
            folder = shared / f"ro-{trial}"
            make_vault(folder)
            if trial % 2:
                (folder / "vault.lock").unlink()  # e.g. a vault copied from a backup
            for p in [folder, *folder.iterdir()]:
                os.chown(p, NOBODY, NOBODY)
                p.chmod(0o400)
            folder.chmod(0o500)
            env = child_env(shared / f"env-{trial}")
            for d in (shared / f"env-{trial}").rglob("*"):
                os.chown(d, NOBODY, NOBODY)
            os.chown(shared / f"env-{trial}", NOBODY, NOBODY)
            tally.trials += 1
            r = run(worker_cmd("open", folder), env=env)
            if "Traceback" in r.err or not r.out.startswith(("refused ", "opened read_only")):
                tally.fail("crash", f"trial {trial}: library: {r.out!r} {r.err[-300:]!r}")
            elif r.out.startswith("refused") and "read-only" not in r.out:
                tally.fail("crash", f"trial {trial}: unclear refusal: {r.out.strip()!r}")
            for args in (("verify",), ("backup", shared / f"dest-{trial}")):
                c = run(
                    worker_cmd("cli-as-nobody", folder, *args, "--passphrase-stdin"),
                    stdin=PASSPHRASE + "\n",
                    env=env,
                )
                problem = one_clear_line(c)
                if c.code not in (0, 4) or problem or (c.code == 4 and "read-only" not in c.err):
                    tally.fail("crash", f"trial {trial}: {args[0]}: exit {c.code} {problem}")
            folder.chmod(0o700)
            try:
                with opened(folder) as v:
                    v.journal.verify()
            except VaultError as exc:
                tally.fail("damaged", f"trial {trial}: {exc.message}")
    finally:
        for p in shared.rglob("*"):
            if p.is_dir():
                p.chmod(0o700)
        shutil.rmtree(shared, ignore_errors=True)
    return tally


def locks(trials: int, rng: random.Random, work: Path) -> Tally:
    """A killed holder leaves no stale lock; a live holder makes a second start exit 4, also
    after its vault.lock was deleted."""
    tally = Tally("stale and double locks")
    folder = work / "lock-vault"
    make_vault(folder)
    for trial in range(trials):
        holder = Child(
            worker_cmd("hold", folder), stderr_path=work / f"hold-{trial}.err", env=child_env()
        )
        tally.trials += 1
        try:
            if not holder.wait_lines(1) or holder.lines[0] != "holding":
                tally.fail("crash", f"trial {trial}: holder did not start: {holder.stderr()!r}")
                continue
            if trial % 2:
                (folder / "vault.lock").unlink()  # deleting the lock file lets nobody in
            live = run(cli_cmd("verify", folder, "--passphrase-stdin"), stdin=PASSPHRASE + "\n")
            if live.code != 4 or one_clear_line(live) or "already open" not in live.err:
                tally.fail(
                    "crash", f"trial {trial}: second instance: exit {live.code} {live.err!r}"
                )
            try:
                with opened(folder):
                    tally.fail("damaged", f"trial {trial}: a second writer was let in")
            except VaultError as exc:
                if "already open" not in exc.message:
                    tally.fail("crash", f"trial {trial}: unclear refusal: {exc.message}")
        finally:
            holder.kill()
            holder.finish()
        after = run(cli_cmd("verify", folder, "--passphrase-stdin"), stdin=PASSPHRASE + "\n")
        if after.code != 0:
            tally.fail("damaged", f"trial {trial}: stale lock blocks the next start: {after.err!r}")
    return tally
