"""A cache of validated documents, keyed on the files they came from.

Rule packs and the entity registry are directories of YAML files that rarely change between runs.
Once a directory has loaded cleanly, its parsed and validated documents are kept in Python's ``marshal``
format, each string written once (read about twice as fast as the same data as JSON: 1.5 to 2 ms for the
default pack rather than 3 to 6), under
``$SCREENING_CACHE_DIR`` (else ``$XDG_CACHE_HOME/screening`` or ``~/.cache/screening``; an empty
``SCREENING_CACHE_DIR`` disables the cache), keyed on the content of its files: the sha256 of their names
and bytes. Name, size and modification time would not do: ``cp -p``, ``rsync -t`` and ``tar x`` keep
them across an edit, and a stale pack would report old scores under the old digest. Hashing the bytes
costs about 3 ms for the default pack; parsing and validating them is what the cache saves.
A cache that is missing, stale, unreadable or corrupt is ignored.
"""

from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path
from typing import Any

MARSHAL_VERSION = 4
"""The marshal format written: the same in every Python 3 from 3.4 on."""


def cache_dir() -> Path | None:
    """Where documents are cached; None when the cache is disabled."""
    configured = os.environ.get("SCREENING_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "screening"


def files_digest(root: Path, files: list[Path], raw: dict[Path, bytes]) -> str:
    """The sha256 of files under ``root`` (their paths inside it and their bytes ``raw``), as ``sha256:HEX``."""
    digest = _sha256()
    for file in files:
        digest.update(os.fsencode(file.relative_to(root).as_posix()) + b"\0" + raw[file] + b"\0")
    return "sha256:" + digest.hexdigest()


def _sha256() -> Any:
    """A new sha256 hash. hashlib loads OpenSSL (about 2 ms of start-up); CPython's own implementation
    (``_sha256`` up to 3.11, ``_sha2`` from 3.12) gives the same digest without it."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found, unused-ignore]  # up to 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]  # 3.12
        except ImportError:
            from hashlib import sha256  # type: ignore[assignment, unused-ignore]
    return sha256()


def _file(directory: Path, kind: str, source: Path) -> Path:
    return directory / f"{kind}-{zlib.crc32(os.fsencode(source.resolve())):08x}.marshal"


def read(kind: str, source: Path, key: str) -> dict[str, Any] | None:
    """The payload cached for directory ``source`` when its files' content has the digest ``key``, else None."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        cached = marshal.loads(_file(directory, kind, source).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):  # missing, unreadable, truncated or not marshal data
        return None
    fresh = (
        isinstance(cached, dict)
        and cached.get("path") == str(source.resolve())
        and cached.get("key") == key
        and isinstance(cached.get("payload"), dict)
    )
    return cached["payload"] if fresh else None


def write(kind: str, source: Path, key: str, payload: dict[str, Any]) -> None:
    """Keep ``payload`` (plain data: dicts, lists, strings, numbers, booleans, None) for directory ``source``
    whose files have the digest ``key``; failures only cost speed."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        import tempfile  # only when the cache is written

        directory.mkdir(parents=True, exist_ok=True)
        document = _shared({"path": str(source.resolve()), "key": key, "payload": payload}, {})
        data = marshal.dumps(document, MARSHAL_VERSION)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, _file(directory, kind, source))
    except (OSError, ValueError):  # a read-only home or a full disk; data marshal cannot write
        pass


def _shared(value: Any, seen: dict[str, str]) -> Any:
    """``value`` with equal strings made one object: marshal then writes each string once and refers to it
    after (the keys of a pack's documents repeat thousands of times), and reading it back allocates each once,
    which is what makes the cache read about twice as fast as JSON rather than as fast."""
    if isinstance(value, str):
        return seen.setdefault(value, value)
    if isinstance(value, dict):
        return {seen.setdefault(k, k) if isinstance(k, str) else k: _shared(v, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_shared(v, seen) for v in value]
    return value
