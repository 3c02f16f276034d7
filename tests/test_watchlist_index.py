"""The watchlist index kept in the cache: read with the standard library, searched alike with and without numpy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screening.case import listindex
from screening.case.watchlists import load_watchlists, match
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "watchlists"
LISTS = [
    DATA / "targets.simple.csv",
    DATA / "entities.ftm.json",
    DATA / "ns-cmic.yaml",
    ROOT / "watchlists" / "sample-sanctions.csv",
]


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    """A cache folder holding the index of ``LISTS``."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(cache))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    load_watchlists(LISTS)
    return cache


def test_screening_with_a_kept_index_loads_neither_numpy_nor_the_confusables_table(kept):
    code = (
        "import sys; from pathlib import Path; from screening.case.watchlists import load_watchlists, match; "
        f"w = load_watchlists([Path(p) for p in {[str(p) for p in LISTS]!r}]); "
        "print(len(match([('a', 'Mikhail Fridmann', (), None, 'individual'), ('b', '中芯国际', (), 'CN', None)], w))); "
        "print(sorted(m for m in ('numpy', 'confusable_homoglyphs') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env={**_env(kept)}
    )
    count, modules = done.stdout.split("\n")[:2]
    assert int(count) >= 1
    assert modules == "[]"


def _env(cache: Path) -> dict[str, str]:
    import os

    return {**os.environ, "SCREENING_CACHE_DIR": str(cache)}


def test_the_index_is_the_same_built_with_or_without_numpy(tmp_path, monkeypatch, kept):
    monkeypatch.setitem(sys.modules, "numpy", None)  # import fails as if not installed
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "plain"))
    load_watchlists(LISTS)
    (with_numpy,) = (kept / "watchlists").glob("*/index.bin")
    (without,) = (tmp_path / "plain" / "watchlists").glob("*/index.bin")
    assert with_numpy.read_bytes() == without.read_bytes()


def _synthetic(tmp_path: Path, count: int = 3000) -> tuple[Path, list[tuple[str, ...]]]:
    """A list of made-up names (a quarter of the words among 40 frequent ones), and names to search: listed
    ones, listed ones with a letter changed, and made-up ones."""
    import json
    import random

    rng = random.Random(5)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    common = ["".join(rng.choice(syllables) for _ in range(3)) for _ in range(40)]

    def word() -> str:
        return rng.choice(common) if rng.random() < 0.25 else "".join(rng.choice(syllables) for _ in range(3))

    path = tmp_path / "list.ftm.json"
    listed = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            person = i % 3 == 0
            name = " ".join(word().capitalize() for _ in range(rng.randint(2, 3)))
            listed.append((name, person))
            props = {"name": [name], "alias": [f"{word()} {word()}" for _ in range(rng.randint(0, 2))]}
            handle.write(json.dumps({"id": f"e{i}", "schema": "Person" if person else "Company", "properties": props}))
            handle.write("\n")
    names: list[tuple[str, ...]] = []
    for j in range(600):
        name, person = rng.choice(listed)
        if j % 3 == 1:
            k = rng.choice([k for k, c in enumerate(name) if c.isalpha()])
            name = name[:k] + rng.choice("aeiouxyz") + name[k + 1 :]
        elif j % 3 == 2:
            name = f"{word()} {word()} {word()}"
        names.append((f"n{j}", name, (), None, "individual" if person else None))
    return path, names


@pytest.mark.parametrize(("frequent", "crowded"), [(5_000, 64), (30, 64), (5_000, 2)])
def test_a_batch_searched_with_numpy_finds_what_each_name_searched_alone_finds(
    tmp_path, monkeypatch, frequent, crowded
):
    """Both searches, with frequent words read whole or looked up the other way (``FREQUENT``), and with skeletons
    left out as crowded (``SKELETON_CAP``)."""
    from screening.case import listindex_arrays

    monkeypatch.setattr(listindex_arrays, "FREQUENT", frequent)
    monkeypatch.setattr(listindex, "SKELETON_CAP", crowded)
    path, names = _synthetic(tmp_path)
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    load_watchlists([path])
    batch = load_watchlists([path])
    together = summary(match(names, batch))
    assert isinstance(batch.entries, listindex.Entries)
    monkeypatch.setattr(listindex, "BATCH", 10**9)  # the standard library's search
    alone = summary(match(names, load_watchlists([path])))
    assert len(together) > 300
    assert together == alone


def test_the_index_finds_what_the_full_comparison_finds_on_a_planted_set(tmp_path, monkeypatch):
    """Listed names, some with a letter changed: the index finds each pair the comparison with every name finds."""
    path, names = _synthetic(tmp_path)
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    full = set(summary(match(names, load_watchlists([path]))))
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    load_watchlists([path])
    indexed = set(summary(match(names, load_watchlists([path]))))
    assert indexed <= full
    assert len(indexed) >= 0.99 * len(full), sorted(full - indexed)[:5]


def summary(hits):
    return [(h.entity, h.entry.id, h.matched_name, h.score, h.why, h.read_as) for h in hits]


QUERIES = [
    ("a", "Mikhail Fridmann", (), None, "individual"),
    ("c", "Semiconductor Manufacturing International Corp", ("SMIC",), "CN", "listed_company"),
    ("e", "Hikvision Digital Technology", (), "CN", None),
]


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        del data[len(data) // 2 :]
    elif how == "emptied":
        data.clear()
    else:  # one byte flipped at the start, in the middle (an array) or near the end (the table of contents)
        at = {"header": 3, "array": len(data) // 2, "contents": len(data) - 5}[how]
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "emptied", "header", "array", "contents"])
def test_a_damaged_index_is_built_again_with_a_warning(kept, how):
    expected = summary(match(QUERIES, load_watchlists(LISTS)))
    (index,) = (kept / "watchlists").glob("*/index.bin")
    _damage(index, how)
    again = load_watchlists(LISTS)
    (note,) = again.notes
    assert (note.code, note.severity, note.file) == ("W370", "warning", str(LISTS[0]))
    assert "damaged" in note.message and "built again" in note.message
    assert summary(match(QUERIES, again)) == expected
    opened = load_watchlists(LISTS)  # whole again: opened, not read
    assert opened.notes == () and isinstance(opened.entries, listindex.Entries)
    assert summary(match(QUERIES, opened)) == expected


def test_screen_says_that_a_damaged_index_is_built_again(kept):
    (index,) = (kept / "watchlists").glob("*/index.bin")
    _damage(index, "array")
    command = [sys.executable, "-m", "screening", "screen", "cases/letterone-upp.yaml", "--format", "json"]
    for path in LISTS:
        command += ["--watchlist", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=_env(kept))
    assert done.returncode == 0, done.stderr
    assert "warning: the index of this list kept in the cache is damaged" in done.stderr
    assert "[W370 index-rebuilt]" in done.stderr
    assert '"watchlist_hits"' in done.stdout or "LetterOne" in done.stdout


def test_words_spelt_with_other_vowels_or_sounds_share_a_key():
    from screening.case.listindex import spellings, variants

    for listed, searched in [("mohammed", "muhamad"), ("aleksandr", "alexander"), ("fridman", "friedmann")]:
        assert not variants(listed) & variants(searched)  # more than one edit apart
        assert spellings(listed) & spellings(searched), (listed, searched)
    assert not spellings("hikvision") & spellings("huawei")


def test_names_whose_every_word_is_two_edits_away_are_found_where_the_threshold_accepts_them(tmp_path, monkeypatch):
    """Each word of a listed name with two of its vowels dropped (every word two edits away, as transliterations
    differ): of what the comparison with every name finds at a threshold of 75, the index finds most through the
    skeletons of the words (none without them); a skeleton of fewer than three letters is no key."""
    import random

    path, _ = _synthetic(tmp_path)
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    full_list = load_watchlists([path])
    rng = random.Random(9)
    names = []
    for j in range(300):
        entry = full_list.entries[rng.randrange(len(full_list.entries))]
        words = []
        for word in entry.name.split():
            for _ in range(2):
                k = rng.choice([k for k, c in enumerate(word) if k and c in "aeiou"])
                word = word[:k] + word[k + 1 :]
            words.append(word)
        names.append((f"v{j}", " ".join(words), (), None, "individual" if entry.is_person else None))
    full = set(summary(match(names, full_list, threshold=75)))
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    load_watchlists([path])
    indexed = set(summary(match(names, load_watchlists([path]), threshold=75)))
    assert len(full) >= 200
    assert indexed <= full
    assert len(indexed) >= 0.8 * len(full)
    missed = {(m[5], m[2]) for m in full - indexed}
    assert all(min(len(listindex.skeleton(w)) for w in searched.split()) < 3 for searched, _ in missed)


def test_a_batch_plan_tells_that_a_damaged_index_is_built_again(kept, tmp_path):
    from screening.batch.run import Job, plan

    (index,) = (kept / "watchlists").glob("*/index.bin")
    _damage(index, "truncated")
    job = Job([ROOT / "cases" / "letterone-upp.yaml"], tmp_path / "out.csv", watchlists=tuple(LISTS))
    warnings = plan(job).warnings
    assert any("[W370 index-rebuilt]" in line for line in warnings), warnings


def test_a_watchlist_whose_file_name_is_not_utf8_is_indexed(tmp_path, monkeypatch):
    """A file name of bytes that are not UTF-8 (read as surrogates, as Python reads such names) keys the index
    by its bytes; before, the key's encoding raised UnicodeEncodeError and `screen --watchlist` failed with an
    internal error."""
    import os
    import shutil

    from screening.cli import main

    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    name = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"\xff\xfe.csv"))
    shutil.copyfile(ROOT / "watchlists" / "sample-sanctions.csv", name)
    key = listindex.key([Path(name)])
    assert key and key == listindex.key([Path(name)])
    assert main(["screen", str(ROOT / "cases" / "alibaba-liege.yaml"), "--watchlist", name, "-f", "json"]) == 0


def test_the_warnings_of_reading_a_list_are_kept_with_its_index(tmp_path, monkeypatch):
    """An unknown country code (W371) is said when the list is read, and again when its index is opened instead."""
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    path = tmp_path / "odd.ftm.json"
    path.write_text(
        '{"id": "a", "schema": "Company", "properties": {"name": ["Harbour Co"], "country": ["ru"]}}\n'
        '{"id": "b", "schema": "Company", "properties": {"name": ["Quay Co"], "country": ["qq", "suhh"]}}\n',
        encoding="utf-8",
    )
    read = load_watchlists([path])
    assert not isinstance(read.entries, listindex.Entries)
    opened = load_watchlists([path])
    assert isinstance(opened.entries, listindex.Entries)
    assert [(n.file, n.line, n.code, n.severity) for n in opened.notes] == [(str(path), 2, "W371", "warning")]
    assert opened.notes == read.notes
    assert [e.countries for e in opened.entries] == [("RU",), ("SUHH",)]


def test_a_kept_note_of_another_shape_makes_the_index_unreadable():
    with pytest.raises(ValueError, match="not \\(file, line, column, code, message\\)"):
        listindex._notes([["f.json", "2", None, "W371", "message"]])
    assert listindex._notes([["f.json", 2, None, "W371", "m"]]) == [("f.json", 2, None, "W371", "m")]
