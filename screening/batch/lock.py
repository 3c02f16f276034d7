"""One run at a time on a results file: an exclusive lock, held from before the results are touched to the end.

Two runs appending to the same results (a ``--resume`` started while another runs) would write rows twice,
and a ``--force`` run would delete the rows of the other, which would still report success. The lock is
``flock`` on a file beside the results, ``.NAME.lock``: the kernel releases it when its holder ends, even
when killed, so a lock file left behind by a killed run is simply taken by the next one.
"""

from __future__ import annotations

import os
from pathlib import Path

from screening.infra.errors import fail


def lock_path(results: Path) -> Path:
    """The lock file of ``results``."""
    return results.with_name(f".{results.name}.lock")


def acquire(results: Path, shown: str = "") -> int | None:
    """Lock ``results`` for this run and return the lock's descriptor (None where ``flock`` does not exist).

    Raises E403 at once, naming the file, when another run holds the lock; ``shown`` is the results' name as
    the user gave it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return None
    shown = shown or str(results)
    path = lock_path(results)
    while True:
        try:
            # O_NOFOLLOW: a link planted under the lock's name must not make this open (or create) another file
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise fail(shown, "E401", f"cannot lock the results: cannot create {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise fail(
                shown,
                "E403",
                f"another run is writing these results (it holds the lock {path}); wait for "
                "it to end, or write to another file",
            ) from None
        except OSError as exc:
            os.close(fd)
            raise fail(shown, "E401", f"cannot lock the results ({path}): {exc.strerror}") from None
        try:
            held, now = os.fstat(fd), os.stat(path)
            if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the run before removed the file between our open and our lock: lock the new one


def release(results: Path, fd: int | None) -> None:
    """Remove the lock file, then unlock: a run that opened the file just before sees it is gone, and locks a new
    one."""
    if fd is None:
        return
    try:
        lock_path(results).unlink(missing_ok=True)
    finally:
        os.close(fd)
