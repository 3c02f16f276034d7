"""Write output files safely; every file the tool writes goes through here.

A regular file (or a new one) is replaced atomically: a reader sees the old file or the complete new
one, never a part. A character device or a FIFO is written directly, since renaming a file over it would
replace the device node or the pipe with a regular file. A symbolic link is followed and its target
written, never the link replaced; the caller is told, to say so. A link to one of the process's own
descriptors (``/dev/stdout``, ``/dev/fd/1``) is that descriptor, written as it is. Nothing else (a
directory, a block device, a socket) is written to at all.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from screening.infra.errors import fail


class Destination(NamedTuple):
    """Where writing to a path the user named goes."""

    path: Path
    """The file written: the target of ``named`` when it is a symbolic link, else ``named`` itself."""
    named: Path
    """The path as given."""
    stream: bool = False
    """A character device or a FIFO, written directly (never replaced, never synced)."""
    fd: int | None = None
    """A descriptor of this process that ``named`` stands for (``/dev/stdout`` is ``/proc/self/fd/1``): written
    through as it is, so that ``-o /dev/stdout >> log`` appends as the shell would."""

    @property
    def note(self) -> str:
        """What the user should be told about where the output went: empty unless a link was followed."""
        return f"{self.named} is a symbolic link: wrote its target {self.path}" if self.path != self.named else ""


def destination(path: Path) -> Destination:
    """Where writing to ``path`` goes; ScreeningError (E401) for anything that cannot take a file's text."""
    name = str(path)
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return Destination(path, path)  # a new file
    except OSError as exc:
        raise fail(name, "E401", f"cannot write output: {exc.strerror}") from None
    real = path
    if stat.S_ISLNK(found.st_mode):
        fd = own_descriptor(path)
        if fd is not None:
            return Destination(path, path, stream=True, fd=fd)
        real = Path(os.path.realpath(path))
        try:
            found = os.stat(real)
        except FileNotFoundError:
            return Destination(real, path)  # a link to a file not yet there: created, as a shell would
        except OSError as exc:  # a loop of links, a target that cannot be reached
            raise fail(name, "E401", f"cannot write output: {exc.strerror}") from None
    mode = found.st_mode
    if stat.S_ISREG(mode):
        if not os.access(real, os.W_OK):
            raise fail(name, "E401", "cannot write output: permission denied (the file is read-only)")
        return Destination(real, path)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Destination(real, path, stream=True)
    what = (
        "a directory, not a file (an empty -o names the current directory)"
        if stat.S_ISDIR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a file"
    )
    raise fail(name, "E401", f"cannot write output: {real if real != path else 'this'} is {what}")


_FD = re.compile(r"/(?:proc/(self|[0-9]+)|dev)/fd/([0-9]+)")


def own_descriptor(path: Path) -> int | None:
    """The descriptor of this process that ``path`` names through its links (``/dev/stdout`` links to
    ``/proc/self/fd/1``), if it names one."""
    probe = str(path)
    for _ in range(40):  # as many links as the system follows
        match = _FD.fullmatch(probe)
        if match and match.group(1) in (None, "self", str(os.getpid())):
            return int(match.group(2))
        try:
            probe = os.path.normpath(os.path.join(os.path.dirname(probe), os.readlink(probe)))
        except OSError:
            return None
    return None


def write_atomic(path: Path, text: str, inputs: Iterable[Path] = ()) -> Destination:
    """Write ``text`` (UTF-8) to ``path``: a regular file through a temporary file in the same directory,
    renamed into place; a device or FIFO directly; a symbolic link's target. Refuses (E402) a ``path`` that
    is one of ``inputs`` (or a YAML file under an input directory), and reports a failed write (a full disk)
    as E401, leaving the old file as it was."""
    where = destination(path)
    refuse_inputs(where.path, inputs, str(path))
    # A lone surrogate can only come from a file name that is not UTF-8: it is written as an escape.
    data = text.encode("utf-8", "backslashreplace")
    try:
        if where.fd is not None:
            write_all(where.fd, data)
        elif where.stream:
            _write_through(where.path, data)
        else:
            _replace(where.path, data)
    except BrokenPipeError:  # the reader of a pipe went away: the caller decides (a CLI stops quietly)
        raise
    except OSError as exc:
        raise fail(str(path), "E401", f"cannot write output: {exc.strerror or exc}") from None
    return where


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (a write may take only a part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_through(path: Path, data: bytes) -> None:
    # No O_CREAT, no O_TRUNC: if the path became a regular file since it was looked at, nothing is cut.
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            fd = -1
            _replace(path, data)
            return
        write_all(fd, data)
    finally:
        if fd >= 0:
            os.close(fd)


def _mode(path: Path) -> int:
    """The permissions ``path`` has, or those a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _replace(path: Path, data: bytes) -> None:
    with replacing(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A new temporary file beside ``path`` for the block to write; when the block ends, the file is synced
    and renamed over ``path`` (a regular file, or none yet). On any error it is removed, and ``path`` is left
    as it was."""
    import tempfile

    directory = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, _mode(path))  # mkstemp makes the file private; a report gets the usual permissions
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def refuse_inputs(output: Path, inputs: Iterable[Path], name: str = "") -> None:
    """Raise E402 when ``output`` is the same file (same device and inode) as one of ``inputs``, or as a
    YAML file under an input directory: writing would destroy the input. Nothing is looked at when
    ``output`` does not exist yet. ``name`` is the output as the user named it (default: ``output``)."""
    try:
        found = os.stat(output)
    except OSError:
        return
    if not stat.S_ISREG(found.st_mode):
        return
    key = (found.st_dev, found.st_ino)
    for given in inputs:
        for file in _files(given):
            try:
                other = os.stat(file)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == key:
                name = name or str(output)
                same = "" if str(file) == name else f" ({file})"
                raise fail(
                    name,
                    "E402",
                    f"the output is also an input{same}: writing it would destroy "
                    "the input; nothing was written: name another output file",
                )


def _files(path: Path) -> Iterator[Path]:
    """``path``, or the YAML files under it when it is a directory (symbolic links followed, each
    directory once)."""
    if not path.is_dir():
        yield path
        return
    seen: set[tuple[int, int]] = set()
    for root, dirs, names in os.walk(path, followlinks=True):
        here = os.stat(root)
        if (here.st_dev, here.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((here.st_dev, here.st_ino))
        yield from (Path(root, n) for n in names if n.lower().endswith((".yaml", ".yml")))
