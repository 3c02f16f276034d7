"""Read watchlist files as streams, within limits of their own.

A watchlist is a trusted bulk list, not a hostile case file: an OpenSanctions export in
FollowTheMoney JSON lines runs to hundreds of megabytes and a million entities, far past the size
limit of a case (``SCREENING_MAX_BYTES``). Its CSV and JSON-lines files are therefore read line by line
up to ``SCREENING_MAX_WATCHLIST_BYTES`` (default 4,000,000,000 bytes), and what still matters for a list
holds: only regular files are read (a FIFO or ``/dev/zero`` is refused unread, E001), a file over the
limit is refused before it is read (E111), no line may pass ``SCREENING_MAX_BYTES`` (E111, located; it
is skipped unread past the limit, so memory stays bounded whatever one line holds), and a line that
is not UTF-8 is located (E002). YAML lists are small and keep the limits of every other input.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from screening.infra.errors import Problem, ScreeningError, fail
from screening.infra.files import open_input
from screening.infra.yamlio import decode, limits

DEFAULT_LIMIT = 4_000_000_000
"""Bytes a CSV or JSON-lines watchlist may hold unless ``SCREENING_MAX_WATCHLIST_BYTES`` says otherwise."""
SETTING = "SCREENING_MAX_WATCHLIST_BYTES"


def watchlist_limit() -> int:
    """The size limit of a CSV or JSON-lines watchlist: ``SCREENING_MAX_WATCHLIST_BYTES`` or the default."""
    raw = os.environ.get(SETTING)
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
    if not digits or len(digits) > 19:
        raise fail(SETTING, "E106", f"environment variable {SETTING} must be a positive whole number, not {raw[:30]!r}")
    return int(digits)


def open_list(path: Path) -> BinaryIO:
    """``path`` open for streaming: a regular file within the watchlist limit, else a located error."""
    limit = watchlist_limit()
    handle = open_input(path)
    size = os.fstat(handle.fileno()).st_size
    if size > limit:
        handle.close()
        raise fail(str(path), "E111", f"file of {size:,} bytes is larger than the limit of {limit:,} ({SETTING})")
    return handle


def lines(handle: BinaryIO, name: str, problems: list[Problem]) -> Iterator[tuple[int, str]]:
    """``(line number, text with its line break)`` of each line; CR, LF and CRLF end lines, a leading
    byte-order mark is dropped. A line longer than ``SCREENING_MAX_BYTES`` or not UTF-8 is a problem
    added to ``problems`` and is skipped. Stops at the watchlist limit (E111), should the file grow."""
    line_limit = limits().max_bytes
    total_limit = watchlist_limit()
    number, total = 0, 0
    while True:
        raw = handle.readline(line_limit + 1)
        if not raw:
            return
        total += len(raw)
        if total > total_limit:
            problems.append(
                Problem(name, number + 1, None, "E111", f"file larger than the limit of {total_limit:,} ({SETTING})")
            )
            return
        if len(raw) > line_limit and not raw.endswith(b"\n"):
            problems.append(
                Problem(
                    name,
                    number + 1,
                    1,
                    "E111",
                    f"line longer than the limit of {line_limit:,} bytes (SCREENING_MAX_BYTES); skipped",
                )
            )
            while raw and not raw.endswith(b"\n"):  # the rest of the line, read in bounded pieces
                raw = handle.readline(1 << 20)
                total += len(raw)
            number += 1
            continue
        if number == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = decode(raw, name)
        except ScreeningError as exc:
            problems.extend(p._replace(line=number + (p.line or 1)) for p in exc.problems)
            number += raw.count(b"\n") or 1
            continue
        for part in io.StringIO(text, newline="") if "\r" in text else (text,):
            number += 1
            yield number, part
