"""Country codes: ISO 3166-1 alpha-2 and FollowTheMoney's own territory codes."""

from __future__ import annotations

import pytest

from screening.case import countries


@pytest.mark.parametrize("code", ["ru", "RU", "xk", "suhh", "SUHH", "csxx", "dd", "ua-cri", "x-so", "zz", "eu"])
def test_codes_of_followthemoney_are_known(code):
    assert countries.is_ftm_country(code)


@pytest.mark.parametrize(
    "code",
    ["", "qq", "uk", "rus", "ddde", "ge-so", "gb-eng", "x-eu", " ru", "su", "\u0131t", "\ufb05", "su\u0307hh"],
)
def test_other_codes_are_not(code):
    assert not countries.is_ftm_country(code)


def test_the_territories_are_those_of_followthemoney_beyond_iso():
    """FollowTheMoney reads its country codes from rigour (``rigour.territories.get_ftm_countries``); when rigour
    is installed (the ``names`` extra), its codes beyond ISO 3166-1 are ``FTM_TERRITORIES``, no more, no less."""
    territories = pytest.importorskip("rigour.territories")
    theirs = {t.code: t.name for t in territories.get_ftm_countries()}
    iso = {code.lower() for code in countries.names()}
    assert iso <= set(theirs)
    assert {c: n for c, n in theirs.items() if c not in iso} == countries.FTM_TERRITORIES


def test_the_related_countries_are_those_of_rigour_with_its_two_amendments():
    """``RELATED`` is rigour's parents, claims and successors (followed through), both ways, between a
    FollowTheMoney code and an ISO country; amended: Serbia and Montenegro among Yugoslavia's successors, where
    rigour 2.6.1 names Czechoslovakia (a slip), and the Union with its 27 member states."""
    territories = pytest.importorskip("rigour.territories")
    ftm = {t.code for t in territories.get_ftm_countries()}
    iso = set(countries.names())
    related: dict[str, set[str]] = {}

    def successors(t, seen):
        for s in t.successors:
            if (t.code, s.code) == ("yucs", "cshh"):
                s = territories.get_territory("csxx")
            if s.code not in seen:
                seen.add(s.code)
                yield s
                yield from successors(s, seen)

    for t in territories.get_territories():
        if t.code not in ftm:
            continue
        for other in [*([t.parent] if t.parent else []), *t.claims, *successors(t, set())]:
            for a, b in ((t.code, other.code), (other.code, t.code)):
                if a in ftm and b.upper() in iso and a != b:
                    related.setdefault(a.upper(), set()).add(b.upper())
    members = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"}
    members |= {"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
    assert {t.code.upper() for t in territories.get_territory("eu").see} | {"CZ"} == members
    related["EU"] = members
    assert {code: set(them) for code, them in countries.RELATED.items()} == related
    assert all(list(them) == sorted(them) for them in countries.RELATED.values())


@pytest.mark.parametrize(
    "country, listed, relation",
    [
        ("RU", ("RU", "SUHH"), "same"),
        ("RU", ("SUHH",), "overlap"),
        ("LT", ("SUHH", "DE"), "overlap"),
        ("US", ("SUHH",), "differ"),
        ("US", ("ZZ",), None),
        ("US", (), None),
        ("US", ("ZZ", "CN"), "differ"),
        ("MO", ("CN",), "overlap"),
        ("CN", ("MO",), "overlap"),
        ("HK", ("MO",), "differ"),  # two parts of one state are not each other
    ],
)
def test_overlap(country, listed, relation):
    assert countries.overlap(country, listed) == relation


def test_the_country_names_file_is_what_rigour_gives():
    """``country-names.json`` is written from rigour's territories by scripts/country_names.py; when rigour is
    installed, the file must be what the script writes now (a newer rigour with more spellings fails here:
    run the script)."""
    pytest.importorskip("rigour.territories")
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "country_names.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "text, key",
    [
        ("Côte d’Ivoire", "cote d ivoire"),
        ("  COTE-D'IVOIRE ", "cote d ivoire"),
        ("St. Kitts & Nevis", "saint kitts and nevis"),
        ("Türkiye", "turkiye"),
        ("香港", "香港"),
        ("", ""),
    ],
)
def test_name_key(text, key):
    assert countries.name_key(text) == key


def test_the_variants_are_keyed_as_names_are_and_agree_with_the_shipped_table():
    known = countries._known_names()
    for key, code in countries.VARIANTS.items():
        assert countries.name_key(key) == key and countries.is_country(code), key
        assert known.get(key, code) == code, key  # never a second answer for a name the table holds
