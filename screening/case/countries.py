"""ISO 3166-1 country codes, read from pycountry's database without importing pycountry.

Importing pycountry costs about 80 ms (it loads package metadata); reading its JSON file
directly costs about 1 ms, which keeps the CLI's start-up fast.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from screening.case.catalogue import EU_MEMBERS
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
mapped onto an ISO country by this list: ``RELATED`` says which countries each overlaps (tests/test_countries.py
checks the list against rigour when it is installed)."""

RELATED: dict[str, tuple[str, ...]] = {
    "AC": ("SH",),
    "AR": ("FK", "GS"),
    "AS": ("US",),
    "AU": ("CC", "CX", "HM"),
    "AW": ("NL",),
    "AZ-NK": ("AM", "AZ"),
    "BL": ("FR",),
    "BQ": ("NL",),
    "BV": ("NO",),
    "CC": ("AU",),
    "CN": ("HK", "MO", "TW"),
    "CN-XZ": ("CN",),
    "CP": ("PF",),
    "CQ": ("GG",),
    "CSHH": ("CZ", "SK"),
    "CSXX": ("ME", "RS"),
    "CW": ("NL",),
    "CX": ("AU",),
    "CY-TRNC": ("CY", "TR"),
    "DD": ("DE",),
    "DG": ("IO",),
    "DK": ("FO", "GL"),
    "EH": ("MA",),
    "ES": ("GI",),
    "EU": tuple(sorted(EU_MEMBERS)),
    "FK": ("AR",),
    "FO": ("DK",),
    "FR": ("BL", "GF", "GP", "MF", "MQ", "NC", "PF", "PM", "RE", "TF", "YT"),
    "GB": ("IO",),
    "GB-NIR": ("GB", "IE"),
    "GB-SCT": ("GB",),
    "GB-WLS": ("GB",),
    "GE-AB": ("GE", "RU"),
    "GF": ("FR",),
    "GI": ("ES",),
    "GL": ("DK",),
    "GP": ("FR",),
    "GS": ("AR",),
    "GU": ("US",),
    "HK": ("CN",),
    "HM": ("AU",),
    "IC": ("ES",),
    "IO": ("GB",),
    "IQ-KR": ("IQ",),
    "MA": ("EH",),
    "MD-PMR": ("MD", "RU"),
    "MF": ("FR",),
    "MO": ("CN",),
    "MP": ("US",),
    "MQ": ("FR",),
    "NC": ("FR",),
    "NL": ("AW", "BQ", "CW", "SX"),
    "NO": ("BV", "SJ"),
    "NZ": ("TK",),
    "PF": ("FR",),
    "PK-KM": ("IN", "PK"),
    "PM": ("FR",),
    "PR": ("US",),
    "RE": ("FR",),
    "RS": ("XK",),
    "SJ": ("NO",),
    "SO-SOM": ("SO",),
    "SUHH": ("AM", "AZ", "BY", "EE", "GE", "KG", "KZ", "LT", "LV", "MD", "RU", "TJ", "UA", "UZ"),
    "SX": ("NL",),
    "TA": ("SH",),
    "TF": ("FR",),
    "TK": ("NZ",),
    "TW": ("CN",),
    "UA-CRI": ("RU", "UA"),
    "UA-DPR": ("RU", "UA"),
    "UA-LPR": ("RU", "UA"),
    "UM": ("US",),
    "US": ("AS", "GU", "MP", "PR", "UM"),
    "X-SO": ("GE", "RU"),
    "XK": ("RS",),
    "YT": ("FR",),
    "YUCS": ("BA", "HR", "ME", "MK", "RS", "SI", "XK"),
    "ZR": ("CD",),
}
"""For a FollowTheMoney country code (upper case), the countries (ISO 3166-1 and ``XK``) whose territory it
overlaps, from rigour 2.6.1's territories, which FollowTheMoney reads:

* a territory and the state it is part of (``parent``: HK and CN, GB-SCT and GB, UA-CRI and UA) or that claims
  it (``claims``: UA-CRI and RU, XK and RS, TW and CN), as FollowTheMoney compares countries
  (``rigour.territories.territories_intersect``);
* a state and the states that succeeded it (``successors``, followed through: SUHH and RU, DD and DE, ZR and CD,
  YUCS and RS through CSXX);
* the European Union and its 27 member states.

Both ways: HK lists CN and CN lists HK. Two amendments to rigour 2.6.1's data: it names Czechoslovakia (CSHH)
among Yugoslavia's successors, read here as a slip for Serbia and Montenegro (CSXX); and the Union's member
states are not among its relations there (its ``see`` list lacks CZ), so they are given here. tests/test_countries.py
derives the table from rigour when it is installed and compares."""

UNLOCATED = frozenset({"ZZ", "UN", "IP"})
"""FollowTheMoney codes that place an entry in no country: Global, the United Nations, Cyberspace."""


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
    """The code of the country whose English name ``text`` is, or is nearest to (``Germany``, ``germny``,
    ``Untied States``, ``Trinidad & Tobgo``), compared as ``name_key`` keys names; None when no name is near."""
    by_key = {name_key(name): code for code, name in names().items()}
    match = closest(name_key(text), list(by_key), 0.8)
    return by_key[match] if match else None


def overlap(country: str, listed: Iterable[str]) -> str | None:
    """How an entity's country (ISO 3166-1 upper case) stands to the countries of a list entry (FollowTheMoney
    codes, upper case): ``"same"`` when ``listed`` holds it; ``"overlap"`` when a code of ``listed`` is
    ``RELATED`` to it (an entity in RU, an entry in SUHH); ``"differ"`` when ``listed`` places the entry in
    other countries only; None when it places the entry in no country (empty, or only ``UNLOCATED`` codes)."""
    located = [code for code in listed if code not in UNLOCATED]
    if not located:
        return None
    if country in located:
        return "same"
    if any(country in RELATED.get(code, ()) for code in located):
        return "overlap"
    return "differ"


def name_key(text: str) -> str:
    """A country name as ``country-names.json`` keys it: accents dropped, case folded, punctuation a space,
    spaces squashed, ``&`` read as ``and`` and ``St`` as ``Saint`` (``Côte d'Ivoire``, ``COTE D IVOIRE``:
    ``cote d ivoire``; ``Trinidad & Tobago``: ``trinidad and tobago``). Other scripts keep their letters."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", plain.casefold().replace("&", " and ")).split()
    return " ".join("saint" if word == "st" else word for word in words)


@cache
def _known_names() -> dict[str, str]:
    return dict(json.loads((Path(__file__).parent / "country-names.json").read_text("utf-8")))


VARIANTS = {
    # The World Bank's country names (World Development Indicators), which many datasets carry
    "korea rep": "KR",
    "korea dem people s rep": "KP",
    "iran islamic rep": "IR",
    "egypt arab rep": "EG",
    "yemen rep": "YE",
    "venezuela rb": "VE",
    "lao pdr": "LA",
    "micronesia fed sts": "FM",
    "congo dem rep": "CD",
    "congo rep": "CG",
    "hong kong sar china": "HK",
    "macao sar china": "MO",
    "west bank and gaza": "PS",
    "virgin islands u s": "VI",
    "saint martin french part": "MF",
    # as deal databases and news write them
    "hong kong china": "HK",
    "macao china": "MO",
    "macau china": "MO",
    "taiwan china": "TW",
    "mainland china": "CN",
    "prc": "CN",
    "p r china": "CN",
    "p r c": "CN",
    "korea dpr": "KP",
    "russian fed": "RU",
    "macedonia": "MK",  # the country's short name until 2019; a country column never means the Greek region
}
"""Country names that are neither pycountry's nor among rigour's strong names, keyed as ``name_key`` keys them,
each of one country only: the World Bank's forms (``Korea, Rep.``, ``Egypt, Arab Rep.``, ``Congo, Dem. Rep.``)
and a few that deal tables write (``Mainland China``, ``PRC``, ``Hong Kong, China``)."""


def by_name(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code (or XK) of a country's name in any of the spellings FollowTheMoney knows
    (``country-names.json``, from rigour: Turkey, Türkiye, Ivory Coast, Burma, Hong Kong SAR, England) or
    ``VARIANTS`` holds (``Korea, Rep.``); also written with its parts turned round (``Korea, South``, ``Korea
    (South)`` and ``Gambia, The`` as ``South Korea`` and ``The Gambia``) or as dotted initials (``U.A.E.``).
    None for a name it does not hold (a contested territory, a name two countries share)."""
    known = _known_names()
    key = name_key(text)
    for candidate in (key, *_turned(text)):
        found = known.get(candidate) or VARIANTS.get(candidate)
        if found:
            return found
    return None


def _turned(text: str) -> list[str]:
    """Other keys of a name: ``A, B`` and ``A (B)`` as ``B A`` (and without a leading ``the``), dotted initials
    run together (``U.A.E.``: ``uae``)."""
    out = []
    inverted = re.fullmatch(r"\s*([^,()]+?)\s*(?:,\s*([^,()]+?)|\(\s*([^,()]+?)\s*\))\s*", text)
    if inverted:
        head, tail = inverted.group(1), inverted.group(2) or inverted.group(3)
        turned = name_key(f"{tail} {head}")
        out += [turned, turned.removeprefix("the ")]
    words = name_key(text).split()
    if len(words) > 1 and all(len(word) == 1 for word in words):
        out.append("".join(words))
    return out
