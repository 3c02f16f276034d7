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
FTM_TERRITORIES = {
    "ac": "Ascension Island",
    "az-nk": "Artsakh",
    "cn-xz": "Tibet",
    "cp": "Clipperton Island",
    "cq": "Sark",
    "cshh": "Czechoslovakia",
    "csxx": "Serbia and Montenegro",
    "cy-trnc": "Northern Cyprus",
    "dd": "East Germany",
    "dg": "Diego Garcia",
    "eu": "European Union",
    "gb-nir": "Northern Ireland",
    "gb-sct": "Scotland",
    "gb-wls": "Wales",
    "ge-ab": "Abkhazia (Occupied Georgia)",
    "ic": "Canary Islands",
    "ip": "Cyberspace",
    "iq-kr": "Kurdistan",
    "md-pmr": "Transnistria",
    "pk-km": "Kashmir",
    "so-som": "Somaliland",
    "suhh": "Soviet Union",
    "ta": "Tristan da Cunha",
    "ua-cri": "Crimea (Occupied Ukraine)",
    "ua-dpr": "Donetsk (Occupied Ukraine)",
    "ua-lpr": "Luhansk (Occupied Ukraine)",
    "un": "United Nations",
    "x-so": "South Ossetia (Occupied Georgia)",
    "yucs": "Yugoslavia",
    "zr": "Zaire",
    "zz": "Global",
}
"""The country codes of FollowTheMoney (the values its ``country`` type accepts) that are not ISO 3166-1 alpha-2
(nor ``XK``), with their names: the territories of ``rigour.territories.get_ftm_countries`` in rigour 2.6.1,
which FollowTheMoney's ``CountryType`` reads. Historical states, regions and contested territories; none is
mapped onto an ISO country here (tests/test_countries.py checks the list against rigour when it is installed)."""


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


def is_ftm_country(code: str) -> bool:
    """True for a country code of FollowTheMoney in any case: ISO 3166-1 alpha-2 (``ru``) or one of its own
    territories (``suhh``, ``ua-cri``: ``FTM_TERRITORIES``). ASCII only: ``"ıt".upper()`` is ``IT``."""
    return code.isascii() and (code.upper() in names() or code.lower() in FTM_TERRITORIES)


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
