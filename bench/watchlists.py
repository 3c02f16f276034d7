"""Benchmark of watchlist screening: 10,000 synthetic entries against 50 entity names.

Entries are random made-up names (a third persons, the rest companies with company forms, each with
0-3 aliases), written to an OpenSanctions-style CSV file; the names are 10 copies of listed names
(exact hits) and 40 made-up names. Prints the time to read the file, to build the search index
with the first ``match`` call, and of a second ``match`` call on the built index.

    python bench/watchlists.py [--entries 10000] [--names 50]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.case.watchlists import load_watchlists, match  # noqa: E402

SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "ten",
    "vol",
    "gar",
    "shi",
    "lin",
    "tech",
    "sun",
    "nor",
    "bel",
    "das",
    "quo",
    "zen",
    "fer",
    "mar",
    "tor",
    "vik",
    "ul",
]
FORMS = ["Ltd", "Co., Ltd.", "GmbH", "S.A.", "LLC", "PJSC", "", "Corporation", "AG"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--names", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(1)
    rows = []
    for i in range(args.entries):
        person = i % 3 == 0
        words = [word(rng) for _ in range(rng.randint(2, 3))]
        name = " ".join(words) if person else f"{' '.join(words)} {rng.choice(FORMS)}".strip()
        aliases = ";".join(f"{word(rng)} {word(rng)}" for _ in range(rng.randint(0, 3)))
        rows.append([f"e{i}", "Person" if person else "Company", name, aliases, "ru", "Synthetic Sanctions List"])
    names = []
    for j in range(args.names):
        if j % 5 == 0:
            row = rng.choice(rows)
            names.append((f"n{j}", row[2], (), "RU", "individual" if row[1] == "Person" else "private_company"))
        else:
            names.append((f"n{j}", f"{word(rng)} {word(rng)} Holdings", (word(rng),), "CN", None))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "targets.simple.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "schema", "name", "aliases", "countries", "dataset"])
            writer.writerows(rows)
        start = time.perf_counter()
        watchlist = load_watchlists([path])
        read = time.perf_counter()
        hits = match(names, watchlist)
        first = time.perf_counter()
        match(names, watchlist)
        second = time.perf_counter()
    variants = sum(1 + len(e.aliases) for e in watchlist.entries)
    print(
        f"{len(watchlist.entries):,} entries ({variants:,} names and aliases) x {len(names)} entity names: "
        f"read {read - start:.2f} s, first match (builds the index) {first - read:.2f} s, "
        f"later match {second - first:.2f} s; {len(hits)} hits"
    )


if __name__ == "__main__":
    main()
