"""The EU's 27 member states, in every list of the default pack and of the code that names them.

A state left out of one list turns its investors into third-country investors for the regime that reads
it (Hungary was once missing from all of them), so each list is checked against the membership as it
stands since 1 February 2020 (TEU Art. 49-50; the United Kingdom's withdrawal, OJ L 29, 31.1.2020).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from screening.case import reasons
from screening.case.catalogue import EU_MEMBERS

RULES = Path(__file__).resolve().parent.parent / "rules"
EU27 = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
EFTA = frozenset({"IS", "LI", "NO", "CH"})


def test_the_code_names_the_27_member_states():
    assert len(EU27) == 27
    assert EU_MEMBERS == EU27 and reasons.EU == EU27
    assert reasons.EEA == EU27 | {"IS", "LI", "NO"}


def _lists(doc, path=()):
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _lists(value, (*path, str(key)))
    elif isinstance(doc, list):
        doc = ["NO" if x is False else x for x in doc]  # PyYAML reads Norway's code as YAML 1.1's false
        if doc and all(isinstance(x, str) and len(x) == 2 and x.isupper() for x in doc):
            yield path, frozenset(doc)
        else:
            for i, value in enumerate(doc):
                yield from _lists(value, (*path, str(i)))


def _member_lists():
    for file in sorted(RULES.rglob("*.yaml")):
        if "tests" in file.relative_to(RULES).parts:
            continue
        for path, codes in _lists(yaml.safe_load(file.read_text("utf-8"))):
            if len(codes & EU27) >= 20:  # a list meant to hold the Union (possibly with others)
                yield pytest.param(codes, id=f"{file.name}:{'.'.join(path)}")


def test_the_lists_of_the_union_are_found():
    assert len(list(_member_lists())) >= 6  # the pack's, Germany's, France's, Spain's two and Canada's


@pytest.mark.parametrize("codes", list(_member_lists()))
def test_every_list_of_the_union_in_the_pack_holds_all_27(codes):
    # a list may leave out the host state itself (Spain's "other EU or EFTA states") and no other
    missing = EU27 - codes
    assert len(missing) <= 1, sorted(missing)
    if missing:
        assert codes <= EU27 | EFTA
