"""The pack cache: hits skip parsing, any edit to a rule file is seen (even one that keeps its size and
modification time, as ``cp -p`` does), a bad cache is ignored."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from screening.infra.errors import ScreeningError
from screening.pack import load as pack_module
from screening.pack.load import load_pack

TEST_PACK = Path(__file__).parent / "data" / "pack"


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "pack"
    shutil.copytree(TEST_PACK, target)
    return target


def weight(pack, rule_id: str) -> float:
    return next(r.weight for r in pack.rules if r.id == rule_id)


def test_second_load_comes_from_the_cache(copy, monkeypatch):
    first = load_pack(copy)
    assert len(list((copy.parent / "cache").glob("pack-*.marshal"))) == 1

    def no_parsing(*_):
        raise AssertionError("a cache hit must not parse or validate the files")

    monkeypatch.setattr(pack_module, "loads_duplicates", no_parsing)
    monkeypatch.setattr(pack_module, "validate", no_parsing)
    second = load_pack(copy)
    assert second.digest == first.digest
    assert [r.id for r in second.rules] == [r.id for r in first.rules]


@pytest.mark.parametrize("same_size", [True, False], ids=["same-size-edit", "longer-edit"])
def test_an_edited_rule_file_is_reloaded(copy, same_size):
    before = load_pack(copy)
    rules = copy / "rules.yaml"
    text = rules.read_text()
    rules.write_text(text.replace("weight: 20", "weight: 21" if same_size else "weight: 21.5", 1))
    stat = rules.stat()
    os.utime(rules, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # even within one clock tick
    after = load_pack(copy)
    assert weight(before, "T-001") == 20
    assert weight(after, "T-001") == (21 if same_size else 21.5)
    assert after.digest != before.digest


def test_a_broken_edit_is_reported_not_hidden_by_the_cache(copy):
    load_pack(copy)
    rules = copy / "rules.yaml"
    rules.write_text(rules.read_text().replace("weight: 20", "weight: twenty", 1))
    with pytest.raises(ScreeningError) as err:
        load_pack(copy)
    assert any(p.code == "E103" for p in err.value.problems)


@pytest.mark.parametrize("damage", ["cut short", "not marshal data", "another kind of value", "empty"])
def test_a_corrupt_cache_file_is_ignored(copy, damage):
    first = load_pack(copy)
    (cached,) = (copy.parent / "cache").glob("pack-*.marshal")
    data = cached.read_bytes()
    cached.write_bytes(
        {
            "cut short": data[:100],
            "not marshal data": b"{not json",
            "another kind of value": marshal.dumps(["a", "list"]),
            "empty": b"",
        }[damage]
    )
    again = load_pack(copy)
    assert again.digest == first.digest and [r.id for r in again.rules] == [r.id for r in first.rules]
    assert marshal.loads(cached.read_bytes()) == marshal.loads(data)  # written again whole


def test_cache_can_be_disabled(copy, monkeypatch):
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    load_pack(copy)
    assert not (copy.parent / "cache").exists()


@pytest.mark.parametrize("how", ["cp-p", "utime"])
def test_an_edit_that_keeps_size_and_mtime_is_seen(copy, tmp_path, how):
    """cp -p, rsync -t and tar x keep a file's size and modification time across an edit: the report must
    not show the old score under the old digest."""
    before = load_pack(copy)
    rules = copy / "rules.yaml"
    stat = rules.stat()
    edited = tmp_path / "edited.yaml"
    edited.write_text(rules.read_text().replace("weight: 20", "weight: 21", 1))
    assert edited.stat().st_size == stat.st_size
    if how == "cp-p":
        os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert subprocess.run(["cp", "-p", str(edited), str(rules)], check=False).returncode == 0
    else:
        shutil.copyfile(edited, rules)
        os.utime(rules, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (rules.stat().st_size, rules.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    after = load_pack(copy)
    assert weight(before, "T-001") == 20
    assert weight(after, "T-001") == 21
    assert after.digest != before.digest
    assert after.digest == load_pack(copy).digest  # and the new content is what is cached now
