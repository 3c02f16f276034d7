"""More scenarios for the CLI fuzzer, aimed where the first ones were thin: a batch of a deal export with a
mapping's odd options (value tables, scale, thousands, date formats, currency rates with bad or missing days,
kept columns that are not there), portfolio reports of results an older batch wrote or a person edited,
FollowTheMoney watchlists whose ``datasets``, topics and identifiers take odd shapes, rule packs whose regime
files are changed where the law's days and thresholds sit, ``--as-of`` against cases dated by ranges, and
YAML that is very long or very deeply nested.

Every generator here takes the ``Builder`` of fuzz/cli_scenarios.py and draws only from its ``rng``.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import random

import yaml
from cli_scenarios import ROOT, Builder, dump, mutate_tree

EXPORT = (ROOT / "examples/deal-export.csv").read_bytes()
EXPORT_MAPPING = yaml.safe_load((ROOT / "examples/deal-export-mapping.yaml").read_text("utf-8"))
RATES = (ROOT / "examples/eur-rates.csv").read_bytes()
FTM = (ROOT / "tests/data/watchlists/entities.ftm.json").read_bytes()
RESULTS = (ROOT / "tests/data/portfolio-results.jsonl").read_bytes()
REGIMES = {p.name: p.read_bytes() for p in sorted((ROOT / "rules/regimes").glob("*.yaml"))}

ODD_DAYS = [
    "20210922",  # what fromisoformat reads, and no table should
    "2021-W38-3",
    "2021-09-22T00:00:00",
    "2021-02-30",
    "2021-9-22",
    "22/09/2021",
    "2021-09",
    "2021",
    " ",
    "N/A",
    "٢٠٢١-٠٩-٢٢",
    "9999-12-31",
    "0001-01-01",
]
ODD_RATES = ["0", "-1.1", "inf", "nan", "1e400", "1,1726", "1.1726 ", "", "N/A", "n/a", "1e-320", "0x1p0", "١٫١"]
ODD_RATES += ["1_1726"]  # what float() reads as 11726


# -- a batch of a deal export, with the mapping's odd options -----------------------------------------------
def rates_table(b: Builder) -> bytes:
    """The example's exchange rates, now and then with days or rates a table should not hold, a row cut short,
    the Date column moved or missing, a day given twice, or a currency column dropped."""
    rng = b.rng
    rows = list(csv.reader(io.StringIO(RATES.decode())))
    for _ in range(rng.choice([0, 1, 1, 2, 3]) if rng.random() < b.heat + 0.2 else 0):
        op = rng.randrange(8)
        try:  # a row emptied or cut short by an earlier change has no cell to change
            i = rng.randrange(1, len(rows))
            if op == 0:
                rows[i][0] = rng.choice(ODD_DAYS)
            elif op == 1:
                rows[i][rng.randrange(1, len(rows[i]))] = rng.choice(ODD_RATES)
            elif op == 2:
                rows[i] = rows[i][: rng.randrange(len(rows[i]))]  # cut short, now and then before the day
            elif op == 3:  # the Date column last
                rows = [r[1:] + r[:1] for r in rows]
            elif op == 4:
                rows[0][0] = rng.choice(["date", "Day", "", "\ufeffDate", " Date "])
            elif op == 5:
                rows.insert(i, [rows[i][0]] + [rng.choice(ODD_RATES[:3] + ["2.0"]) for _ in rows[i][1:]])
            elif op == 6:
                j = rng.randrange(1, len(rows[0]))
                rows = [r[:j] + r[j + 1 :] for r in rows]
            else:
                rows.append([])
        except (IndexError, ValueError):
            pass
    out = io.StringIO()
    csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"])).writerows(rows)
    return out.getvalue().encode("utf-8")


def odd_field(b: Builder, field: dict) -> dict:
    """A mapping field with one of its options changed: a value table's entries or default, a scale, a
    thousands separator, a date format, a currency or its day."""
    rng = b.rng
    field = copy.deepcopy(field)
    op = rng.randrange(9)
    if op == 0 and "values" in field:
        table = field["values"]
        key = rng.choice(sorted(table, key=str))
        table[key] = rng.choice(
            [None, [], [None], ["x", ["y"]], {"kind": "port"}, 1, True, "", "soe", ["soe", "soe"], "\x1b[2J"]
        )
        if rng.random() < 0.3:  # a key YAML reads as a number, a boolean, a date or null
            table[rng.choice([1, 1.5, True, None, "2021-09-22", "", " Public", "PUBLIC", "public"])] = "listed_company"
    elif op == 1 and "values" in field:
        field["default"] = rng.choice([None, "soe", [], [None], 0, {"a": 1}, "not-a-kind", "x" * 500])
    elif op == 2:
        field["scale"] = rng.choice([0, -1, 0.5, 1e308, 1e-320, 10**30, "1000", True, None, float("nan")])
    elif op == 3:
        field["thousands"] = rng.choice([",", ".", " ", "", ",,", "\u202f", "'", "1", "-"])
    elif op == 4:
        field["type"] = rng.choice(["date", "number", "integer", "bound", "country", "boolean", "text", "Date"])
    elif op == 5:
        field["format"] = rng.choice(["%m/%d/%Y", "%d/%m/%Y", "%Y", "%m/%Y", "%j", "%Y-%j", "%", "%Q", "", "%s"])
    elif op == 6:
        field["currency"] = rng.choice(["USD", "usd", "EUR", "XXX", "", "JPY", "Date", ["USD"], None])
        field.setdefault("date", "transaction.signing_date")
    elif op == 7:
        field["date"] = rng.choice(["transaction.signing_date", "transaction.completion_date", "target.name", ""])
    else:
        field["values"] = rng.choice([{}, {"x": "y"}, [], {"Public": {"nested": {"deeper": 1}}}, None])
    return field


def export_mapping(b: Builder, rates: str | None) -> dict:
    """The deal export's mapping, its fields' options changed now and then, its kept columns and its table of
    rates named oddly."""
    rng = b.rng
    doc = copy.deepcopy(EXPORT_MAPPING)
    fields = doc["fields"]
    for _ in range(rng.choice([0, 1, 1, 2, 3]) if rng.random() < b.heat + 0.2 else 0):
        key = rng.choice(sorted(fields))
        if isinstance(fields[key], dict):
            fields[key] = odd_field(b, fields[key])
        else:
            fields[key] = {"column": fields[key], **odd_field(b, {"column": fields[key]})}
    if rng.random() < 0.3:
        doc["keep"] = rng.choice(
            [
                ["Deal Status", "No Such Column"],
                ["score"],
                ["id", "Deal Status"],
                ["Deal Status", "Deal Status"],
                [],
                ["deal status"],
                "Deal Status",
                [1, None],
                ["Deal Number"],
                ["kept"],
            ]
        )
    if rates is not None:
        doc["rates"] = rates
    elif rng.random() < 0.5 * b.heat:
        doc["rates"] = rng.choice(["missing.csv", ".", "", "/dev/zero", "../x.csv", "rates-dir", 7])
    else:
        doc.pop("rates", None)
    if rng.random() < 0.1:
        doc = mutate_tree(doc, rng)
    return doc


def export_batch(b: Builder) -> None:
    """A batch of the deal export (mutated now and then) with its mapping's odd options, ``--keep`` of columns
    that are and are not there, ``--excel``, ``--max-errors``; then, now and then, the portfolio of it."""
    rng = b.rng
    data = b.csv_mutation(EXPORT) if rng.random() < 0.3 else EXPORT
    if rng.random() < 0.2:  # more rows: the same deals under new numbers
        lines = data.splitlines(keepends=True)
        data = lines[0] + b"".join(
            b"9%07d" % i + line[line.find(b",") :] for i, line in enumerate(lines[1:] * rng.choice([2, 10])) if line
        )
    deals = b.path(b.fresh("export", ".csv"), data)
    rates = b.add(b.fresh("rates", ".csv"), rates_table(b)) if rng.random() < 0.9 else None
    if rng.random() < 0.05:
        b.files["rates-dir"] = {"dir": True}
    mapping = b.path(b.fresh("mapping", ".yaml"), dump(export_mapping(b, rates), rng))
    results = b.fresh("results", b.pick([".jsonl", ".csv", ".parquet"], [".JSONL"]))
    argv = ["batch", deals, "-m", mapping, "-o", results]
    for _ in range(rng.choice([0, 0, 1, 2])):
        argv += ["--keep", rng.choice(["Deal Status", "Nope", "", "id", "score", "Deal Number", "deal status"])]
    b.opt(argv, 0.2, "--excel")
    b.opt(argv, 0.2, "--max-errors", b.pick(["0", "1", "100"], ["-1", "x"]))
    b.opt(argv, 0.1, "--as-of", b.date())
    b.opt(argv, 0.5, "--no-progress")
    b.step(argv)
    if rng.random() < 0.3:
        b.step(["check", mapping])
    if rng.random() < 0.4:
        b.step(["portfolio", results, *rng.choice([[], ["-f", "json"], ["-f", "markdown"], ["-f", "html"]])])


# -- portfolio of results an older batch wrote, or a person edited ---------------------------------------------
OLD_KEYS = ["level_rank", "kept", "hits", "notes", "filings", "gaps", "fired", "categories", "source", "title"]


def edited_row(b: Builder, row: dict) -> dict:
    """A results row as an older batch wrote it (keys it did not have yet left out) or as a person edited it
    (a score typed as text, a rank past any level, a list made a text, a key renamed)."""
    rng = b.rng
    row = copy.deepcopy(row)
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.randrange(7)
        if op == 0:
            for key in rng.sample(OLD_KEYS, rng.randint(1, 4)):
                row.pop(key, None)
        elif op == 1:
            row["score"] = rng.choice(
                ["34.0", "", None, -5, 1000, 10**400, 2**63, 1e308, 34, True, "1e400", [34], 0.1 + 0.2]
            )
        elif op == 2:
            row["level_rank"] = rng.choice([-1, 99, 10**30, "2", "²", None, 2.5, True])
        elif op == 3:
            key = rng.choice(["fired", "gaps", "hits"])
            old = row.get(key)
            flat = " ".join(map(str, old)) if isinstance(old, list) else str(old)
            row[key] = rng.choice([flat, None, [1], [[]], ["x"] * 3, {}])
        elif op == 4:
            row["filings"] = rng.choice([{}, {"DE": None}, {"": "mandatory"}, ["DE"], {"DE": {"x": 1}}, "DE"])
        elif op == 5 and row:
            key = rng.choice(sorted(row))
            row[key.upper() if rng.random() < 0.5 else key + " "] = row.pop(key)
        else:
            row["level"] = rng.choice(["", "unknown", "HIGH", None, "low\n", "\x1b[2J", 3, "critical"])
    return row


def old_results(b: Builder) -> None:
    """portfolio of results in JSON Lines or CSV, rows edited or written by an older batch (a CSV header without
    the columns added since, or with them renamed)."""
    rng = b.rng
    rows = [json.loads(line) for line in RESULTS.splitlines() if line.strip()]
    rows = [edited_row(b, r) if rng.random() < 0.4 * b.heat + 0.1 else r for r in rows]
    if rng.random() < 0.6:
        data = b"".join(
            json.dumps(r, default=str, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass") + b"\n"
            for r in rows
        )
        results = b.path(b.fresh("results", ".jsonl"), data)
    else:
        flat = []
        for r in rows:
            cells = {}
            for k, v in r.items():
                if k == "filings" and isinstance(v, dict):
                    cells.update({f"filing.{x}": y for x, y in v.items()})
                elif isinstance(v, list):
                    cells[k] = (" " if k in ("fired", "gaps") else "; ").join(map(str, v))
                elif isinstance(v, dict):
                    cells[k] = json.dumps(v)
                else:
                    cells[k] = "" if v is None else str(v)
            flat.append(cells)
        header = list(dict.fromkeys(k for c in flat for k in c))
        if rng.random() < 0.3:
            header = [h for h in header if h not in rng.sample(OLD_KEYS, 3)]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(flat)
        data = out.getvalue().encode("utf-8", "surrogatepass")
        results = b.path(b.fresh("results", ".csv"), b.csv_mutation(data) if rng.random() < 0.3 else data)
    argv = ["portfolio", results]
    b.opt(argv, 0.6, "-f", b.pick(["text", "json", "markdown", "html"], ["sarif"]))
    b.opt(argv, 0.2, "-o", b.output())
    b.step(argv)


# -- FollowTheMoney watchlists with odd lists and identifiers -----------------------------------------------
def odd_entity(b: Builder, obj: dict, ids: list[str]) -> dict:
    """An FtM entity with its ``datasets``, topics, identifiers, names, ``target`` or schema in an odd shape, or
    a Sanction linked to an entity that is not there, or to itself."""
    rng = b.rng
    obj = copy.deepcopy(obj)
    props = obj.setdefault("properties", {})
    op = rng.randrange(9)
    if op == 0:
        obj["datasets"] = rng.choice([[], ["eu_fsf", "eu_fsf"], ["", " "], "eu_fsf", None, [["x"]], [1], ["x" * 500]])
    elif op == 1:
        props["topics"] = rng.choice([[], ["sanction", "sanction"], ["export.control"], ["SANCTION"], "sanction"])
    elif op == 2:
        key = rng.choice(["leiCode", "registrationNumber", "idNumber", "innCode", "ogrnCode"])
        props[key] = rng.choice(
            [
                ["529900T8BM49AURSDO55"],  # an LEI whose check digits hold
                ["529900T8BM49AURSDO56"],
                ["HRB 12345", "hrb-12345"],
                ["", " ", "-./_"],
                ["x" * 10_000],
                ["ＬＥＩ１２３"],
                ["\x00", "\u202e123"],
                "529900T8BM49AURSDO55",
                [None],
            ]
        )
    elif op == 3:
        props["name"] = rng.choice([[], [""], [" "], ["x"] * 500, ["a\u200bb"], "Fridman", [["Fridman"]], [None]])
    elif op == 4:
        obj["target"] = rng.choice([False, True, None, "false", 0, 1, []])
    elif op == 5:
        obj["schema"] = rng.choice(["Sanction", "LegalEntity", "Vessel", "Thing", "person", "", None])
    elif op == 6:
        obj = {
            "id": f"{obj.get('id')}-sanction-{rng.randrange(99)}",
            "schema": "Sanction",
            "properties": {
                "entity": rng.choice([[rng.choice(ids)], ["missing"], [], [obj.get("id") or "x"] * 2]),
                "programId": rng.choice([["EU-RU"], [], [""], ["x" * 300], ["EU-RU", "EU-RU"]]),
                "sourceUrl": rng.choice([["https://x.example/"], [], ["javascript:alert(1)"]]),
            },
        }
    elif op == 7:
        country = rng.choice(["nationality", "country", "jurisdiction", "citizenship"])
        codes = [["ru"], ["RU"], ["xx"], ["su"], [""], ["ru", "RU"], ["russia"], ["zz-x"], ["suhh", "ua-cri"], ["ddde"]]
        props[country] = rng.choice(codes)
    else:
        obj["id"] = rng.choice([rng.choice(ids), "", " ", "x" * 2000, "a\nb", obj.get("id")])
    return obj


def ftm_watchlist(b: Builder) -> str:
    """The test FtM list, line by line, entities changed in shape; now and then a line given twice."""
    rng = b.rng
    objs = [json.loads(line) for line in FTM.splitlines() if line.strip()]
    ids = [str(o.get("id")) for o in objs]
    out = []
    for obj in objs:
        if rng.random() < 0.35:
            obj = odd_entity(b, obj, ids)
        out.append(json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass"))
        if rng.random() < 0.03:
            out.append(out[-1])
    if rng.random() < 0.2:
        rng.shuffle(out)
    return b.path(b.fresh("list", rng.choice([".json", ".jsonl", ".ftm.json"])), b"\n".join(out) + b"\n")


def screen_ftm(b: Builder) -> None:
    """screen (or batch) with FtM watchlists of odd shapes."""
    rng = b.rng
    case = b.case(bad_ok=False)
    lists = []
    for _ in range(rng.choice([1, 1, 2])):
        lists += ["--watchlist", ftm_watchlist(b)]
    if rng.random() < 0.7:
        argv = ["screen", case, *lists]
        b.opt(argv, 0.5, "-f", rng.choice(["text", "json", "markdown", "html"]))
        b.opt(argv, 0.2, "--match-threshold", rng.choice(["0", "50", "85", "100"]))
    else:
        argv = ["batch", case, b.case(bad_ok=False), *lists, "-o", b.fresh("results", ".jsonl"), "--no-progress"]
    b.step(argv)


# -- rule packs with odd regime files -------------------------------------------------------------------------
REGIME_EDGES = ["2020-04-09", "2020-04-08", "1900-01-01", "2100-12-31", "2017-10-01", "2026-11-28", "2026-11-29"]


def odd_regime(b: Builder, data: bytes) -> bytes:
    """A regime file changed where its law sits: the days it applies from and to (reversed, equal, at an edge,
    a timestamp, a date YAML reads), review periods, sets, investors, its id; or its triggers nested deep."""
    rng = b.rng
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except yaml.YAMLError:
        return data
    if not isinstance(doc, dict) or not isinstance(doc.get("regime"), dict):
        return data
    regime = doc["regime"]
    rules = doc.get("rules") if isinstance(doc.get("rules"), list) else []
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.randrange(9)
        where = rng.choice([regime, *[r for r in rules if isinstance(r, dict)]])
        if op == 0:
            where["valid_from"] = rng.choice(REGIME_EDGES + ["2020-04-09T00:00:00", "20200409", 2020, "2020", None])
        elif op == 1:
            day = rng.choice(REGIME_EDGES)
            where["valid_from"], where["valid_to"] = day, rng.choice([day, "1999-12-31", "2100-12-31", "2020-04-08"])
        elif op == 2 and isinstance(regime.get("review"), list) and regime["review"]:
            phase = regime["review"][0]
            if isinstance(phase, dict):
                phase[rng.choice(["days", "unit", "valid_from", "phase"])] = rng.choice(
                    [0, -1, 10**9, "30", None, 30.5, "", "calendar days", "2020-04-09"]
                )
        elif op == 3 and isinstance(regime.get("sets"), dict) and regime["sets"]:
            key = rng.choice(sorted(regime["sets"]))
            regime["sets"][key] = rng.choice([[], [None], ["x"] * 2000, "soe", {"a": 1}, [["soe"]]])
        elif op == 4:
            regime["id"] = rng.choice(["DE", "de", "", "X" * 40, "UK", "EU", "NL TC", None])
        elif op == 5 and isinstance(regime.get("investors"), list):
            regime["investors"] = rng.choice([[], regime["investors"] * 2, [{"id": "x"}], None])
        elif op == 6 and rules:
            rules.append(copy.deepcopy(rng.choice(rules)))  # a trigger given twice
        elif op == 7 and rules:
            rule = rng.choice(rules)
            if isinstance(rule, dict):
                rule["valid_to"] = rng.choice(REGIME_EDGES)
        else:
            doc = mutate_tree(doc, rng)
            regime = doc.get("regime") if isinstance(doc, dict) and isinstance(doc.get("regime"), dict) else {}
            rules = doc.get("rules") if isinstance(doc, dict) and isinstance(doc.get("rules"), list) else []
    if rules and rng.random() < 0.15:  # a trigger's condition nested deep (last: a deep tree is not walked again)
        rule = rng.choice(rules)
        if isinstance(rule, dict):
            when: object = rule.get("when") or {"field": "target.country", "equals": "JP"}
            for _ in range(rng.choice([20, 63, 64, 65, 100])):
                when = {rng.choice(["all", "any"]): [when]}
            rule["when"] = when
    return dump(doc, rng)


def regime_pack(b: Builder) -> str:
    """The default pack with one or two regime files changed, now and then one given twice under another name."""
    rng = b.rng
    name = f"repo/{b.fresh('pack', '')}"
    for rel, data in b.seeds.cases.items():
        if rel.startswith("cases/") and f"repo/{rel}" not in b.files:
            b.add(f"repo/{rel}", data)
    files = dict(b.seeds.pack)
    for target in rng.sample(sorted(REGIMES), rng.choice([1, 1, 2])):
        files[f"rules/regimes/{target}"] = odd_regime(b, REGIMES[target])
    if rng.random() < 0.1:
        copy_of = rng.choice(sorted(REGIMES))
        files[f"rules/regimes/copy-{copy_of}"] = REGIMES[copy_of]
    for rel, data in files.items():
        b.add(f"{name}/{rel[len('rules/') :]}", data)
    return name


def regime_commands(b: Builder) -> None:
    """check, test, fmt, diff, filings on a pack whose regime files are odd."""
    rng = b.rng
    pack = regime_pack(b)
    which = rng.choice(["check", "test", "fmt", "diff", "filings", "rules"])
    if which == "check":
        argv = ["check", pack, *rng.choice([[], ["-f", "json"], ["-f", "sarif"], ["--as-of", b.date()]])]
    elif which == "test":
        argv = ["test", pack, *rng.choice([[], ["--min-coverage", "100"], ["-f", "junit"], ["-k", "JP"]])]
    elif which == "fmt":
        argv = ["fmt", *rng.choice([["--check"], []]), pack]
    elif which == "diff":
        other = b.pack() or "rules-missing"
        argv = ["diff", *rng.sample([pack, other], 2), b.case(bad_ok=False), *rng.choice([[], ["-f", "json"]])]
    elif which == "rules":
        argv = ["rules", "regimes", "-r", pack, *rng.choice([[], ["-f", "json"]])]
    else:
        argv = ["filings", b.case(bad_ok=False), "-r", pack, *rng.choice([[], ["--as-of", b.date()]])]
    b.step(argv)
    if which == "fmt" and "--check" not in argv and rng.random() < 0.5:
        b.step(["fmt", "--check", pack])  # formatting twice changes nothing


# -- --as-of against cases dated by ranges --------------------------------------------------------------------
RANGES: list[object] = [
    {"between": ["2018-06", 2019]},
    {"between": ["2020-04-08", "2020-04-09"]},
    {"between": ["2025-05-18", "2025-05-19"]},
    {"between": [2017, 2026]},
    {"between": [1900, 2100]},
    {"between": ["2020-04-09", "2020-04-09"]},
    {"between": ["2019-11", "2020-06"]},
    2020,
    "2020-04",
]
"""Dates as reported: ranges (one of a single day, some across a change of law), a month, a year."""
ODD_RANGES: list[object] = [{"between": [2019, 2018]}, {"between": ["2020-04"]}, {"between": []}, {"between": "2020"}]
"""Ranges that are not: reversed, with one end or none, a text."""


def ranged_case(b: Builder) -> str:
    """An example case whose signing, completion or as-of day is a range or a month or a year as reported."""
    rng = b.rng
    name = rng.choice(sorted(b.seeds.case_docs))
    doc = copy.deepcopy(b.seeds.case_docs[name])
    if not isinstance(doc, dict):
        return b.case()
    tx = doc.setdefault("transaction", {})
    for key in rng.sample(["signing_date", "completion_date", "as_of"], rng.choice([1, 1, 2, 3])):
        where = doc if key == "as_of" else tx
        if isinstance(where, dict):
            where[key] = copy.deepcopy(rng.choice(ODD_RANGES if rng.random() < 0.1 * b.heat else RANGES))
    if rng.random() < 0.2:
        doc = mutate_tree(doc, rng)
    return b.path(b.fresh("case", ".yaml"), dump(doc, rng))


def as_of_ranges(b: Builder) -> None:
    """screen, filings or batch with ``--as-of`` (a day, a month, a year, and ones outside the law's years) on
    cases dated by ranges."""
    rng = b.rng
    command = rng.choice(["screen", "screen", "filings", "batch"])
    cases = [ranged_case(b) for _ in range(rng.choice([1, 1, 2]))]
    argv = [command, *cases]
    if command == "batch":
        argv += ["-o", b.fresh("results", ".jsonl"), "--no-progress"]
    argv += ["--as-of", b.date()]
    if command == "screen":
        b.opt(argv, 0.4, "-f", rng.choice(["text", "json", "markdown", "html"]))
        b.opt(argv, 0.2, "--explain")
    b.step(argv)


# -- very long or very deeply nested YAML ---------------------------------------------------------------------
def deep_text(rng: random.Random) -> bytes:
    """A value nested past any sensible depth, in flow or block style, written as text (a dumper would recurse)."""
    depth = rng.choice([100, 1000, 5000, 30_000])
    style = rng.randrange(3)
    if style == 0:
        return b"[" * depth + b"x" + b"]" * depth
    if style == 1:
        return b"{a: " * depth + b"x" + b"}" * depth
    return b"\n" + b"".join(b"  " * i + b"- \n" for i in range(min(depth, 3000))) + b"  " * min(depth, 3000) + b"x"


def long_text(rng: random.Random) -> bytes:
    """A very long value: many items, many keys, a long scalar, many anchors."""
    kind = rng.randrange(4)
    n = rng.choice([1000, 20_000, 200_000])  # 200,000 is past SCREENING_MAX_VALUES: refused at once
    if kind == 0:
        return b"\n" + b"".join(b"  - x%d\n" % i for i in range(n))
    if kind == 1:
        return b"\n" + b"".join(b"  k%d: %d\n" % (i, i) for i in range(n))
    if kind == 2:
        return b'"' + b"y" * (n * 20) + b'"'
    return b"\n" + b"".join(b"  - &a%d x\n  - *a%d\n" % (i, i) for i in range(min(n, 20_000)))


def huge_yaml(b: Builder) -> None:
    """A case, a rule file, a mapping or a watchlist whose one value is very long or very deeply nested."""
    rng = b.rng
    value = deep_text(rng) if rng.random() < 0.5 else long_text(rng)
    kind = rng.choice(["case", "rules", "mapping", "waivers", "list"])
    if kind == "case":
        seed = b.seeds.cases[rng.choice(sorted(b.seeds.cases))]
        key = rng.choice([b"summary", b"tags", b"sources", b"extra"])
        data = seed.rstrip(b"\n") + b"\n" + key + b": " + value + b"\n"
        name = b.path(b.fresh("case", ".yaml"), data)
        argv = rng.choice([["screen", name], ["filings", name], ["check", name], ["batch", name, "-o", "r.jsonl"]])
    elif kind == "rules":
        seed = b.seeds.pack[rng.choice(sorted(k for k in b.seeds.pack if "regimes/" not in k))]
        data = seed.rstrip(b"\n") + b"\n" + rng.choice([b"notes", b"rules"]) + b": " + value + b"\n"
        name = b.path(b.fresh("rules", ".yaml"), data)
        argv = rng.choice([["check", name], ["fmt", "--check", name], ["fmt", name]])
    elif kind == "mapping":
        data = b.seeds.mapping.rstrip(b"\n") + b"\nkeep: " + value + b"\n"
        name = b.path(b.fresh("mapping", ".yaml"), data)
        deals = b.add(b.fresh("deals", ".csv"), b.seeds.deals)
        argv = rng.choice([["check", name], ["batch", deals, "-m", name, "-o", "r.jsonl", "--no-progress"]])
    elif kind == "waivers":
        seed = b.seeds.waivers[rng.choice(sorted(b.seeds.waivers))]
        name = b.path(b.fresh("waivers", ".yaml"), seed.rstrip(b"\n") + b"\nnote: " + value + b"\n")
        argv = ["screen", b.case(bad_ok=False), "-w", name]
    else:
        name = b.path(b.fresh("list", ".yaml"), b"entries: " + value + b"\n")
        argv = ["screen", b.case(bad_ok=False), "--watchlist", name]
    b.step(argv)


EXTRA_COMMANDS = [
    (export_batch, 8),
    (old_results, 4),
    (screen_ftm, 5),
    (regime_commands, 6),
    (as_of_ranges, 5),
    (huge_yaml, 3),
]
"""The generators of this module and their weights, beside those of fuzz/cli_scenarios.py."""
