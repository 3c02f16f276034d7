"""Benchmark of watchlist screening at full scale: a synthetic FollowTheMoney list of 1,000,000 entities.

Writes, in a temporary folder, an OpenSanctions-style ``entities.ftm.json`` (JSON lines: a third persons,
the rest companies with company forms, each with 0-3 aliases, a tenth with an LEI; names of 2-3 made-up
words, a quarter of them among 300 frequent ones) and a cache folder of its own
(``SCREENING_CACHE_DIR``), then prints:

* the first load: reading the file and building the index kept in the cache (once per list);
* ``screening screen CASE --watchlist FILE`` against the same command without the list, each a whole
  process, medians of ``--runs``: what the list adds once its index is kept;
* a batch: ``--names`` entity names (a fifth copies of listed names, a fifth with one letter changed, the
  rest made up) matched against the kept index, in names per second;
* the baseline, in the same run: rapidfuzz's ``process.extract`` of each name's key over every key of
  the list (the comparison the index stands in for), on ``--baseline-names`` of the same names, in
  names per second, and how many of the pairs it finds at or above the threshold the index finds too.

* recall on the planted names: of the names copied from the list (half with a letter changed) that hit
  their listed name when compared with it alone, how many the batch finds in the whole list.

``--dir DIR`` keeps the list and its index in DIR, so that a second run measures without building them.

    python bench/watchlists.py [--entities 1000000] [--names 2000] [--baseline-names 40] [--runs 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = [c + v for c in "bdfghjklmnprstvz" for v in "aeiou"] + [c + v + "n" for c in "bdkmrst" for v in "aeiou"]
FORMS = ["Ltd", "Co., Ltd.", "GmbH", "S.A.", "LLC", "PJSC", "", "Corporation", "AG"]
LEI = "529900T8BM49AURSDO55"
COMMON = random.Random(2).sample(range(10**6), 300)  # seeds of the frequent words


def word(rng: random.Random) -> str:
    """A made-up word: a quarter of the time one of 300 frequent words (as Trading, Industrial or
    Mohammed are in real lists), else 2-3 syllables of 115 (about 1.5 million possible words)."""
    if rng.random() < 0.25:
        local = random.Random(COMMON[rng.randrange(300)])
        return "".join(local.choice(SYLLABLES) for _ in range(local.randint(2, 3))).capitalize()
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def entity(i: int, rng: random.Random) -> dict[str, object]:
    person = i % 3 == 0
    words = [word(rng) for _ in range(rng.randint(2, 3))]
    name = " ".join(words) if person else f"{' '.join(words)} {rng.choice(FORMS)}".strip()
    props: dict[str, list[str]] = {
        "name": [name],
        "alias": [f"{word(rng)} {word(rng)}" for _ in range(rng.randint(0, 3))],
        "country": [rng.choice(["ru", "cn", "ir", "kp", "by"])],
        "topics": ["sanction"],
    }
    if not person and i % 10 == 1:
        props["leiCode"] = [LEI[:-6] + f"{i % 10**6:06d}"]  # shaped like an LEI; the check digits do not matter
    return {
        "id": f"e{i}",
        "schema": "Person" if person else "Company",
        "properties": props,
        "datasets": ["synthetic_sanctions"],
        "target": True,
    }


def typo(name: str, rng: random.Random) -> str:
    letters = [k for k, c in enumerate(name) if c.isalpha()]
    k = rng.choice(letters)
    return name[:k] + rng.choice("aeiouxyz") + name[k + 1 :]


def queries(listed: list[tuple[str, str]], count: int, rng: random.Random, planted: dict | None = None) -> list[tuple]:
    """``count`` names to search; ``planted`` gets, for each name copied from the list (with or without a letter
    changed), the listed name it came from."""
    out = []
    for j in range(count):
        kind = j % 5
        if kind < 2:
            listed_name, schema = rng.choice(listed)
            name = typo(listed_name, rng) if kind == 1 else listed_name
            out.append((f"n{j}", name, (), None, "individual" if schema == "Person" else "private_company"))
            if planted is not None:
                planted[f"n{j}"] = listed_name
        else:
            out.append((f"n{j}", f"{word(rng)} {word(rng)} {word(rng)} Holdings", (), None, None))
    return out


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=2_000)
    parser.add_argument("--baseline-names", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--dir", type=Path, help="keep the list and its index in this folder, to measure again without building them"
    )
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="screening-watchlists-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["SCREENING_CACHE_DIR"] = str(folder / "cache")
        from screening.case import listindex
        from screening.case.watchlists import ListEntry, Watchlist, _key, _norm, _rules, load_watchlists, match

        path = folder / f"entities-{args.entities}.ftm.json"
        listed: list[tuple[str, str]] = []
        start = time.perf_counter()
        kept = path.exists()
        with open(os.devnull if kept else path, "w", encoding="utf-8") as handle:
            for i in range(args.entities):  # the same entities again, for the names to search
                data = entity(i, rng)
                if i % 50 == 0:
                    listed.append((data["properties"]["name"][0], data["schema"]))  # type: ignore[index]
                if not kept:
                    handle.write(json.dumps(data) + "\n")
        size = path.stat().st_size
        print(
            f"list: {args.entities:,} FtM entities, {size / 1e6:.0f} MB "
            f"({'kept from before' if kept else 'written'} in {time.perf_counter() - start:.0f} s)"
        )

        cache = Path(os.environ["SCREENING_CACHE_DIR"]) / "watchlists"
        kept = (cache / (listindex.key([path]) or "-") / listindex.FILE).is_file()
        start = time.perf_counter()
        built = load_watchlists([path])
        first = time.perf_counter() - start
        names_count = sum(1 + len(e.aliases) for e in built.entries)
        what = "opening the index kept from before" if kept else "read, normalise, write the index"
        print(f"first load ({what}): {first:.1f} s for {names_count:,} names and aliases")

        case = ROOT / "cases" / "alibaba-liege.yaml"
        env = {**os.environ}
        command = [sys.executable, "-m", "screening", "screen", str(case)]
        timed(command + ["--watchlist", str(path)], env)  # the stamps of the file are written once
        bare, listed_run = [], []
        for _ in range(args.runs):
            bare.append(timed(command, env))
            listed_run.append(timed(command + ["--watchlist", str(path)], env))
        b, w = statistics.median(bare), statistics.median(listed_run)
        print(
            f"screen CASE: {b:.2f} s | with --watchlist (index kept): {w:.2f} s | the list adds {w - b:.2f} s "
            f"(target under 1 s: {'met' if w - b < 1 else 'MISSED'})"
        )

        start = time.perf_counter()
        opened = load_watchlists([path])
        opening = time.perf_counter() - start
        planted: dict[str, str] = {}
        names = queries(listed, args.names, rng, planted)
        start = time.perf_counter()
        hits = match(names, opened)
        batch = time.perf_counter() - start
        rate = len(names) / batch
        print(
            f"batch: {len(names):,} names against the kept index in {batch:.2f} s = {rate:,.0f} names/s "
            f"(opening the index {opening:.2f} s; {len(hits):,} hits; target 2,000 names/s: "
            f"{'met' if rate >= 2000 else 'MISSED'})"
        )

        from rapidfuzz import fuzz, process

        # recall on the planted names: each copied from the list, or with a letter changed, that the matcher
        # finds when compared with its listed name alone must be found in the whole list too
        schemas = dict(listed)
        alone = {
            row[0]
            for row in names
            if row[0] in planted
            and match(
                [row],
                Watchlist(
                    (ListEntry("x", planted[row[0]], (), (), (), "sanctions", schemas[planted[row[0]]], "-"),), ("-",)
                ),
            )
        }
        got = {h.entity for h in hits if h.entity in planted and h.entry.name == planted[h.entity]}
        print(
            f"recall on planted names: {len(got & alone):,} of the {len(alone):,} names copied from the list (half "
            f"with a letter changed) that hit their listed name when compared with it alone"
        )

        sides = {True: [], False: []}
        for entry in built.entries:
            for text in (entry.name, *entry.aliases):
                key = _key(_norm(text, entry.is_person).tokens)
                if len(key.replace(" ", "")) > 3:
                    sides[entry.is_person].append(key)
        sample = names[: args.baseline_names]
        found = missed = 0
        start = time.perf_counter()
        wanted = []
        for row in sample:
            person = row[4] == "individual"
            key = _key(_norm(row[1], person).tokens)
            choices = sides[person] if row[4] else sides[True] + sides[False]
            wanted.append(
                {
                    c
                    for c, _, _ in process.extract(
                        key, choices, scorer=fuzz.ratio, processor=None, score_cutoff=90, limit=None
                    )
                }
            )
        base = time.perf_counter() - start
        index = listindex.open_index(listindex.key([path]) or "", _rules())
        for row, keys in zip(sample, wanted, strict=True):
            person = row[4] == "individual"
            key = _key(_norm(row[1], person).tokens)
            tokens = _norm(row[1], person).tokens
            got = set()
            for side in [index.person] if person else [index.other] if row[4] else [index.person, index.other]:
                got |= {side._key(i) for i in side.candidates(tokens)}
            found += len(keys & got)
            missed += len(keys - got)
        print(
            f"baseline, rapidfuzz process.extract over all {len(sides[True]) + len(sides[False]):,} keys: "
            f"{len(sample) / base:,.1f} names/s on {len(sample)} names; the index is "
            f"{rate / (len(sample) / base):,.0f} times faster and finds {found:,} of the {found + missed:,} keys "
            f"scoring 90 or more"
        )


if __name__ == "__main__":
    main()
