"""ISO 3166-1 country codes, read from pycountry's database without importing pycountry.

Importing pycountry costs about 80 ms (it loads package metadata); reading its JSON file
directly costs about 1 ms, which keeps the CLI's start-up fast.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from screening.infra.errors import closest

# Codes that are not in ISO 3166-1 but are used in screening practice.
EXTRA = {"XK": "Kosovo"}
ALIASES = {"UK": "GB", "EL": "GR"}  # EU institutional usage differs from ISO for these two


@cache
def names() -> dict[str, str]:
    """Alpha-2 code -> English short name."""
    spec = find_spec("pycountry")
    if spec is None or spec.origin is None:  # pragma: no cover - pycountry is a dependency
        raise RuntimeError("pycountry is not installed")
    path = Path(spec.origin).parent / "databases" / "iso3166-1.json"
    rows = json.loads(path.read_text("utf-8"))["3166-1"]
    return {**{r["alpha_2"]: r.get("common_name", r["name"]) for r in rows}, **EXTRA}


def is_country(code: str) -> bool:
    """True for a valid upper-case alpha-2 code."""
    return code in names()


def name(code: str) -> str:
    """English name of a code, or the code itself when unknown."""
    return names().get(code, code)


def suggest(code: str) -> str:
    """A did-you-mean hint for an invalid code, or ''."""
    upper = code.upper()
    if upper in ALIASES:
        return f"use {ALIASES[upper]} ({name(ALIASES[upper])}), the ISO 3166-1 code"
    if upper in names():
        return f"write it in upper case: {upper}"
    meant = named(code)
    return f"did you mean {meant} ({names()[meant]})?" if meant else ""


def named(text: str) -> str | None:
    """The code of the country whose English name ``text`` is, or is nearest to (``Germany``, ``germny``: DE);
    None when no name is near."""
    by_name = {n.lower(): c for c, n in names().items()}
    match = closest(text.strip().lower(), list(by_name), 0.8)
    return by_name[match] if match else None
