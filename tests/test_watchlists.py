"""Watchlists: reading the three formats with located problems, normalising names, matching and explaining."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from screening.case.model import Entity
from screening.case.watchlists import (
    COUNTRY_MARGIN,
    SUBSET_SCORE,
    ListEntry,
    Watchlist,
    entity_names,
    list_type,
    load_watchlists,
    match,
    normalise,
)
from screening.infra.errors import ScreeningError
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "watchlists"
CSV = DATA / "targets.simple.csv"
FTM = DATA / "entities.ftm.json"
TERRITORIES = DATA / "territories.ftm.json"
YAML = DATA / "ns-cmic.yaml"
SAMPLE = ROOT / "watchlists" / "sample-sanctions.csv"

OS_HEADER = (
    "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,"
    "program_ids,dataset,first_seen,last_seen,last_change"
)


@pytest.fixture(scope="module")
def fixtures() -> Watchlist:
    return load_watchlists([CSV, FTM, YAML])


def entry(id: str, name: str, *aliases: str, countries: tuple[str, ...] = (), schema: str = "Company") -> ListEntry:
    """A synthetic entry: test data, not a real listing."""
    return ListEntry(id, name, aliases, countries, ("test_list",), "sanctions", schema, "test")


def one(*entries: ListEntry) -> Watchlist:
    return Watchlist(entries, ("test",))


def by_id(watchlist: Watchlist) -> dict[str, ListEntry]:
    return {e.id: e for e in watchlist.entries}


def problems(paths: list[Path]) -> list[tuple[str, int | None, int | None, str]]:
    with pytest.raises(ScreeningError) as info:
        load_watchlists(paths)
    return [(Path(p.file).name, p.line, p.column, p.code) for p in info.value.problems]


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- readers


def test_opensanctions_simple_csv(fixtures):
    entries = by_id(fixtures)
    fridman = entries["sample-ofac-fridman"]
    assert fridman == ListEntry(
        id="sample-ofac-fridman",
        name="Mikhail Maratovich Fridman",
        aliases=("Mikhail Fridman",),
        countries=("RU",),
        lists=("US OFAC Specially Designated Nationals (SDN) List",),
        type="sanctions",
        schema="Person",
        source=f"{CSV}:2",
        url="https://ofac.treasury.gov/recent-actions/20230811",
    )
    huawei = entries["sample-bis-huawei"]
    assert (huawei.type, huawei.schema, huawei.countries, huawei.source) == (
        "export_control",
        "Company",
        ("CN",),
        f"{CSV}:6",
    )
    assert fixtures.files == (str(CSV), str(FTM), str(YAML))


def test_ftm_json_lines(fixtures):
    entries = by_id(fixtures)
    fridman, aven = entries["sample-eu-fridman"], entries["sample-eu-aven"]
    assert fridman.name == "Mikhail Maratovich FRIDMAN" and fridman.aliases == ("Михаил Маратович Фридман",)
    assert (fridman.countries, fridman.lists, fridman.type, fridman.schema) == (
        ("RU",),
        ("eu_fsf",),
        "sanctions",
        "Person",
    )
    assert fridman.source == f"{FTM}:1"
    assert aven.url == "https://eur-lex.europa.eu/eli/reg_impl/2022/336/oj"  # lent by its Sanction entity
    # Sanction and Address entities and the unlisted (target: false) LetterOne company are no entries
    assert not {"sample-eu-fridman-sanction", "sample-letterone", "sample-letterone-address"} & set(entries)


def test_plain_yaml(fixtures):
    smic = by_id(fixtures)["sample-cmic-smic"]
    assert smic == ListEntry(
        "sample-cmic-smic",
        "Semiconductor Manufacturing International Corporation",
        ("SMIC",),
        ("CN",),
        ("us_ofac_ns_cmic",),
        "sanctions",
        "LegalEntity",
        f"{YAML}:13",
        "https://www.federalregister.gov/d/2021-12019",
    )


def test_user_sample_reads_and_every_entry_cites_a_source():
    watchlist = load_watchlists([SAMPLE])
    assert len(watchlist.entries) == 10
    assert all(e.url and e.url.startswith("https://") for e in watchlist.entries)
    assert {e.type for e in watchlist.entries} == {"sanctions", "export_control"}
    fixture_urls = [e.url for e in load_watchlists([CSV, FTM, YAML]).entries]
    assert all(u and u.startswith("https://") for u in fixture_urls)


def test_plain_csv_with_default_ids_and_derived_type(tmp_path):
    path = write(
        tmp_path / "mine.csv",
        "name,aliases,countries,lists,type,url\n"
        "Nordwind Logistik GmbH,Nordwind;NWL,DE,my_list,other,https://example.org/1\n"
        "Polar Star Shipping Ltd,,,eu_fsf,,\n",
    )
    first, second = load_watchlists([path]).entries
    assert first == ListEntry(
        "mine-1",
        "Nordwind Logistik GmbH",
        ("Nordwind", "NWL"),
        ("DE",),
        ("my_list",),
        "other",
        "LegalEntity",
        f"{path}:2",
        "https://example.org/1",
    )
    assert (second.id, second.type, second.url, second.countries) == ("mine-2", "sanctions", None, ())


def test_multi_values_quoted_semicolons_and_duplicates(tmp_path):
    cell = '"""Alpha; Beta"";Gamma;Gamma; Delta ;"'  # CSV-quoted cell holding: "Alpha; Beta";Gamma;Gamma; Delta ;
    path = write(tmp_path / "t.csv", f"{OS_HEADER}\nx1,Company,Main Name,{cell},,ru;cn;RU,,,,,,p1;p2,ds1;ds2,,,\n")
    (e,) = load_watchlists([path]).entries
    assert e.aliases == ("Alpha; Beta", "Gamma", "Delta")
    assert e.countries == ("RU", "CN")
    assert e.lists == ("ds1", "ds2", "p1", "p2")


def test_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + f"{OS_HEADER}\r\nx1,Company,First Ltd,,,,,,,,,,eu_fsf,,,\r\n\r\n"
        "x2,Person,Second Person,,,,,,,,,,eu_fsf,,,\r\n".encode()
    )
    first, second = load_watchlists([path]).entries
    assert (first.id, first.name, first.source) == ("x1", "First Ltd", f"{path}:2")
    assert (second.id, second.source) == ("x2", f"{path}:4")
    yaml_path = tmp_path / "bom.yaml"
    yaml_path.write_bytes(b"\xef\xbb\xbfentries:\r\n  - name: Third Co\r\n")
    assert load_watchlists([yaml_path]).entries[0].source == f"{yaml_path}:2"


def test_missing_and_extra_columns(tmp_path):
    path = write(tmp_path / "few.csv", "Name,Dataset,Extra Column\nOnly Name Ltd,US BIS Entity List,whatever\n")
    (e,) = load_watchlists([path]).entries
    assert (e.id, e.name, e.aliases, e.countries, e.type, e.schema) == (
        "few-1",
        "Only Name Ltd",
        (),
        (),
        "export_control",
        "LegalEntity",
    )


def test_no_name_column_or_no_header(tmp_path):
    no_name = write(tmp_path / "a.csv", "id,schema,title\nx,Company,Y\n")
    empty = write(tmp_path / "b.csv", "")
    assert problems([no_name, empty]) == [("a.csv", 1, 1, "E105"), ("b.csv", 1, None, "E105")]


def test_malformed_csv_rows_are_each_located(tmp_path):
    text = (
        f"{OS_HEADER}\n"
        "ok,Company,Fine Ltd,,,,,,,,,,ds,,,\n"
        "short,Company,Short Row\n"  # line 3: too few fields
        "noname,Company,,,,,,,,,,,ds,,,\n"  # line 4: empty name (field 3, column 16)
        'multi,Company,"Two\nLines Ltd",,,,,,,,,,ds,,,\n'  # lines 5-6: one row
        "ok,Person,Dup Id,,,,,,,,,,ds,,,\n"
    )  # line 7: duplicate id
    path = write(tmp_path / "bad.csv", text)
    assert problems([path]) == [("bad.csv", 3, None, "E100"), ("bad.csv", 4, 16, "E105"), ("bad.csv", 7, 1, "E109")]
    plain = write(
        tmp_path / "plain.csv",
        "name,countries,type,schema\nA Ltd,DE,sanctions,Company\nB Ltd,XX,other,\nC Ltd,,banned,\nD Person,,,person\n",
    )
    with pytest.raises(ScreeningError) as info:
        load_watchlists([plain])
    assert [(p.line, p.column, p.code) for p in info.value.problems] == [
        (3, 7, "E107"),
        (4, 8, "E106"),
        (5, 12, "E106"),
    ]
    assert "schema 'person' is not one of" in str(info.value) and "did you mean 'Person'?" in str(info.value)


def test_problems_of_all_files_are_collected(tmp_path):
    bad = write(tmp_path / "bad.csv", "name,type\nA Ltd,wrong\n")
    assert problems([tmp_path / "missing.csv", bad, CSV]) == [
        ("bad.csv", 2, 7, "E106"),
        ("missing.csv", None, None, "E001"),
    ]


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,countries\nSociété Générale,FR\n".encode("latin-1"))
    assert problems([path]) == [("latin1.csv", 2, 5, "E002")]


def test_malformed_ftm_lines(tmp_path):
    lines = [
        '{"id": "a", "schema": "Company", "properties": {"name": ["Good Co"]}}',
        '{"id": "b", "schema": "Company", "properties": {"name": ["Bad"]}',  # unclosed
        '["not", "an", "object"]',
        '{"schema": "Company", "properties": {"name": ["No Id"]}}',
        '{"id": "c", "schema": "Company", "properties": {"name": "not a list"}}',
        "",
        '{"id": "d", "schema": "Company", "properties": {"name": ["Fine"]}, "datasets": "x"}',
    ]
    path = write(tmp_path / "bad.ftm.json", "\n".join(lines) + "\n")
    with pytest.raises(ScreeningError) as info:
        load_watchlists([path])
    found = [(p.line, p.column, p.code) for p in info.value.problems]
    assert found == [
        (2, len(lines[1]) + 1, "E100"),
        (3, 1, "E103"),
        (4, None, "E105"),
        (5, None, "E103"),
        (7, None, "E103"),
    ]
    assert "property 'name' must be a list of strings" in str(info.value)


@pytest.mark.parametrize(
    "target, shown",
    [
        ('"false"', '"false" (text)'),
        ('"true"', '"true" (text)'),
        ('"no"', '"no" (text)'),
        ("0", "0 (a number)"),
        ("1", "1 (a number)"),
        ("[]", "[] (a list)"),
        ('{"x": false}', '{"x": false} (an object)'),
    ],
)
def test_an_ftm_target_that_is_not_a_boolean_is_located(tmp_path, target, shown):
    lines = [
        '{"id": "a", "schema": "Company", "target": true, "properties": {"name": ["Listed Co"]}}',
        f'{{"id": "b", "schema": "Company", "target": {target}, "properties": {{"name": ["Adjacent Co"]}}}}',
    ]
    path = write(tmp_path / "t.ftm.json", "\n".join(lines) + "\n")
    with pytest.raises(ScreeningError) as info:
        load_watchlists([path])
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.code, problem.severity) == (str(path), 2, "E103", "error")
    assert problem.message == f"'target' must be true or false (a JSON boolean), not {shown}"


def test_an_ftm_target_of_null_reads_as_absent(tmp_path):
    lines = [
        '{"id": "a", "schema": "Company", "target": null, "properties": {"name": ["Null Target Co"]}}',
        '{"id": "b", "schema": "Company", "properties": {"name": ["No Target Co"]}}',
        '{"id": "c", "schema": "Company", "target": false, "properties": {"name": ["Adjacent Co"]}}',
    ]
    path = write(tmp_path / "t.ftm.json", "\n".join(lines) + "\n")
    assert [e.name for e in load_watchlists([path]).entries] == ["Null Target Co", "No Target Co"]


def test_ftm_topics_target_and_names(tmp_path):
    lines = [
        '{"id": "t1", "schema": "Organization", "target": false, "properties": {"name": ["Listed Anyway"], '
        '"topics": ["export.control"], "weakAlias": ["LA"], "previousName": ["Old Name"]}, "datasets": ["x"]}',
        '{"id": "t2", "schema": "Company", "caption": "Caption Only", "properties": {"country": ["de"]}}',
        '{"id": "t3", "schema": "Vessel", "properties": {"name": ["A Ship"]}}',
        '{"id": "t4", "schema": "Company", "properties": {}}',
        '{"id": "s1", "schema": "Sanction", "properties": {"entity": ["t2"], "programId": ["PROG-1"], '
        '"sourceUrl": ["https://example.org/s1"]}}',
    ]
    path = write(tmp_path / "x.jsonl", "\n".join(lines))
    t1, t2 = load_watchlists([path]).entries
    assert (t1.name, t1.aliases, t1.type) == ("Listed Anyway", ("Old Name",), "export_control")
    assert (t2.name, t2.countries, t2.lists, t2.type, t2.url) == (
        "Caption Only",
        ("DE",),
        ("PROG-1",),
        "other",
        "https://example.org/s1",
    )


def test_an_export_with_followthemoney_territory_codes_loads_without_a_warning():
    watchlist = load_watchlists([TERRITORIES])
    assert watchlist.notes == ()
    assert {e.id: e.countries for e in watchlist.entries} == {
        "sample-soviet-trade": ("SUHH",),
        "sample-kosovo-person": ("XK", "CSXX", "YUCS"),
        # kept as given, in property order (country, nationality, citizenship, jurisdiction, mainCountry):
        # no territory is mapped onto an ISO country
        "sample-crimea-port": ("DD", "GE-AB", "MD-PMR", "ZZ", "UA-CRI", "RU"),
    }


@pytest.mark.parametrize(
    "prop, code, hint",
    [
        ("country", "qq", ""),
        ("nationality", "uk", " (use GB (United Kingdom), the ISO 3166-1 code)"),
        ("citizenship", "rus", ""),
        ("jurisdiction", "ddde", ""),  # East Germany is "dd" to FollowTheMoney
        ("mainCountry", "ge-so", ""),  # South Ossetia is "x-so"
        ("country", "", ""),
        ("country", " ru", ""),
    ],
)
def test_an_unknown_ftm_country_code_is_a_located_warning_and_the_entry_is_kept(tmp_path, prop, code, hint):
    value, other = json.dumps(code), "country" if prop == "mainCountry" else "mainCountry"
    lines = [
        '{"id": "a", "schema": "Company", "target": true, "properties": {"name": ["First Co"], "country": ["de"]}}',
        f'{{"id": "b", "schema": "Company", "target": true, "properties": {{"name": ["Second Co"], '
        f'"{other}": ["fr"], "{prop}": ["suhh", {value}]}}}}',
    ]
    path = write(tmp_path / "c.ftm.json", "\n".join(lines) + "\n")
    watchlist = load_watchlists([path])
    first, second = watchlist.entries
    assert (first.countries, second.name) == (("DE",), "Second Co")
    assert set(second.countries) == {"FR", "SUHH"}
    (note,) = watchlist.notes
    assert (note.file, note.line, note.code, note.severity, note.name) == (
        str(path),
        2,
        "W371",
        "warning",
        "unknown-list-country",
    )
    assert note.message == (
        f"{prop} {value} is neither an ISO 3166-1 alpha-2 code nor a FollowTheMoney territory code (such as "
        f"'suhh'): the entry is kept, without this country{hint}"
    )


def test_an_unknown_country_code_is_said_once_with_the_number_of_its_other_lines(tmp_path):
    lines = [
        f'{{"id": "e{i}", "schema": "Company", "properties": {{"name": ["Company {i}"], "country": ["{code}"]}}}}'
        for i, code in enumerate(["ru", "qq", "xx", "qq", "qq"], 1)
    ]
    path = write(tmp_path / "c.ftm.json", "\n".join(lines) + "\n")
    notes = load_watchlists([path]).notes
    assert [(n.line, n.code) for n in notes] == [(2, "W371"), (3, "W371")]
    assert notes[0].message.startswith('country "qq" ')
    assert notes[0].message.endswith("; the same code is on 2 other lines")
    assert notes[1].message.startswith('country "xx" ') and "other line" not in notes[1].message


def test_a_long_unknown_code_is_shown_cut_short(tmp_path):
    line = '{"id": "a", "schema": "Company", "properties": {"name": ["Long Co"], "country": ["' + "x" * 5000 + '"]}}'
    (note,) = load_watchlists([write(tmp_path / "c.ftm.json", line + "\n")]).notes
    assert note.message.startswith('country "' + "x" * 36 + "... is neither") and len(note.message) < 200


def test_the_opensanctions_csv_export_checks_its_country_codes_as_json_lines_do(tmp_path, fixtures):
    assert fixtures.notes == ()  # the sample export, with the JSON lines and YAML samples
    rows = [
        "sample-a,Company,Alpha Trading,,,ru;suhh,,,,,,,sample_list,,,",
        "sample-b,Company,Beta Trading,,,qq;ua-cri,,,,,,,sample_list,,,",
        "sample-c,Company,Gamma Trading,,,qq,,,,,,,sample_list,,,",
    ]
    path = write(tmp_path / "targets.simple.csv", OS_HEADER + "\n" + "\n".join(rows) + "\n")
    watchlist = load_watchlists([path])
    assert [e.countries for e in watchlist.entries] == [("RU", "SUHH"), ("UA-CRI",), ()]
    (note,) = watchlist.notes
    assert (note.line, note.column, note.code, note.severity) == (3, rows[1].index("qq") + 1, "W371", "warning")
    assert note.message == (
        'country "qq" is neither an ISO 3166-1 alpha-2 code nor a FollowTheMoney territory code (such as '
        "'suhh'): the entry is kept, without this country; the same code is on 1 other line"
    )


def test_the_warnings_of_a_list_that_has_errors_are_said_with_them(tmp_path):
    lines = [
        '{"id": "a", "schema": "Company", "properties": {"name": ["Odd Co"], "country": ["qq"]}}',
        '{"id": "b", "schema": "Company", "target": "false", "properties": {"name": ["Bad Co"]}}',
    ]
    path = write(tmp_path / "c.ftm.json", "\n".join(lines) + "\n")
    with pytest.raises(ScreeningError) as info:
        load_watchlists([path])
    assert [(p.line, p.code, p.severity) for p in info.value.problems] == [(1, "W371", "warning"), (2, "E103", "error")]


def test_an_unknown_country_code_does_not_raise_the_bar_of_a_hit(tmp_path):
    """Left out of its entry, an unknown code cannot make the countries differ; FollowTheMoney's own codes are
    kept and do, when they overlap no country of the entity (SUHH and US)."""
    lines = [
        '{"id": "odd", "schema": "Company", "properties": {"name": ["Harbour Logistics Holding"], "country": ["qq"]}}',
        '{"id": "su", "schema": "Company", "properties": {"name": ["Harbour Logistics Holding"], "country": ["suhh"]}}',
    ]
    path = write(tmp_path / "c.ftm.json", "\n".join(lines) + "\n")
    searched = [("x", "Harbour Logistic Holding", (), "US", "private_company")]
    watchlist = load_watchlists([path])
    (hit,) = match(searched, watchlist, 94.0)
    assert 94.0 <= hit.score < 94.0 + COUNTRY_MARGIN
    assert hit.entry.id == "odd" and "countries differ" not in hit.why
    odd, su = match(searched, watchlist, 90.0)
    assert (odd.entry.id, su.entry.id) == ("odd", "su")
    assert "countries differ (entity US, list entry SUHH)" in su.why


@pytest.mark.parametrize(
    "entity, listed, shown",
    [
        ("RU", ("SUHH",), "overlapping countries (entity RU, list entry SUHH (Soviet Union))"),  # a successor
        ("UA", ("UA-CRI",), "overlapping countries (entity UA, list entry UA-CRI (Crimea (Occupied Ukraine)))"),
        ("RU", ("UA-CRI",), "overlapping countries (entity RU, list entry UA-CRI (Crimea (Occupied Ukraine)))"),
        ("HK", ("CN",), "overlapping countries (entity HK, list entry CN)"),  # a part of a state
        ("DE", ("DD",), "overlapping countries (entity DE, list entry DD (East Germany))"),
        ("RS", ("YUCS",), "overlapping countries (entity RS, list entry YUCS (Yugoslavia))"),  # through CSXX
        ("CZ", ("EU",), "overlapping countries (entity CZ, list entry EU (European Union))"),
        ("RS", ("XK", "ZZ"), "overlapping countries (entity RS, list entry XK)"),  # claimed
        ("US", ("ZZ",), None),  # Global places the entry in no country: nothing to compare
        ("US", ("UN", "IP"), None),
    ],
)
def test_a_hit_across_overlapping_countries_needs_no_higher_score(entity, listed, shown):
    """Countries whose territories overlap (a state and its successors, a territory and the state it is part of
    or that claims it, the Union and its members) do not differ; the hit says how they stand."""
    watchlist = one(entry("n", "Nordwind Logistics GmbH", countries=listed))
    (hit,) = match([("e", "Nordwind Logistik", (), entity)], watchlist)  # 91.4, under the bar of differing
    assert hit.score == 91.4
    assert hit.why == "similar spelling (score 91.4) after removing the company form 'GmbH'" + (
        f"; {shown}" if shown else ""
    )


@pytest.mark.parametrize(
    "entity, listed",
    [("US", ("SUHH",)), ("CZ", ("YUCS",)), ("GB", ("EU",)), ("TW", ("HK",)), ("DE", ("ZZ", "RU"))],
)
def test_countries_that_do_not_overlap_still_differ(entity, listed):
    watchlist = one(entry("n", "Nordwind Logistics GmbH", countries=listed))
    assert match([("e", "Nordwind Logistik", (), entity)], watchlist) == []
    (hit,) = match([("e", "Nordwind Logistics", (), entity)], watchlist)
    assert f"countries differ (entity {entity}, list entry {', '.join(listed)})" in hit.why


def test_a_registration_number_hits_across_overlapping_countries(tmp_path):
    path = write(
        tmp_path / "ids.json",
        '{"id": "b", "schema": "Company", "properties": {"name": ["Other Trading"], '
        '"registrationNumber": ["1027700132195"], "country": ["suhh"]}}\n',
    )
    listed = load_watchlists([path])
    entities = [
        Entity("y", "Another Co", 1, country="RU", kind="private_company", registration_number="1027700132195"),
        Entity("z", "Far Away Co", 2, country="FR", kind="private_company", registration_number="1027700132195"),
    ]
    assert [(h.entity, h.why) for h in match(entity_names(entities), listed)] == [
        (
            "y",
            "same registration number (1027700132195) and overlapping countries (entity RU, list entry SUHH"
            " (Soviet Union))",
        )
    ]


def test_yaml_problems_are_located(tmp_path):
    path = write(
        tmp_path / "list.yaml",
        "\n".join(
            [
                "titel: x",  # 1: unknown top-level key
                "entries:",
                "  - name: Good Co",
                "  - aliases: [No Name]",  # 4: missing name
                "  - name: Bad Country",
                "    countries: [CN, de]",  # 6: lower case
                "  - name: Bad Type",
                "    type: embargo",  # 8
                "  - name: Typo",
                "    alias: [x]",  # 10: unknown key
                "  - just text",  # 11
                "  - name: Someone",
                "    schema: Persn",  # 13
                "",
            ]
        ),
    )
    with pytest.raises(ScreeningError) as info:
        load_watchlists([path])
    found = [(p.line, p.column, p.code) for p in info.value.problems]
    assert found == [
        (1, 1, "E104"),
        (4, 5, "E105"),
        (6, 21, "E107"),
        (8, 5, "E106"),
        (10, 5, "E104"),
        (11, 5, "E103"),
        (13, 5, "E106"),
    ]
    text = str(info.value)
    assert "did you mean 'title'?" in text and "did you mean 'aliases'?" in text and "did you mean 'Person'?" in text
    assert "'de' is not an ISO 3166-1 alpha-2 country code: write it in upper case: DE" in text


def test_yaml_person_entries_match_individuals(tmp_path):
    path = write(
        tmp_path / "people.yaml", "entries:\n  - name: Kari Nordmann\n    schema: Person\n  - name: Nordmann Kari AS\n"
    )
    watchlist = load_watchlists([path])
    assert [(e.id, e.schema) for e in watchlist.entries] == [("people-1", "Person"), ("people-2", "LegalEntity")]
    hits = match([("k", "Kari Nordmann", (), "NO", "individual")], watchlist)
    assert [h.entry.id for h in hits] == ["people-1"]


def test_yaml_syntax_error_and_wrong_shape(tmp_path):
    broken = write(tmp_path / "broken.yaml", "entries:\n  - name: [unclosed\n")
    shape = write(tmp_path / "shape.yaml", "entries: {name: x}\n")
    assert [(f, c) for f, _, _, c in problems([broken, shape])] == [("broken.yaml", "E100"), ("shape.yaml", "E103")]


def test_format_is_sniffed_for_other_extensions(tmp_path):
    jsonl = write(tmp_path / "a.txt", '{"id": "j", "schema": "Company", "properties": {"name": ["Json Co"]}}\n')
    csv_ = write(tmp_path / "b.txt", "name,countries\nCsv Co,DE\n")
    yaml_ = write(tmp_path / "c.list", "entries:\n  - name: Yaml Co\n")
    assert [e.name for e in load_watchlists([jsonl, csv_, yaml_]).entries] == ["Json Co", "Csv Co", "Yaml Co"]


@pytest.mark.parametrize(
    "lists, topics, expected",
    [
        (["us_ofac_sdn"], [], "sanctions"),
        (["EU Financial Sanctions Files (FSF)"], [], "sanctions"),
        (["US OFAC Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC)"], [], "sanctions"),
        (["US BIS Entity List"], [], "export_control"),
        (["us_bis_denied"], [], "export_control"),
        (["jp_meti_eul", "Japan METI End User List"], [], "export_control"),
        (["US BIS Entity List", "us_ofac_sdn"], [], "sanctions"),
        (["some_dataset"], ["export.control"], "export_control"),
        (["us_bis_entity_list"], ["sanction"], "sanctions"),
        (["wd_peps"], ["role.pep"], "other"),
        (["x"], ["sanction.linked", "export.risk"], "other"),
        (["US Trade Consolidated Screening List"], [], "other"),
    ],
)
def test_list_type(lists, topics, expected):
    assert list_type(lists, topics) == expected


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Huawei Technologies Co., Ltd.", "huawei technologies"),
        ("Huawei Technologies Ltd. Co.", "huawei technologies"),
        ("HUAWEI TECHNOLOGIES CO.,LTD", "huawei technologies"),
        ("SOCIÉTÉ GÉNÉRALE S.A.", "societe generale"),
        ("Société Générale", "societe generale"),
        ("LetterOne Core Investments S.à r.l.", "letterone core investments"),
        ("LetterOne Holdings S.A.", "letterone holdings"),  # Holdings is kept
        ("China Mobile Communications Group Co., Ltd.", "china mobile communications group"),  # Group is kept
        ("Fiat S.p.A.", "fiat"),
        ("Siemens GmbH & Co. KG", "siemens"),
        ("Baring Brothers & Co.", "baring brothers"),
        ("Holland & Barrett", "holland and barrett"),
        ("PJSC Sberbank", "sberbank"),
        ("OOO Romashka", "romashka"),
        ("Public Joint Stock Company Sberbank of Russia", "sberbank of russia"),
        ("The Boeing Company", "boeing"),
        ("J.P. Morgan Chase & Co.", "jp morgan chase"),
        ("J P Morgan", "jp morgan"),
        ("O'Neil Trading", "oneil trading"),
        ("Øresund Straße Ærø Łódź", "oresund strasse aero lodz"),
        ("Nexperia B.V.", "nexperia"),
        ("Ltd", "ltd"),  # a name is never normalised away
        ("Limited Co", "limited"),
        ("  Mixed\tWhite   Space  ", "mixed white space"),
        ("闻泰科技股份有限公司", "wentaikejigufenyouxiangongsi"),  # transliterated, one word as written
        ("Михаил Маратович Фридман", "mihail maratovich fridman"),  # transliterated
    ],
)
def test_normalise(name, expected):
    assert normalise(name) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Mik\u200bhail Mara\u200btovich Frid\u200bman", "mikhail maratovich fridman"),  # zero-width spaces
        ("Fri\u00addman", "fridman"),  # soft hyphen
        ("Mi\u200dkhail\u2060 Frid\u200cman\ufeff", "mikhail fridman"),  # joiners, word joiner, byte-order mark
        ("\u202eMikhail\u202c Fridman", "mikhail fridman"),  # a bidirectional override
        ("Mikhail\u3164Fridman", "mikhailfridman"),  # a Hangul filler prints as nothing: it joins, as it looks
        ("\uff2d\uff49\uff4b\uff48\uff41\uff49\uff4c", "mikhail"),  # full-width letters (NFKC)
        ("\U0001d40c\U0001d422\U0001d424\U0001d421\U0001d41a\U0001d422\U0001d425", "mikhail"),  # mathematical bold
        ("\u041c\u0456\u043a\u04bb\u0430\u0456l Fridman", "mikhail fridman"),  # Cyrillic posing as Latin
        ("\u0420etr \u0410ven", "petr aven"),  # Cyrillic Р and А read as they look, not as R and A
        ("Petr \u0410\u0432\u0435\u043d", "petr aven"),  # a Cyrillic word in a Latin name: transliterated
        ("\u03a1etr Aven", "petr aven"),  # Greek Rho
        ("Михаил Маратович Фридман", "mihail maratovich fridman"),  # a Cyrillic name is transliterated
        ("\u0421\u041e\u0421\u041e", "coco"),  # a name of look-alikes only reads as it looks
    ],
)
def test_normalise_reads_what_is_seen(name, expected):
    assert normalise(name) == expected


def test_normalise_without_forms_keeps_them():
    assert normalise("Kim Co", forms=False) == "kim co"


# --------------------------------------------------------------------------- matching: true hits


def test_case_suffixes_and_punctuation(fixtures):
    hits = match([("hw", "HUAWEI TECHNOLOGIES CO.,LTD", (), "CN", "private_company")], fixtures)
    assert [(h.entry.id, h.score) for h in hits] == [("sample-bis-huawei", 100.0), ("sample-cmic-huawei", 100.0)]
    # the punctuation is all in the company forms, which the explanation names on their own
    assert hits[0].why == (
        "same name after removing the company forms 'Co.' and 'Ltd' and ignoring case; same country (CN)"
    )
    dotted = match([("jp", "J.P. Morgan Chase & Co.", (), None)], one(entry("x", "JP Morgan Chase")))
    assert dotted[0].why == "same name after removing the company form 'Co.' and ignoring punctuation"


def test_accents_and_company_form():
    hits = match([("sg", "Société Générale", (), None)], one(entry("x", "SOCIETE GENERALE SA")))
    assert [(h.score, h.why) for h in hits] == [
        (100.0, "same name after removing the company form 'S.A.' and ignoring case and accents")
    ]


def test_word_order():
    hits = match([("a", "Aven Petr", (), None, "individual")], one(entry("p", "Petr Aven", schema="Person")))
    assert [(h.score, h.why) for h in hits] == [(100.0, "same name ignoring word order")]


def test_transposed_company_forms():
    hits = match([("h", "Huawei Technologies Ltd. Co.", (), None)], one(entry("x", "Huawei Technologies Co., Ltd.")))
    assert hits[0].score == 100.0
    assert hits[0].why == "same name after removing the company forms 'Ltd' and 'Co.'"


def test_short_name_is_found_against_the_full_legal_name(fixtures):
    hits = match([("hw", "Huawei Technologies", (), "CN", "listed_company")], fixtures)
    assert {h.entry.id for h in hits} == {"sample-bis-huawei", "sample-cmic-huawei"}


def test_aliases_on_both_sides(fixtures):
    hits = match([("smic", "中芯国际集成电路制造有限公司", ("SMIC",), "CN", "listed_company")], fixtures)
    (hit,) = hits
    assert (hit.entry.id, hit.matched_name, hit.score) == ("sample-cmic-smic", "SMIC", 100.0)
    assert hit.why == "entity alias 'SMIC' and list alias 'SMIC': exact name; same country (CN)"
    cyrillic = match([("f", "Михаил Маратович Фридман", (), "RU", "individual")], fixtures)
    assert [(h.entry.id, h.matched_name, h.score) for h in cyrillic] == [
        ("sample-eu-fridman", "Михаил Маратович Фридман", 100.0),
        ("sample-ofac-fridman", "Mikhail Maratovich Fridman", 98.0),  # the Latin name, transliterated "Mihail"
    ]


@pytest.mark.parametrize(
    "name, why",
    [
        ("Mik\u200bhail Mara\u200btovich Frid\u200bman", "same name ignoring invisible characters"),
        ("Mi\u00adkhail Ma\u00adratovich Frid\u00adman", "same name ignoring invisible characters"),
        (
            "\u041c\u0456\u043a\u04bb\u0430\u0456l \u041c\u0430ratovich Fridman",
            "same name ignoring script (other scripts' letters read as Latin)",
        ),
        (
            "Mikhail Maratovich \u0424\u0440\u0438\u0434\u043c\u0430\u043d",
            "same name ignoring script (other scripts' letters read as Latin)",
        ),
    ],
)
def test_sanctioned_names_hidden_by_invisible_or_foreign_letters_are_found(name, why):
    hits = match([("f", name, (), "RU", "individual")], load_watchlists([SAMPLE]))
    assert [(h.entry.id, h.score, h.read_as) for h in hits] == [
        ("sample-eu-fridman", 100.0, "mikhail maratovich fridman"),
        ("sample-ofac-fridman", 100.0, "mikhail maratovich fridman"),
    ]
    assert hits[1].why == f"{why}; same country (RU)"


def test_cyrillic_and_chinese_names_match_their_latin_forms():
    sample = load_watchlists([SAMPLE])
    cyrillic = match([("f", "Михаил Фридман", (), "RU", "individual")], sample)
    assert [(h.entry.id, h.matched_name, h.score, h.read_as) for h in cyrillic] == [
        ("sample-ofac-fridman", "Mikhail Fridman", 96.6, "mihail fridman"),
        ("sample-eu-fridman", "Михаил Маратович Фридман", SUBSET_SCORE, "mihail fridman"),
    ]
    assert "reading 'Михаил Фридман' as 'mihail fridman'" in cyrillic[0].why
    latin = match(
        [("f", "Mikhail Fridman", (), "RU", "individual")], one(entry("p", "Михаил Фридман", schema="Person"))
    )
    assert [(h.score, h.read_as) for h in latin] == [(96.6, "mikhail fridman")]
    (chinese,) = match([("c", "中芯国际", (), "CN", "private_company")], one(entry("x", "Zhongxin Guoji")))
    assert (chinese.score, chinese.read_as) == (100.0, "zhongxinguoji")
    assert chinese.why == "same name transliterated, same letters once the spaces are removed ('zhongxinguoji')"
    (person,) = match([("x", "Xi Jinping", (), "CN", "individual")], one(entry("p", "习近平", schema="Person")))
    assert (person.matched_name, person.score) == ("习近平", 100.0)
    greek = match(
        [("g", "Ηλίας Παπαδόπουλος", (), None, "individual")], one(entry("p", "Ilias Papadopoulos", schema="Person"))
    )
    assert [h.score for h in greek] == [100.0]
    assert match([("c", "中芯国际", (), "CN", "private_company")], one(entry("x", "Zhongxing Tongxun"))) == []


def test_transliteration_is_loaded_only_for_names_in_other_scripts():
    import subprocess
    import sys

    code = (
        "import sys; from screening.case.watchlists import normalise; normalise('Mikhail Fridman'); "
        "print('rigour' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_spelling_variant():
    hits = match(
        [("f", "Mikhail Fridmann", (), None, "individual")], one(entry("p", "Mikhail Fridman", schema="Person"))
    )
    assert [(h.score, h.why) for h in hits] == [(96.8, "similar spelling (score 96.8)")]
    reordered = match(
        [("f", "Fridmann Mikhail", (), None, "individual")], one(entry("p", "Mikhail Fridman", schema="Person"))
    )
    assert reordered[0].why == "similar spelling with token order ignored (score 96.8)"


def test_person_without_patronymic(fixtures):
    hits = match([("aven", "Petr Aven", (), "RU", "individual")], fixtures)
    assert [(h.entry.id, h.matched_name, h.score) for h in hits] == [
        ("sample-ofac-aven", "Petr Aven", 100.0),
        ("sample-eu-aven", "Petr Olegovich AVEN", SUBSET_SCORE),
    ]
    assert hits[1].why == (
        "all words of 'Petr Aven' appear in 'Petr Olegovich AVEN' (the other words, such as "
        "a middle name or patronymic, are not compared; score 92); same country (RU)"
    )
    # the reverse (the entity's name is the longer one) and a single shared word
    longer = match(
        [("f", "Mikhail Maratovich Fridman", (), None, "individual")],
        one(entry("p", "Fridman Mikhail", schema="Person")),
    )
    assert [h.score for h in longer] == [SUBSET_SCORE]
    assert match([("a", "Aven", (), None, "individual")], fixtures) == []


def test_letterone_chain(fixtures):
    rows = [
        {"id": "l1t-fm", "name": "L1T FM Holdings UK Limited", "country": "GB", "kind": "private_company"},
        {
            "id": "letterone-core",
            "name": "LetterOne Core Investments S.à r.l.",
            "country": "LU",
            "kind": "private_company",
        },
        {
            "id": "letterone",
            "name": "LetterOne Holdings S.A.",
            "aliases": ["LetterOne", "L1"],
            "country": "LU",
            "kind": "private_company",
        },
        {"id": "fridman", "name": "Mikhail Fridman", "country": "RU", "kind": "individual"},
        {"id": "aven", "name": "Petr Aven", "country": "RU", "kind": "individual"},
        {"id": "khan", "name": "German Khan", "country": "RU", "kind": "individual"},
        {"id": "kosogov", "name": "Andrei Kosogov", "country": "RU", "kind": "individual"},
    ]
    entities = [Entity.from_data(row, i) for i, row in enumerate(rows)]
    hits = match(entity_names(entities), fixtures)
    assert [(h.entity, h.entry.id) for h in hits] == [
        ("aven", "sample-ofac-aven"),
        ("aven", "sample-eu-aven"),
        ("fridman", "sample-ofac-fridman"),
        ("fridman", "sample-eu-fridman"),
        ("khan", "sample-ofac-khan"),
    ]


# --------------------------------------------------------------------------- near misses and thresholds


def test_near_miss_just_under_the_threshold(fixtures):
    name = [("hw", "Huawei Technology", (), "CN", "private_company")]  # singular: 88.9
    assert match(name, fixtures) == []
    assert {(h.entry.id, h.score) for h in match(name, fixtures, threshold=88.5)} == {
        ("sample-bis-huawei", 88.9),
        ("sample-cmic-huawei", 88.9),
    }
    wingtech = [("w", "Wingtech Technologies", (), "CN", "listed_company")]  # exactly 90.0
    assert [(h.entry.id, h.score) for h in match(wingtech, fixtures)] == [("sample-bis-wingtech", 90.0)]
    assert match(wingtech, fixtures, threshold=90.1) == []


def test_threshold_must_be_a_percentage():
    with pytest.raises(ValueError):
        match([], one(), threshold=101)


def test_country_mismatch_needs_a_higher_score():
    watchlist = one(entry("n", "Nordwind Logistics GmbH", countries=("RU",)))
    same = match([("e", "Nordwind Logistik", (), "RU")], watchlist)  # 91.4
    assert [(h.score, h.why) for h in same] == [
        (91.4, "similar spelling (score 91.4) after removing the company form 'GmbH'; same country (RU)")
    ]
    assert match([("e", "Nordwind Logistik", (), "DE")], watchlist) == []
    assert match([("e", "Nordwind Logistik", (), None)], watchlist)[0].why.endswith("'GmbH'")  # no country to compare
    exact = match([("e", "Nordwind Logistics", (), "DE")], watchlist)
    assert exact[0].score == 100.0
    assert exact[0].why.endswith(
        f"; countries differ (entity DE, list entry RU), so the hit needed {90 + COUNTRY_MARGIN:g}"
    )


# --------------------------------------------------------------------------- false-positive traps


def test_common_words_do_not_carry_a_hit():
    watchlist = one(
        entry("g", "Global Trading Company"),
        entry("h", "Harbin Institute of Technology"),
        entry("c", "China National Chemical Corporation"),
    )
    names = [
        ("a", "International Trading Company", (), None),
        ("b", "Beijing Institute of Technology", (), None),
        ("c", "China National Nuclear Corporation", (), None),
    ]
    assert match(names, watchlist, threshold=50) == []


def test_one_shared_distinctive_word_is_no_hit():
    watchlist = one(entry("m", "Huawei Marine Networks Co., Ltd."), entry("c", "China Mobile Limited"))
    hits = match([("h", "Huawei", (), None), ("c", "China", (), None)], watchlist, threshold=0)
    assert all(h.score < 60 for h in hits)
    assert match([("h", "Huawei", (), None), ("c", "China", (), None)], watchlist) == []


def test_short_names_hit_only_when_equal():
    watchlist = one(entry("l1h", "L1 Holdings"), entry("l2", "L2"), entry("zto", "ZTO"), entry("zte", "ZTE Corp."))
    hits = match([("l", "LetterOne Holdings", ("L1",), None), ("z", "ZTE", (), None)], watchlist, threshold=0)
    assert [(h.entity, h.entry.id, h.score) for h in hits] == [("z", "zte", 100.0)]


def test_different_numbers_are_no_hit():
    watchlist = one(entry("i38", "China Electronics Technology Group Corporation 38th Research Institute"))
    assert (
        match(
            [("i14", "China Electronics Technology Group Corporation 14th Research Institute", (), None)],
            watchlist,
            threshold=50,
        )
        == []
    )


def test_persons_and_companies_are_kept_apart(fixtures):
    person = entry("p", "Alexey Kuzmichev", schema="Person")
    company = entry("c", "Kuzmichev Alexey Ltd")
    watchlist = one(person, company)
    as_company = match([("x", "Alexey Kuzmichev", (), None, "private_company")], watchlist)
    as_person = match([("x", "Alexey Kuzmichev", (), None, "individual")], watchlist)
    unknown = match([("x", "Alexey Kuzmichev", (), None, None)], watchlist)
    assert [h.entry.id for h in as_company] == ["c"]
    assert [h.entry.id for h in as_person] == ["p"]
    assert sorted(h.entry.id for h in unknown) == ["c", "p"]
    assert match([("x", "Huawei Technologies", (), "CN", "individual")], fixtures) == []


# --------------------------------------------------------------------------- output


def test_one_hit_per_entity_and_entry_preferring_the_name():
    watchlist = one(entry("x", "Kestrel Avionics Systems LLC", "Kestrel Avionics Systems"))
    hits = match([("k", "Kestrel Avionics Systems", ("Kestrel Avionics Systems Ltd",), None)], watchlist)
    assert [(h.entity_name, h.matched_name) for h in hits] == [
        ("Kestrel Avionics Systems", "Kestrel Avionics Systems LLC")
    ]


def test_sorted_and_deterministic(fixtures):
    names = [
        ("wingtech", "Wingtech Technology Co., Ltd.", (), "CN", "listed_company"),
        ("aven", "Petr Aven", (), "RU", "individual"),
        ("hw", "Huawei Technologies", (), "CN", "private_company"),
        ("fridman", "Mikhail Fridman", (), "RU", "individual"),
    ]
    hits = match(names, fixtures)
    assert hits == sorted(hits, key=lambda h: (h.entity, -h.score, h.entry.id))
    assert [h.entity for h in hits] == ["aven", "aven", "fridman", "fridman", "hw", "hw", "wingtech"]
    shuffled_names, shuffled_entries = names[:], list(fixtures.entries)
    random.Random(7).shuffle(shuffled_names)
    random.Random(7).shuffle(shuffled_entries)
    again = match(shuffled_names, Watchlist(tuple(shuffled_entries), fixtures.files))
    assert again == hits


def test_hits_carry_the_entry():
    (hit,) = match([("w", "Wingtech Technology Co., Ltd.", (), "CN", "listed_company")], load_watchlists([CSV]))
    assert hit.entity == "w" and hit.entity_name == "Wingtech Technology Co., Ltd."
    assert (hit.entry.type, hit.entry.lists, hit.entry.url) == (
        "export_control",
        ("US BIS Entity List",),
        "https://www.federalregister.gov/d/2024-28267",
    )
    assert hit.why == "exact name; same country (CN)"


# -- bulk lists: their own limits, streamed -----------------------------------------------------------


def ftm_line(i: int, name: str) -> str:
    return f'{{"id": "e{i}", "schema": "Company", "properties": {{"name": ["{name}"]}}, "datasets": ["x"]}}\n'


def test_a_list_past_the_case_size_limit_loads(tmp_path, monkeypatch):
    path = write(tmp_path / "big.json", "".join(ftm_line(i, f"Company Number {i}") for i in range(300)))
    monkeypatch.setenv("SCREENING_MAX_BYTES", "2000")  # a case file this size would be refused
    assert len(load_watchlists([path]).entries) == 300
    monkeypatch.setenv("SCREENING_MAX_WATCHLIST_BYTES", "5000")
    [(file, line, column, code)] = problems([path])
    assert (file, line, code) == ("big.json", None, "E111")
    with pytest.raises(ScreeningError, match=r"larger than the limit of 5,000 \(SCREENING_MAX_WATCHLIST_BYTES\)"):
        load_watchlists([path])


def test_a_line_past_the_line_limit_is_located_and_skipped(tmp_path, monkeypatch):
    long = ftm_line(2, "X" * 5000)
    path = write(tmp_path / "lines.jsonl", ftm_line(1, "First Co") + long + ftm_line(3, "Third Co"))
    monkeypatch.setenv("SCREENING_MAX_BYTES", "1000")
    with pytest.raises(ScreeningError) as info:
        load_watchlists([path])
    [problem] = info.value.problems
    assert (problem.line, problem.code) == (2, "E111")
    assert "line longer than the limit of 1,000 bytes (SCREENING_MAX_BYTES)" in problem.message


def test_a_line_that_is_not_utf8_is_located(tmp_path):
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"name,countries\nGood Co,CN\nBad \xff Co,CN\nOther Co,CN\n")
    assert problems([path]) == [("bytes.csv", 3, 5, "E002")]


def test_csv_rows_spanning_lines_keep_their_place(tmp_path):
    path = write(tmp_path / "multi.csv", 'name,aliases,countries\n"Two\nLines Ltd",,CN\nBad Co,,china\n')
    assert problems([path]) == [("multi.csv", 4, 9, "E107")]


def test_an_ftm_hit_lists_its_lists_as_a_list(tmp_path, capsys):
    from screening.cli import main

    path = write(
        tmp_path / "l.json",
        '{"id": "a", "schema": "Company", "properties": {"name": ["Cainiao Smart Logistics Network"]}, '
        '"datasets": ["one", "two"]}\n',
    )
    code = main(["screen", str(ROOT / "cases" / "alibaba-liege.yaml"), "--watchlist", str(path), "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert [h["lists"] for h in doc["watchlist_hits"]] == [["one", "two"]]


def test_screen_and_batch_say_an_unknown_country_code_and_screen_all_the_same(tmp_path, capsys):
    from screening.batch.run import Job, plan
    from screening.cli import main

    path = write(
        tmp_path / "l.json",
        '{"id": "a", "schema": "Company", "properties": {"name": ["Cainiao Smart Logistics Network"], '
        '"country": ["chn"]}, "datasets": ["one"]}\n',
    )
    case = ROOT / "cases" / "alibaba-liege.yaml"
    code = main(["screen", str(case), "--watchlist", str(path), "-f", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert [h["entry"] for h in json.loads(out)["watchlist_hits"]] == ["a"]  # the entry is kept
    expected = f'{path}:1:1: warning: country "chn" is neither an ISO 3166-1 alpha-2 code nor a FollowTheMoney'
    assert expected in err and "[W371 unknown-list-country]" in err
    warnings = plan(Job([case], tmp_path / "out.csv", watchlists=(path,))).warnings
    assert any(w.startswith(expected) and "[W371 unknown-list-country]" in w for w in warnings), warnings


# -- identifiers ----------------------------------------------------------------------------------------

LEI = "529900T8BM49AURSDO55"  # a valid LEI (check digits hold)


def test_lei_check_digits():
    from screening.case.watchlists import identifier, is_lei

    assert is_lei(LEI) and is_lei(LEI.lower())
    assert not is_lei(LEI[:-1] + "6") and not is_lei("HRB 12345") and not is_lei(LEI + "0")
    assert identifier("reg", " hrb-12.345 ") == "reg:HRB12345" == identifier("reg", "HRB 12345")


def test_identifiers_match_exactly_before_any_name(tmp_path):
    path = write(
        tmp_path / "ids.json",
        '{"id": "a", "schema": "Company", "properties": {"name": ["Unrelated Name Ltd"], '
        f'"leiCode": ["{LEI}"], "country": ["de"]}}, "datasets": ["x"]}}\n'
        '{"id": "b", "schema": "Company", "properties": {"name": ["Other Trading GmbH"], '
        '"registrationNumber": ["HRB 12345"], "country": ["de"]}, "datasets": ["x"]}\n',
    )
    listed = load_watchlists([path])
    assert [e.identifiers for e in listed.entries] == [(f"lei:{LEI}",), ("reg:HRB12345",)]
    entities = [
        Entity("x", "Quite Different Co", 0, country="DE", kind="private_company", lei=LEI),
        Entity("y", "Another Co", 1, country="DE", kind="private_company", registration_number="hrb-12345"),
        Entity("z", "Far Away Co", 2, country="FR", kind="private_company", registration_number="HRB 12345"),
    ]
    hits = match(entity_names(entities), listed)
    assert [(h.entity, h.entry.id, h.score, h.read_as, h.why) for h in hits] == [
        ("x", "a", 100.0, f"lei:{LEI}", f"same LEI ({LEI})"),
        ("y", "b", 100.0, "reg:HRB12345", "same registration number (HRB12345) and same country (DE)"),
    ]  # a registration number in another country's register is another company's


def test_an_opensanctions_identifiers_cell_is_split_into_lei_and_numbers(tmp_path):
    path = write(tmp_path / "t.csv", f"{OS_HEADER}\nx1,Company,Named Co,,,cn,,{LEI};91110000X,,,,,eu_fsf,,,\n")
    (listed,) = load_watchlists([path]).entries
    assert listed.identifiers == (f"lei:{LEI}", "reg:91110000X")
    yaml = write(tmp_path / "l.yaml", f"entries:\n  - name: Named Co\n    identifiers: ['{LEI}']\n")
    assert load_watchlists([yaml]).entries[0].identifiers == (f"lei:{LEI}",)


# -- the index kept in the cache ------------------------------------------------------------------------

QUERIES = [
    ("a", "Mikhail Fridmann", (), None, "individual"),
    ("b", "Михаил Фридман", (), "RU", "individual"),
    ("c", "Semiconductor Manufacturing International Corp", ("SMIC",), "CN", "listed_company"),
    ("d", "Petr Aven", (), "RU", None),
    ("e", "Hikvision Digital Technology", (), "CN", None),
    ("f", "Nobody At All Ltd", (), None, None),
    ("g", "LetterOne Holding", (), "LU", "private_company"),
]


def summary(hits):
    return [(h.entity, h.entry.id, h.matched_name, h.score, h.why, h.read_as) for h in hits]


def test_the_index_kept_in_the_cache_finds_what_the_full_comparison_finds(tmp_path, monkeypatch):
    from screening.case import listindex

    paths = [CSV, FTM, YAML, SAMPLE]
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    expected = summary(match(QUERIES, load_watchlists(paths)))
    assert len(expected) >= 5
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    built = load_watchlists(paths)  # reads the files and writes the index
    assert summary(match(QUERIES, built)) == expected
    assert len(list((tmp_path / "cache" / "watchlists").iterdir())) == 2  # the index and the files' stamps
    monkeypatch.setattr("screening.case.watchlists._read_all", lambda paths: pytest.fail("read the files again"))
    opened = load_watchlists(paths)
    assert isinstance(opened.entries, listindex.Entries)
    assert summary(match(QUERIES, opened)) == expected
    assert [e.id for e in opened.entries] == [e.id for e in built.entries]


def test_a_changed_list_is_indexed_again(tmp_path, monkeypatch):
    from screening.case import listindex

    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    path = write(tmp_path / "l.csv", "name\nFirst Trading Co\n")
    assert [h.entry.name for h in match([("x", "First Trading Co", (), None)], load_watchlists([path]))] == [
        "First Trading Co"
    ]
    path.write_text("name\nSecond Trading Co\n", "utf-8")  # same size: the change time tells
    hits = match([("x", "Second Trading Co", (), None)], load_watchlists([path]))
    assert [h.entry.name for h in hits] == ["Second Trading Co"]


def test_words_one_edit_apart_share_a_spelling_with_a_letter_left_out():
    from screening.case.listindex import variants

    for listed, searched in [("fridman", "fridmann"), ("fridman", "fridmen"), ("aven", "avem"), ("abcdef", "xbcdef")]:
        assert variants(listed) & variants(searched), (listed, searched)
    assert not variants("fridman") & variants("friedmann")  # two edits


def test_without_rigour_names_in_other_scripts_still_match(monkeypatch):
    """rigour is an extra (its PyICU needs ICU's headers to build); without it anyascii transliterates."""
    import sys

    from screening.case import watchlists

    monkeypatch.setitem(sys.modules, "rigour.text.translit", None)  # import fails as if not installed
    watchlists._norm.cache_clear()  # names read with rigour earlier in this process
    latin = match(
        [("f", "Mikhail Fridman", (), "RU", "individual")], one(entry("p", "Михаил Фридман", schema="Person"))
    )
    assert [h.score for h in latin] == [100.0]
    (person,) = match([("x", "Xi Jinping", (), "CN", "individual")], one(entry("p", "习近平", schema="Person")))
    assert person.score == 100.0
    watchlists._norm.cache_clear()  # and none read without it stays for the tests after


def test_the_scripts_posing_as_latin_cover_the_confusables_table():
    """``_lookalike`` skips the table for letters of other scripts; none of them may be in it."""
    import unicodedata

    from confusable_homoglyphs.confusables import confusables_data

    from screening.case import watchlists

    for char, glyphs in confusables_data.items():
        if len(char) == 1 and char.isalpha() and not char.isascii():
            if any(len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalpha() for g in glyphs):
                assert unicodedata.name(char, "?").split(" ", 1)[0] in watchlists._LOOKALIKE_SCRIPTS, char
