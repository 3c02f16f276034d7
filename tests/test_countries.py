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
