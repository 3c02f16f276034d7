"""Write screening/case/country-names.json: the names of countries (in many languages and spellings) that a
deal table's `type: country` column may hold, with their ISO 3166-1 alpha-2 codes, taken from OpenSanctions'
rigour (its territories: each country's name, full name and strong names, as FollowTheMoney reads them).

    python scripts/country_names.py          # rewrite the file (needs rigour: pip install ".[names]")
    python scripts/country_names.py --check  # exit 1 when the file differs from what rigour gives

The tool reads the file, not rigour, so that `pip install .` maps the same names with or without the extra.
Only countries (ISO 3166-1 and XK) and the parts of a country that no other state claims (England: GB, the
Canary Islands: ES) are named; a contested territory (Crimea, Northern Cyprus) maps to no country, and a
name two countries share is left out. Weak names and places of rigour are not used: "Georgia" is GE, never a
US state. tests/test_countries.py runs the check when rigour is installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "screening" / "case" / "country-names.json"


def derive() -> dict[str, str]:
    from rigour._core import territories_jsonl
    from rigour.data import iter_jsonl_text
    from rigour.territories import get_territory

    from screening.case.countries import name_key, names

    iso = set(names())
    found: dict[str, set[str]] = {}
    for data in iter_jsonl_text(territories_jsonl()):
        territory = get_territory(data["code"])
        assert territory is not None, data["code"]
        code = territory.code.upper()
        if code not in iso:
            parent = territory.parent
            if parent is None or territory.claims or parent.code.upper() not in iso:
                continue
            code = parent.code.upper()
        for text in (data["name"], data.get("full_name"), *data.get("names_strong", [])):
            key = name_key(text or "")
            if key:
                found.setdefault(key, set()).add(code)
    return {key: codes.pop() for key, codes in sorted(found.items()) if len(codes) == 1}


def render(table: dict[str, str]) -> str:
    return json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is out of date")
    args = parser.parse_args()
    text = render(derive())
    if args.check:
        if OUT.read_text("utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/country_names.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {text.count(chr(10)) - 2} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
