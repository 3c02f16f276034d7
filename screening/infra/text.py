"""Numbers and words as every output writes them, and text made safe to print on one line.

One home for the small vocabulary of output: a number as JSON holds it and as text shows it, a count with
its noun, and a line of input shown on a terminal with what it would obey written as escapes.
"""

from __future__ import annotations

from typing import Any

from screening.infra.visible import BIDI, HIDING, joiners


def number(x: float) -> int | float:
    """Integral floats as ints, others rounded to 2 decimals (stable text across platforms)."""
    return int(x) if float(x).is_integer() else round(x, 2)


def num(x: Any) -> str:
    """A number as every text writes it: whole numbers without a decimal point, others to at most two decimals
    (``25``, ``24.99``, ``0.5``; 24.999 is ``25``); anything else as text."""
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return str(x)
    shown = number(x)
    return str(int(shown)) if isinstance(shown, float) and shown.is_integer() else str(shown)


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 file``, ``2 files`` (``words``: the plural, when it is not ``word`` + s)."""
    return f"{n} {word if n == 1 else words or word + 's'}"


_CONTROL = (
    {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
    | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}
    | {ord(c): f"\\u{ord(c):04x}" for c in BIDI + HIDING}
)


def printable(text: str) -> str:
    """``text`` on one line with control characters, bidirectional overrides and invisible characters
    written as escapes (screening.infra.visible), safe to print on a terminal."""
    return joiners(text.translate(_CONTROL))
