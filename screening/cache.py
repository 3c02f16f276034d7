"""A cache of validated documents, keyed on the files they came from.

Rule packs and the entity registry are directories of YAML files that rarely change between runs.
Once a directory has loaded cleanly, its parsed and validated documents are kept as JSON under
``$SCREENING_CACHE_DIR`` (else ``$XDG_CACHE_HOME/screening`` or ``~/.cache/screening``; an empty
``SCREENING_CACHE_DIR`` disables the cache), keyed on each file's name, size and modification time, as
Python keys its bytecode. A cache that is missing, stale, unreadable or corrupt is ignored.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any


def cache_dir() -> Path | None:
    """Where documents are cached; None when the cache is disabled."""
    configured = os.environ.get("SCREENING_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "screening"


def stamp(files: list[Path]) -> list[list[Any]]:
    """Name, size and modification time of each file: what the cache is keyed on."""
    return [[f.name, st.st_size, st.st_mtime_ns] for f in files for st in (f.stat(),)]


def _file(directory: Path, kind: str, source: Path) -> Path:
    return directory / f"{kind}-{zlib.crc32(str(source.resolve()).encode()):08x}.json"


def read(kind: str, source: Path, files_stamp: list[list[Any]]) -> dict[str, Any] | None:
    """The payload cached for directory ``source`` when its files are unchanged, else None."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        cached = json.loads(_file(directory, kind, source).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    fresh = (isinstance(cached, dict) and cached.get("path") == str(source.resolve())
             and cached.get("stamp") == files_stamp and isinstance(cached.get("payload"), dict))
    return cached["payload"] if fresh else None


def write(kind: str, source: Path, files_stamp: list[list[Any]], payload: dict[str, Any]) -> None:
    """Keep ``payload`` (plain JSON data) for directory ``source``; failures only cost speed."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        import tempfile  # only when the cache is written

        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"path": str(source.resolve()), "stamp": files_stamp, "payload": payload}, handle)
        os.replace(tmp, _file(directory, kind, source))
    except OSError:  # a read-only home or a full disk
        pass
