"""Text as every output shows it: input made safe to show on a terminal, numbers, and counts with their nouns.

Text from inputs is made safe to show on a terminal: what a terminal would obey, or not show, is escaped.

A case, a rule pack, a registry, a watchlist, a mapping or a file name can hold control characters:
``ESC ] 52`` writes the clipboard, ``ESC ] 8`` makes a link, ``ESC [ 2J`` clears the screen,
``ESC [ 8m`` hides what follows, a bare carriage return overwrites the line. Bidirectional overrides
reorder what follows them; zero-width characters hide where one word ends. Every such character is
written as an escape (``\\x1b``, ``\\u202e``), so the text stays readable and nothing is obeyed. Line
breaks (``\\n``) stay line breaks in ``visible``; ``visible_line`` escapes them too. The Unicode line and
paragraph separators (U+2028, U+2029) are escaped by both: a terminal does not break a line there.
"""

from __future__ import annotations

import re
from typing import Any

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Bidirectional embeddings, overrides and isolates: they reorder the text after them."""
HIDING = "\u00ad\u034f\u115f\u1160\u180e\u200b\u2060\u2800\u3164\ufeff\uffa0"
"""Characters that print as nothing wherever they stand: soft hyphen, combining grapheme joiner, Hangul
fillers, Mongolian vowel separator, zero-width space, word joiner, blank Braille pattern, byte-order mark."""
_JOINER = re.compile(r"(?<=[\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f])")
"""Zero-width (non-)joiners beside an ASCII character, where they shape nothing and can only hide a
break (in Persian or Indic text, and in emoji, they stay)."""

_TABLE = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\n\t"}
_TABLE.update({ord(c): f"\\u{ord(c):04x}" for c in BIDI + HIDING})
_TABLE[ord("\t")] = " "
_TABLE.update({0x2028: "\\u2028", 0x2029: "\\u2029"})  # line and paragraph separators: no terminal breaks there
_LINE = {**_TABLE, ord("\n"): "\\n", 0x2028: "\\u2028", 0x2029: "\\u2029"}
_ANY = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f" + BIDI + HIDING + "\u200c\u200d\u2028\u2029\t]")
_PRINTABLE_HIDING = "".join(c for c in HIDING + "\u200c\u200d" if c.isprintable())
"""Of these, those Python calls printable (Hangul fillers, the blank Braille pattern ...)."""


def _clean(text: str) -> bool:
    """Nothing to escape: the usual case, told without a regular expression."""
    return text.isprintable() and not any(c in text for c in _PRINTABLE_HIDING)


def visible(text: str) -> str:
    """``text`` with what a terminal would obey or not show written as escapes; line breaks kept."""
    if _clean(text) or not _ANY.search(text):
        return text
    return joiners(text.replace("\r\n", "\n").translate(_TABLE))


def visible_line(text: str) -> str:
    """``visible``, on one line: line breaks written as ``\\n`` too."""
    if _clean(text) or not _ANY.search(text):
        return text
    return joiners(text.translate(_LINE))


def joiners(text: str) -> str:
    """Zero-width (non-)joiners beside an ASCII character written as escapes."""
    return _JOINER.sub(_escape, text) if "\u200c" in text or "\u200d" in text else text


def escapes(text: str) -> list[tuple[int, str]]:
    """Where ``visible`` changes ``text``: (index, what the character there becomes), in order."""
    out = []
    for m in _ANY.finditer(text):
        c, i = m.group(), m.start()
        if c == "\n":
            continue
        if c == "\r" and text.startswith("\n", i + 1):
            out.append((i, ""))
        elif c in "\u200c\u200d":
            if (i and text[i - 1].isascii()) or text[i + 1 : i + 2].isascii() and i + 1 < len(text):
                out.append((i, _escape(m)))
        else:
            out.append((i, _TABLE[ord(c)]))
    return out


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


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
    written as escapes (as ``visible_line``), safe to print on a terminal."""
    return joiners(text.translate(_CONTROL))
