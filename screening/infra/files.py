"""Open and read input files: regular files only, within a byte budget, and within a root when one is set.

A rule pack may come with a pull request from a stranger: a path it names (a pack file that is a link, a
test's ``case:``) must not lead the command to read, and then quote, a file outside the pack or the
repository, such as a credential. ``confine`` refuses such a path before anything is read.

``stat`` reports a size of 0 for ``/dev/zero``, a FIFO or a terminal, so a size checked before reading
bounds nothing: such a file would be read without end or block the command forever. Every input is
therefore opened without blocking, refused unless it is a regular file (stdin, named ``/dev/stdin``,
is the exception: the user pipes it on purpose), and read up to its budget and one byte more.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from screening.infra.errors import fail

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _what(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _is_stdin(st: os.stat_result) -> bool:
    try:
        return os.path.samestat(st, os.fstat(0))
    except OSError:
        return False


def confine(path: Path, root: Path, what: str) -> Path:
    """``path`` when it leads, links followed, to a place inside ``root`` (called ``what`` in the message) and
    not into a ``.git`` directory (whose config can hold a token); else a located error (E003), unread."""
    try:
        resolved = path.resolve()
        root = root.resolve()
    except (OSError, RuntimeError):  # a loop of links
        raise fail(
            str(path), "E003", f"refused, unread: it cannot be resolved (a loop of links) inside {what}"
        ) from None
    if not resolved.is_relative_to(root):
        raise fail(str(path), "E003", f"refused, unread: it leads outside {what} ({root}), by '..' or a link")
    if ".git" in resolved.relative_to(root).parts:
        raise fail(str(path), "E003", "refused, unread: it leads into a .git directory")
    return path


def _open_fd(path: Path) -> tuple[int, os.stat_result]:
    """A file descriptor open on ``path`` and its status; a located error (E001) when it is missing,
    unreadable or not a regular file (a FIFO, a device, a socket, a directory), without ever blocking on it."""
    name = str(path)
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a character device
        if stat.S_ISDIR(st.st_mode):
            raise fail(name, "E001", "expected a file, found a directory")
        if not stat.S_ISREG(st.st_mode) and not _is_stdin(st):
            raise fail(
                name, "E001", f"not a regular file ({_what(st.st_mode)}): refused, as it could block or never end"
            )
        # O_NONBLOCK: were the file swapped for a FIFO since the stat, opening it must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise fail(name, "E001", "file not found") from None
    except NotADirectoryError:
        raise fail(name, "E001", "file not found (a part of the path is not a directory)") from None
    except OSError as exc:
        raise fail(name, "E001", f"cannot read file: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            if not _is_stdin(st):
                raise fail(
                    name, "E001", f"not a regular file ({_what(st.st_mode)}): refused, as it could block or never end"
                )
            os.set_blocking(fd, True)  # stdin is read to its end, as the user asked
        return fd, st
    except BaseException:
        os.close(fd)
        raise


def open_input(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary; a located error (E001) when it is missing, unreadable or not a
    regular file (a FIFO, a device, a socket, a directory), without ever blocking on it."""
    return os.fdopen(_open_fd(path)[0], "rb")


def read_input(path: Path, limit: int, setting: str = "SCREENING_MAX_BYTES") -> bytes:
    """The bytes of ``path``, at most ``limit`` of them: a larger file is a located error (E111) naming
    ``setting``, found by reading one byte more than the budget, never the whole file."""
    name = str(path)
    fd, st = _open_fd(path)
    try:
        if st.st_size > limit:
            raise fail(name, "E111", f"file of {st.st_size:,} bytes is larger than the limit of {limit:,} ({setting})")
        chunks, total = [], 0
        while total <= limit and (chunk := os.read(fd, min(limit + 1 - total, max(st.st_size + 1, 1 << 16)))):
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise fail(name, "E001", f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise fail(name, "E111", f"file larger than the limit of {limit:,} bytes ({setting})")
    return data
