"""Benchmark of `screening check` on a large pack: 1,000 rule files of one rule each.

The files are the default pack's 90 rules, round-robin, with fresh ids (so ids stay unique and
match the pack's pattern); pack.yaml, scoring.yaml, legal.yaml and sources.yaml are the default
pack's. Prints the wall time of the library call (parse, validate, compile, lint; no cache) and
of the whole command, and, as a baseline measured in the same run, the time PyYAML's C loader
alone takes to parse the same files.

    python bench/check.py [--files 1000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.infra.yamlio import load  # noqa: E402
from screening.tooling.check import check_paths  # noqa: E402

RESERVED = ("pack.yaml", "scoring.yaml", "legal.yaml", "sources.yaml")


def rule_texts() -> list[str]:
    """Each rule of the default pack as its own YAML text (anchors resolved by re-dumping)."""
    out = []
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        if path.name in RESERVED:
            continue
        data, _ = load(path)
        for rule in data["rules"]:
            out.append(yaml.safe_dump({"rules": [rule]}, allow_unicode=True, sort_keys=False, width=110))
    return out


def build(target: Path, files: int) -> None:
    for name in RESERVED:
        shutil.copy(ROOT / "rules" / name, target / name)
    texts = rule_texts()
    for i in range(files):
        text = texts[i % len(texts)]
        if i >= len(texts):  # the first copy keeps its ids (scoring.yaml's floors name them)
            text = re.sub(
                r"^(\s*- id: )([A-Z]{2})-\d{3}$",
                lambda m, i=i: f"{m.group(1)}{m.group(2)}-{i:04d}",
                text,
                count=1,
                flags=re.M,
            )
        (target / f"rule-{i:04d}.yaml").write_text(text, encoding="utf-8")
    pack = (target / "pack.yaml").read_text(encoding="utf-8")
    (target / "pack.yaml").write_text(pack.replace("[0-9]{3}$", "[0-9]{3,4}$"), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "pack"
        pack.mkdir()
        build(pack, args.files)
        paths = sorted(pack.glob("*.yaml"))
        size = sum(p.stat().st_size for p in paths)

        start = time.perf_counter()
        for p in paths:
            yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        parse = time.perf_counter() - start

        start = time.perf_counter()
        result = check_paths([pack])
        library = time.perf_counter() - start

        env = {**os.environ, "SCREENING_CACHE_DIR": ""}
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "screening", "check", str(pack)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        command = time.perf_counter() - start

    errors = result.count("error")
    print(f"{args.files} rule files, {len(paths)} files, {size / 1e6:.2f} MB")
    print(f"baseline: PyYAML C loader alone parses them in {parse:.2f} s")
    print(
        f"check_paths (parse with marks, validate, compile, lint): {library:.2f} s "
        f"({library / parse:.1f}x the bare parse); {errors} errors, {result.count('warning')} warnings"
    )
    print(f"screening check (whole command): {command:.2f} s")


if __name__ == "__main__":
    main()
