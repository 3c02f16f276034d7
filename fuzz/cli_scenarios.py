"""Scenarios for the CLI fuzzer: a command line of every command, with the files it names made from the
project's own valid examples (cases/, rules/, entities/, watchlists/, examples/, tests/data/, the hostile
corpus), mutated byte-wise and structurally; paths that are missing, directories, FIFOs, links or odd
names; and an environment with odd limits, dates, widths, terminals and encodings.

Everything is drawn from one ``random.Random``: a seed gives the same scenarios on any machine.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

import yaml
from cli_runner import b64

ROOT = Path(__file__).resolve().parent.parent


def _read(paths: list[Path]) -> dict[str, bytes]:
    return {str(p.relative_to(ROOT)): p.read_bytes() for p in sorted(paths) if p.is_file()}


class Seeds:
    """The valid (and the known-bad) files mutations start from, read once."""

    def __init__(self) -> None:
        self.cases = _read(
            [*ROOT.glob("cases/*.yaml"), *ROOT.glob("tests/data/*.yaml"), *ROOT.glob("tests/hostile/valid/*.yaml")]
        )
        self.bad_cases = _read(
            [
                *ROOT.glob("tests/hostile/*.yaml"),
                *ROOT.glob("tests/bad/cases/*.yaml"),
                *ROOT.glob("tests/fuzz_corpus/fuzz-*"),
            ]
        )
        self.pack = _read([p for p in ROOT.glob("rules/**/*.yaml")])
        self.small_pack = _read(list(ROOT.glob("tests/data/pack/*.yaml")))
        self.bad_rules = _read(list(ROOT.glob("tests/bad/rules/*.yaml")))
        self.bad_packs = {d.name: _read(list(d.rglob("*.yaml"))) for d in sorted(ROOT.glob("tests/bad/packs/*"))}
        self.entities = _read(list(ROOT.glob("entities/*.yaml")))
        self.waivers = _read([*ROOT.glob("tests/data/waivers/*.yaml"), *ROOT.glob("tests/bad/packs/waiver-*/*.yaml")])
        self.waivers = {k: v for k, v in self.waivers.items() if b"waivers:" in v}
        self.watchlists = _read([*ROOT.glob("watchlists/*.csv"), *ROOT.glob("tests/data/watchlists/*.*")])
        self.watchlists = {k: v for k, v in self.watchlists.items() if not k.endswith(".md")}
        self.backtest = _read(list(ROOT.glob("backtest/cases/*.yaml")))
        self.results = _read([ROOT / "tests/data/portfolio-results.jsonl"])
        self.backtest_docs = {}
        for name, data in self.backtest.items():
            try:
                self.backtest_docs[name] = yaml.safe_load(data.decode("utf-8-sig"))
            except Exception:
                pass
        self.deals = (ROOT / "examples/deals.csv").read_bytes()
        self.mapping = (ROOT / "examples/deals-mapping.yaml").read_bytes()
        self.fmt = _read(list(ROOT.glob("tests/data/fmt/*.yaml")))
        self.case_docs = {}
        for name, data in self.cases.items():
            try:
                self.case_docs[name] = yaml.safe_load(data.decode("utf-8-sig"))
            except Exception:
                pass
        self.rule_ids = sorted(
            {
                m.decode()
                for data in self.pack.values()
                for m in __import__("re").findall(rb"- id: ([A-Z]{2}-\d{3})", data)
            }
        )


TOKENS = [
    b"\x1b]52;c;aGVsbG8=\x07",
    b"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    b"\x1b[2J",
    b"\x1b[8m",
    b"\r",
    "\u202e".encode(),
    "\u2066".encode(),
    "\u200b".encode(),
    "\u00ad".encode(),
    "\ufeff".encode(),
    b"[link=http://x]y[/link]",
    b"[red]",
    b"\x00",
    b"\t",
    b"\x85",
    "\u2028".encode(),
    b"\xed\xa0\x80",
    b"\xff",
    b"\xc3",
    b"\\ud800",
    b'"\\ud800"',
    b"1e400",
    b"-1e400",
    b"9" * 400,
    b".inf",
    b".nan",
    b"-0",
    b"+0",
    b".5",
    b"0x1F",
    b"0777",
    b"NO",
    b"yes",
    b"on",
    b"~",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"[",
    b"{",
    b"]",
    b"}",
    b"&a",
    b"*a",
    b"&a [*a, *a]",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary",
    b"!custom",
    b"<<: *a",
    b"---",
    b"...",
    b"%YAML 1.2",
    b"? ",
    b": ",
    b"- ",
    b"#",
    b"'",
    b'"',
    b"|",
    b">",
    b"\n",
    b"\r\n",
    b"2024-02-30",
    b"2024-13-01",
    b"20240101",
    b"1999-12-31",
    b"9999-12-31",
    b"CN",
    b"RU",
    b"XX",
    b"UK",
    b"cn",
    b"acme\n",
    b"  ",
    b'=HYPERLINK("http://x")',
    b"+1",
    b"@SUM(1)",
    b"-2+3",
    b",",
    b";",
    b'""',
    b"1.7976931348623157e308",
    b"4" * 5000,
    b"-",
    b"ref: cosco-shipping-ports",
    b"NaN",
    b"Infinity",
    b"1e3",
    b"100.0000001",
    b"-0.0",
]

STRINGS = [
    "",
    " ",
    "x",
    "CN",
    "RU",
    "XX",
    "acme\n",
    "2024-02-30",
    "2021-09-22",
    "\x1b]52;c;aGk=\x07evil",
    "\u202egnp.exe",
    "Mi\u200bkhail Ma\u200bratovich Fri\u200bdman",
    "Міkhail Maratovich Fridman",
    "[link=http://x]click[/link]",
    "=1+1",
    "@x",
    "\ud800",
    "a" * 100_001,
    "Ünïcödé 华为 عربي",
    "NaN",
    "1e400",
    "\t",
    "\r",
    "../../etc/passwd",
    "SI-001",
    "soe",
    "individual",
    "personal",
    "port",
]


def interesting_value(rng: random.Random, doc: object) -> object:
    kind = rng.randrange(14)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 50, 100, 101, 10**400, -(10**30), 2**63, 24.99, 1e308, -0.0, 0.5])
    if kind == 3:
        return rng.choice(STRINGS)
    if kind == 4:
        return []
    if kind == 5:
        return {}
    if kind == 6:
        depth = rng.choice([10, 63, 64, 65, 100, 250])
        value: object = "x"
        for _ in range(depth):
            value = [value] if rng.random() < 0.5 else {"k": value}
        return value
    if kind == 7:
        return ["x"] * rng.choice([2, 100, 5000])
    if kind == 8:
        return {"ref": rng.choice(["alibaba-group", "cosco-shipping-ports", "china-state", "nope", ""])}
    if kind == 9:
        return dt.date(rng.choice([1, 1970, 2016, 2024, 9999]), rng.randint(1, 12), rng.randint(1, 28))
    if kind == 10:
        return rng.choice([float("inf"), float("nan"), -float("inf")])
    if kind == 11:
        ids = [n for n in nodes(doc) if isinstance(n[1], str)]
        return rng.choice(ids)[1] if ids else "x"
    if kind == 12:
        return copy.deepcopy(rng.choice(list(nodes(doc)))[1])
    return {"id": rng.choice(STRINGS[:8]), "name": "x", "country": "CN"}


def nodes(doc: object, path: tuple = ()):  # type: ignore[no-untyped-def]
    yield path, doc
    if isinstance(doc, dict):
        for k, v in list(doc.items()):
            yield from nodes(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from nodes(v, path + (i,))


def small(doc: object, limit: int = 20_000) -> bool:
    """Whether ``doc`` has at most ``limit`` nodes, aliases expanded (counted without walking them all)."""
    for count, _ in enumerate(nodes(doc)):
        if count > limit:
            return False
    return True


def _parent(doc: object, path: tuple) -> object:
    for key in path[:-1]:
        doc = doc[key]  # type: ignore[index]
    return doc


def same_kind(rng: random.Random, value: object, doc: object) -> object:
    """Another value of the same type as ``value``: a number near a threshold or at an edge, another text of the
    document (an id, a code, a country), a list with an item dropped or repeated, a boolean flipped."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.choice([0, 1, -1, value + 1, value - 1, 100, 101, 50, 25, 10**9, 2**31])
    if isinstance(value, float):
        return rng.choice([0.0, 0.01, 24.99, 25.0, 49.99, 50.0, 50.01, 99.99, 100.0, 100.01, value * 2, -value])
    if isinstance(value, str):
        texts = [v for _, v in nodes(doc) if isinstance(v, str) and len(v) < 80]
        return rng.choice(texts) if texts and rng.random() < 0.8 else value[: rng.randrange(len(value) + 1)]
    if isinstance(value, list) and value:
        out = copy.deepcopy(value)
        i = rng.randrange(len(out))
        if rng.random() < 0.5:
            del out[i]
        else:
            out.append(copy.deepcopy(out[i]))
        return out
    if isinstance(value, dict) and value:
        out = copy.deepcopy(value)
        out.pop(rng.choice(sorted(out, key=str)))
        return out
    return value


def mutate_tree(doc: object, rng: random.Random) -> object:
    """A structural change: a node replaced, deleted, repeated, renamed, moved; or a key added."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        all_nodes = [n for n in nodes(doc) if n[0]]
        if not all_nodes:
            return interesting_value(rng, doc)
        path, value = rng.choice(all_nodes)
        parent = _parent(doc, path)
        key = path[-1]
        op = rng.randrange(11)
        try:
            if op >= 7:  # a value of the same kind: the document stays valid, and its meaning changes
                parent[key] = same_kind(rng, value, doc)  # type: ignore[index]
            elif op in (0, 1):
                parent[key] = interesting_value(rng, doc)  # type: ignore[index]
            elif op == 2:
                del parent[key]  # type: ignore[attr-defined]
            elif op == 3 and isinstance(parent, list):
                parent.insert(key, copy.deepcopy(value))
            elif op == 4 and isinstance(parent, dict):
                parent[str(key)[:-1] + rng.choice("sxe_")] = parent.pop(key)
            elif op == 5 and isinstance(parent, dict):
                parent[rng.choice(["extra", "id", "format", "ref", "<<", "sources", "x" * 50])] = interesting_value(
                    rng, doc
                )
            elif op == 6 and isinstance(parent, list) and len(parent) > 1:
                parent.reverse()
        except (KeyError, IndexError, TypeError):
            pass
    return doc


def dump(doc: object, rng: random.Random, as_json: bool = False) -> bytes:
    if as_json:
        return json.dumps(doc, default=str, ensure_ascii=rng.random() < 0.3).encode("utf-8", "surrogatepass")
    try:
        text = yaml.safe_dump(
            doc,
            sort_keys=False,
            allow_unicode=rng.random() < 0.7,
            default_flow_style=rng.choice([False, False, None, True]),
            width=rng.choice([80, 4000]),
        )
    except (yaml.YAMLError, RecursionError, ValueError):
        return b"x: 1\n"
    return text.encode("utf-8", "surrogatepass")


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes] | None = None) -> bytes:
    """A few byte-wise changes: bits flipped, tokens inserted, spans cut or repeated, lines swapped, a splice."""
    buf = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 5])):
        op = rng.randrange(11)
        n = len(buf)
        at = rng.randrange(n + 1)
        if op == 0 and n:
            buf[min(at, n - 1)] ^= 1 << rng.randrange(8)
        elif op in (1, 2, 3):
            if rng.random() < 0.5:  # where YAML looks: after a key's colon, or at a line's start
                spots = [i + 2 for i in range(n - 1) if buf[i : i + 2] == b": "] or [0]
                at = rng.choice(spots) if rng.random() < 0.5 else at
            buf[at:at] = rng.choice(TOKENS)
        elif op == 4 and n:
            end = min(n, at + rng.randint(1, 64))
            del buf[at:end]
        elif op == 5 and n:
            end = min(n, at + rng.randint(1, 200))
            buf[at:at] = buf[at:end] * rng.choice([1, 2, 50])
        elif op == 6 and n:
            del buf[at:]
        elif op in (7, 8):
            lines = bytes(buf).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                if op == 7:
                    lines[i], lines[j] = lines[j], lines[i]
                else:
                    lines.insert(i, lines[j])
                buf = bytearray(b"\n".join(lines))
        elif op == 9:
            lines = bytes(buf).split(b"\n")
            i = rng.randrange(len(lines))
            lines[i] = rng.choice([b"  ", b"\t", b"    ", b""]) + lines[i].lstrip(b" " if rng.random() < 0.5 else b"")
            buf = bytearray(b"\n".join(lines))
        elif op == 10 and others:
            other = rng.choice(others)
            buf = buf[:at] + other[rng.randrange(len(other) + 1) :]
    return bytes(buf)


class Builder:
    """Builds one scenario: files, then steps; every path it names is in the scenario's own directory."""

    def __init__(self, rng: random.Random, seeds: Seeds):
        self.rng, self.seeds = rng, seeds
        self.files: dict[str, dict] = {}
        self.steps: list[dict] = []
        self.count = 0
        self.git = False
        """Whether the scenario's files are committed to a git repository before the commands run."""
        self.heat = rng.choice([0.03, 0.1, 0.25, 0.5, 1.0])
        """How much goes wrong in this scenario: every chance of a mutation is scaled by it."""

    # -- files ---------------------------------------------------------------------------------------
    def add(self, name: str, data: bytes) -> str:
        self.files[name] = {"data": b64(data)}
        return name

    def fresh(self, stem: str, suffix: str) -> str:
        self.count += 1
        return f"{stem}{self.count}{suffix}"

    def some(
        self, data: bytes, pool: dict[str, bytes] | None = None, *, as_json: bool = False, p: float = 0.6
    ) -> bytes:
        """``data``, or a mutation of it (structural or byte-wise) with probability ``p``."""
        rng = self.rng
        if rng.random() >= p * self.heat:
            return data
        if rng.random() < 0.5:
            try:
                doc = yaml.safe_load(data.decode("utf-8-sig"))
                if small(doc):  # an alias bomb of the corpus expands past any memory once walked
                    return dump(mutate_tree(doc, rng), rng, as_json)
            except Exception:
                pass
        return mutate_bytes(data, rng, list(pool.values()) if pool else None)

    def path(self, name: str, data: bytes | None, *, may_odd: bool = True) -> str:
        """Lay ``data`` out as ``name``, or, now and then, something else at that path (or under another
        name): nothing, a directory, a FIFO, a link (to the file, to nothing, to a device, in a loop)."""
        rng = self.rng
        r = rng.random()
        if not may_odd or r >= 0.18 * self.heat:
            if may_odd and rng.random() < 0.1 * self.heat:
                stem, dot, suffix = name.rpartition(".")
                odd = rng.choice(
                    [
                        "a b",
                        "-dash",
                        "névé ☃",
                        "x\ny",
                        "\x1b[2Jx",
                        "\udcff\udcfe",
                        "a" * 300,
                        ".hidden",
                        "UPPER",
                        "dir/../x",
                        "semi;colon",
                        "$(id)",
                    ]
                )
                name = f"{odd}.{suffix.upper() if rng.random() < 0.2 else suffix}" if dot else odd
            if data is not None:
                self.add(name, data)
            return name
        kind = rng.randrange(8)
        if kind == 0:
            return name  # missing
        if kind == 1:
            self.files[name] = {"dir": True}
        elif kind == 2:
            self.files[name] = {"fifo": True}
        elif kind == 3 and data is not None:
            real = self.add(self.fresh("real", Path(name).suffix), data)
            self.files[name] = {"link": real}
        elif kind == 4:
            self.files[name] = {"link": "missing-target"}
        elif kind == 5:
            self.files[name] = {"link": rng.choice(["/dev/null", "/dev/zero", "/dev/full", "/proc/self/fd/0"])}
        elif kind == 6:
            self.files[name] = {"link": name}
        else:
            return rng.choice(["/dev/stdin", "-", "/dev/null", ".", "", "/nonexistent/x.yaml"])
        return name

    def case(self, bad_ok: bool = True) -> str:
        rng = self.rng
        if rng.random() < 0.25:  # a real case with an outcome: Australia, Canada, mitigations, dates as reported
            seed_name = rng.choice(sorted(self.seeds.backtest_docs))
            self.last_case = getattr(self, "last_case", None) or seed_name
            return self.path(self.fresh("case", ".yaml"), self.deal_case(self.seeds.backtest_docs[seed_name]))
        if rng.random() < 0.25:  # an example case with the regimes' facts, odd sources, a chain cut short
            seed_name = rng.choice(sorted(self.seeds.case_docs))
            self.last_case = getattr(self, "last_case", None) or seed_name
            return self.path(self.fresh("case", ".yaml"), self.deal_case(self.seeds.case_docs[seed_name]))
        pool = self.seeds.bad_cases if bad_ok and rng.random() < 0.2 * self.heat else self.seeds.cases
        seed_name = rng.choice(sorted(pool))
        self.last_case = getattr(self, "last_case", None) or seed_name
        data = self.some(pool[seed_name], self.seeds.cases)
        return self.path(self.fresh("case", ".yaml"), data)

    def deal_case(self, doc: dict) -> bytes:
        """A case document with the newer deal fields set, now and then to values of the wrong kind."""
        rng = self.rng
        if rng.random() < 0.7 * self.heat:
            doc = deal_fields(copy.deepcopy(doc), rng)
        for change, p in ((regime_fields, 0.6), (source_fields, 0.15), (chain_fields, 0.15), (mitigation_fields, 0.1)):
            if rng.random() < p:
                doc = change(copy.deepcopy(doc), rng)
        if rng.random() < 0.3 * self.heat:
            doc = mutate_tree(doc, rng)
        return dump(doc, rng)

    def pack(self) -> str | None:
        """None (the bundled pack), or a directory: the default pack, the small test pack or a bad pack, with
        a file or two mutated, added or removed."""
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return None
        name = self.fresh("pack", "")
        if r < 0.8:
            files, prefix = dict(self.seeds.pack), "rules/"
            name = f"repo/{name}"  # its tests name ../../cases/*.yaml: the example cases beside it, in the root
            for rel, data in self.seeds.cases.items():
                if rel.startswith("cases/") and f"repo/{rel}" not in self.files:
                    self.add(f"repo/{rel}", data)
        elif r < 0.9:
            files, prefix = dict(self.seeds.small_pack), "tests/data/pack/"
        else:
            bad = rng.choice(sorted(self.seeds.bad_packs))
            files, prefix = dict(self.seeds.bad_packs[bad]), f"tests/bad/packs/{bad}/"
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            if not files:
                break
            target = rng.choice(sorted(files))
            op = rng.random()
            if op < 0.8:
                files[target] = self.some(files[target], self.seeds.pack, p=1.0)
            elif op < 0.9:
                del files[target]
            else:
                extra = rng.choice(sorted(self.seeds.bad_rules))
                files[prefix + "extra-" + Path(extra).name] = self.seeds.bad_rules[extra]
        if files and rng.random() < 0.15 * self.heat:  # a rule file with an odd name
            odd = rng.choice(sorted(files))
            files[
                prefix
                + rng.choice(
                    [
                        "state influence.yaml",
                        "-rf.yaml",
                        "new\nline.yaml",
                        "ü.yaml",
                        " .yaml",
                        "\x1b[2J.yaml",
                        "a:b.yaml",
                    ]
                )
            ] = files.pop(odd)
        for rel, data in files.items():
            self.add(f"{name}/{rel[len(prefix) :]}", data)
        if rng.random() < 0.1:
            self.files[f"{name}/linked.yaml"] = {"link": rng.choice(["/etc/hostname", "../secret.txt", "/dev/zero"])}
            self.add("secret.txt", b"AKIAIOSFODNN7EXAMPLE\n")
        if rng.random() < 0.05:
            return self.path(name, None)
        return name

    def registry(self) -> str:
        name = self.fresh("registry", "")
        for rel, data in self.seeds.entities.items():
            self.add(f"{name}/{Path(rel).name}", self.some(data, self.seeds.entities, p=0.3))
        return self.path(name, None) if self.rng.random() < 0.1 else name

    def waivers(self) -> str:
        seed = self.rng.choice(sorted(self.seeds.waivers))
        return self.path(self.fresh("waivers", ".yaml"), self.some(self.seeds.waivers[seed]))

    def watchlist(self) -> str:
        seed = self.rng.choice(sorted(self.seeds.watchlists))
        data = self.seeds.watchlists[seed]
        as_json = seed.endswith(".json")
        data = (
            self.some(data, self.seeds.watchlists, as_json=as_json)
            if not seed.endswith(".csv")
            else self.csv_mutation(data)
            if self.rng.random() < 0.5
            else self.some(data, p=0.5)
        )
        return self.path(self.fresh("list", Path(seed).suffix), data)

    def output(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.1:
            return rng.choice(["/dev/null", "/dev/full", "/dev/stdout", "/dev/stderr", "", ".", "/proc/self/fd/1"])
        name = self.fresh("out", rng.choice([".json", ".txt", ".html", ".md", ".sarif", ".xml", ""]))
        if r < 0.25:
            return self.path(name, b"OLD REPORT\n")
        if r < 0.3:
            self.files[name] = {"fifo": True}
        return name

    def csv_mutation(self, data: bytes) -> bytes:
        """Change cells, the header or the quoting of a CSV file."""
        rng = self.rng
        text = data.decode("utf-8", "surrogateescape")
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return data
        for _ in range(rng.choice([1, 2, 3, 6])):
            i = rng.randrange(len(rows))
            if not rows[i]:
                continue
            j = rng.randrange(len(rows[i]))
            op = rng.randrange(7)
            if op < 3:
                rows[i][j] = rng.choice([rng.choice(STRINGS), rng.choice(TOKENS).decode("utf-8", "surrogateescape")])
            elif op == 6:
                rows[i][j] = rng.choice(["x" * 200_000, "a\x00b", "line\nbreak", '"', "\ufeffid"])
            elif op == 3:
                rows[i].append("extra")
            elif op == 4:
                del rows[i][j]
            else:
                rows.insert(i, list(rows[i]))
        out = io.StringIO()
        csv.writer(
            out, lineterminator=rng.choice(["\n", "\r\n"]), delimiter=rng.choice([",", ",", ",", ";", "\t"])
        ).writerows(rows)
        data = out.getvalue().encode("utf-8", "surrogatepass")
        return (b"\xef\xbb\xbf" + data) if rng.random() < 0.1 else data

    # -- environment ---------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        rng = self.rng
        env: dict[str, str] = {"SCREENING_TODAY": "2026-11-28"}
        heat = self.heat
        if rng.random() < 0.08 * heat:
            env["SCREENING_TODAY"] = rng.choice(
                ["", "2016-01-01", "9999-12-31", "0001-01-01", "2026-02-30", "today", "٢٠٢٦-٠١-٠١", "2026-1-1"]
            )
        for var in ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT"):
            if rng.random() < 0.06 * heat:
                env[var] = rng.choice(
                    [
                        "1",
                        "2",
                        "10",
                        "100",
                        "1000",
                        "5000",
                        "64",
                        "200",
                        "201",
                        "0",
                        "-1",
                        "²",
                        "1e3",
                        " 5",
                        "5 ",
                        "",
                        "9" * 30,
                        "abc",
                        "٣",
                    ]
                )
        if rng.random() < 0.15:
            env["COLUMNS"] = rng.choice(["0", "1", "5", "20", "40", "80", "100000", "-3", "abc", ""])
        if rng.random() < 0.05:
            env["LINES"] = rng.choice(["0", "1", "-1", "x"])
        if rng.random() < 0.1:
            env["NO_COLOR"] = rng.choice(["1", ""])
        if rng.random() < 0.1:
            env["TERM"] = rng.choice(["dumb", "xterm-256color", "", "vt100", "screen"])
        if rng.random() < 0.03:
            env["FORCE_COLOR"] = "1"
        if rng.random() < 0.1:
            env["PYTHONIOENCODING"] = rng.choice(
                [
                    "ascii",
                    "latin-1",
                    "utf-8",
                    "cp1252",
                    "utf-16",
                    "ascii:strict",
                    "utf-8:surrogateescape",
                    "latin-1:replace",
                ]
            )
        if rng.random() < 0.04 * heat:
            choice = rng.randrange(4)
            if choice == 0:
                env["SCREENING_CACHE_DIR"] = ""
            elif choice == 1:
                env["SCREENING_CACHE_DIR"] = self.add("cachefile", b"not a directory")
            elif choice == 2:
                env["SCREENING_CACHE_DIR"] = "missing/deep/cache"
            else:
                self.files["cachelink"] = {"link": "/dev/null"}
                env["SCREENING_CACHE_DIR"] = "cachelink"
        return env

    def step(self, argv: list[str], stdin: bytes = b"", **extra: object) -> None:
        env = self.env()
        if self.rng.random() < 0.08:
            extra["exec"] = True
        step: dict = {"argv": argv, "env": env, **extra}
        if stdin or "/dev/stdin" in argv or "-" in argv:
            step["stdin"] = b64(stdin or self.some(self.seeds.cases[self.rng.choice(sorted(self.seeds.cases))]))
        self.steps.append(step)

    # -- options -------------------------------------------------------------------------------------
    def opt(self, argv: list[str], p: float, *flag: str) -> None:
        if self.rng.random() < p:
            argv.extend(flag)

    def pick(self, valid: list[str], invalid: list[str]) -> str:
        """A valid value of an option, or now and then an invalid one."""
        return self.rng.choice(invalid if self.rng.random() < 0.25 * self.heat else valid)

    def date(self) -> str:
        return self.pick(
            ["2018-07-01", "2026-11-28", "2000-01-01", "2023-06-15", "2018", "2018-12", "2025-05-19", "2023-09-01"]
            + ["1900-01-01", "2100-12-31", "2100", "1900", "2100-12", "2000-02-29"],
            ["2024-02-30", "tomorrow", "2024-1-1", "", "2018-00", "1899", "2018-13", "\u202e2018", "2018-12-01T00:00"]
            + ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01", "1900-02-29", "2100-02-29", "2101"],
        )

    def width(self) -> str:
        return self.pick(["1", "10", "40", "80", "200", "100000"], ["0", "-5", "x", "1e3"])


def screen(b: Builder) -> None:
    rng = b.rng
    argv = ["screen", *[b.case() for _ in range(rng.choice([1, 1, 1, 1, 2, 3]))]]
    if rng.random() < 0.6:
        argv += ["-f", b.pick(["text", "json", "markdown", "html"], ["xml", ""])]
    pack = b.pack()
    if pack:
        argv += ["-r", pack]
    b.opt(argv, 0.2, "-o", b.output())
    b.opt(argv, 0.15, "--fail-on", b.pick(["low", "medium", "high", "critical"], ["extreme"]))
    b.opt(argv, 0.1, "--width", b.width())
    b.opt(argv, 0.1, rng.choice(["--color", "--no-color"]))
    b.opt(argv, 0.2, "-w", b.waivers())
    b.opt(argv, 0.15, "--as-of", b.date())
    b.opt(argv, 0.1, "--entities", b.registry())
    for _ in range(rng.choice([0, 0, 1, 2])):
        argv += ["--watchlist", b.watchlist()]
    b.opt(argv, 0.05, "--match-threshold", b.pick(["0", "100", "50.5", "85"], ["101", "-1", "nan"]))
    b.opt(argv, 0.15, "--explain")
    for _ in range(rng.choice([0, 0, 0, 1, 2, 3])):
        argv += ["--set", set_change(b)]
    extra = {}
    if rng.random() < 0.04 and "-o" not in argv:
        extra["same_as_exec"] = rng.randrange(1, 10_000)
        argv += ["-f", "json"]
    b.step(argv, **extra)


def set_change(b: Builder) -> str:
    rng = b.rng
    name = getattr(b, "last_case", None)
    doc = b.seeds.case_docs.get(name) or b.seeds.case_docs[rng.choice(sorted(b.seeds.case_docs))]
    found = [(p, v) for p, v in nodes(doc) if p and all(isinstance(k, (str, int)) for k in p)]
    path, old = rng.choice(found) if found else ((), None)
    text = ".".join(str(k) for k in path)
    if rng.random() > 0.6 * b.heat:  # a change of the same kind: the case stays valid, its answer moves
        value = same_kind(rng, old, doc)
        flat = json.dumps(value, default=str, ensure_ascii=False)
        return (
            f"{text}={flat}"
            if not isinstance(value, list) or rng.random() < 0.5
            else f"{text}+={json.dumps(value[0] if value else 'x', default=str)}"
        )
    if rng.random() < 0.2:
        text = rng.choice(["", ".", "x", "a." * 300 + "b", "target..name", "entities.99.name", "transaction.kind"])
    value = rng.choice(
        STRINGS[:20]
        + [
            "[a, b]",
            "{kind: port}",
            "&a [*a]",
            "!!python/object:x {}",
            "1e400",
            "9" * 400,
            "'",
            "[",
            "-0",
            ".inf",
            "null",
            "''",
            "2024-02-30",
            "CN",
        ]
    )
    return f"{text}{b.pick(['=', '+='], ['', '==', '-='])}{value}"


def filings(b: Builder) -> None:
    rng = b.rng
    argv = ["filings", *[b.case() for _ in range(rng.choice([1, 1, 2]))]]
    b.opt(argv, 0.4, "-f", b.pick(["text", "json", "markdown"], ["html"]))
    b.opt(argv, 0.3, "--as-of", b.date())
    for _ in range(rng.choice([0, 0, 1, 2])):
        regimes = ["AU", "BE", "CAN", "DE", "ES", "EU", "FR", "IT", "JP", "NL", "NLTC", "UK", "UKEA", "US"]
        argv += ["--regime", b.pick(regimes, ["de", "XX", "CA", "", "\x1b[2J"])]
    pack = b.pack()
    if pack:
        argv += ["-r", pack]
    b.opt(argv, 0.15, "-o", b.output())
    b.opt(argv, 0.1, "--entities", b.registry())
    b.opt(argv, 0.1, "--width", b.width())
    b.opt(argv, 0.1, rng.choice(["--color", "--no-color"]))
    b.step(argv)


def rules(b: Builder) -> None:
    rng = b.rng
    sub = rng.choice(["list", "show", "regimes"])
    argv = ["rules", sub]
    if sub == "show":
        argv.append(
            rng.choice(
                [*b.seeds.rule_ids[:20], "DE-003", "US-001", "si-001", "XX-999", "", "\x1b]8;;x", "SI-001\n", "-"]
            )
        )
    if sub == "list":
        b.opt(argv, 0.3, "-c", rng.choice(["state_influence", "mitigations", "nope", "", "[red]x"]))
    b.opt(argv, 0.4, "-f", b.pick(["text", "json"], ["yaml"]))
    pack = b.pack()
    if pack:
        argv += ["-r", pack]
    b.step(argv)


def facts(b: Builder) -> None:
    argv = ["facts"]
    b.opt(argv, 0.6, "-f", b.rng.choice(["text", "json", "markdown"]))
    b.step(argv)


def pack_paths(b: Builder) -> list[str]:
    """What check and fmt take: pack directories, rule files, and (for check) cases, tests, waivers."""
    rng = b.rng
    paths = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        r = rng.random()
        if r < 0.35:
            pack = b.pack() or b.pack()
            if pack:
                paths.append(pack)
        elif r < 0.6:
            seed = rng.choice(sorted({**b.seeds.pack, **b.seeds.bad_rules}))
            data = {**b.seeds.pack, **b.seeds.bad_rules}[seed]
            paths.append(b.path(b.fresh("rules", ".yaml"), b.some(data, b.seeds.pack)))
        elif r < 0.8:
            paths.append(b.case())
        else:
            paths.append(b.waivers())
    return paths


def check(b: Builder) -> None:
    rng = b.rng
    argv = ["check", *pack_paths(b)]
    pack = b.pack() if rng.random() < 0.3 else None
    if pack:
        argv += ["-r", pack]
    b.opt(argv, 0.5, "-f", b.pick(["text", "json", "github", "sarif"], ["junit"]))
    b.opt(argv, 0.2, "--severity", b.pick(["error", "warning"], ["info"]))
    b.opt(argv, 0.15, "-o", b.output())
    b.opt(argv, 0.15, "--as-of", b.date())
    b.opt(argv, 0.1, "--root", rng.choice([".", "..", "/", "missing", "pack1"]))
    for flag in ("--select", "--ignore"):  # codes and prefixes, repeated or comma-separated, and ones that are not
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            argv += [flag, b.pick(["W302", "W3", "E2", "E201,W302", "W330", "E", "W331,W335"], ["X999", "", "w3", "*"])]
    b.step(argv)


def test(b: Builder) -> None:
    rng = b.rng
    argv = ["test"]
    for _ in range(rng.choice([0, 1, 1, 2])):
        pack = b.pack() or b.pack()
        if pack:
            argv.append(pack)
    if rng.random() < 0.2:  # a pack test that names case files, moved and mutated with the pack
        argv.append(b.case())
    b.opt(argv, 0.5, "-f", b.pick(["text", "json", "github", "junit"], ["sarif"]))
    b.opt(argv, 0.2, "--min-coverage", b.pick(["0", "50", "100"], ["100.1", "-1", "nan"]))
    b.opt(argv, 0.15, "-o", b.output())
    b.opt(argv, 0.1, "--root", rng.choice([".", "..", "/", "missing"]))
    pattern = b.pick(["SI-003", "SI-00?", "alibaba", "*fires*", "be ", "CA-0[0-2]?"], ["", "[", "\x1b[2J", "*" * 300])
    b.opt(argv, 0.25, "-k", pattern)
    b.step(argv)


def init(b: Builder) -> None:
    """A new pack, where init may create one (a fresh, nested or oddly named directory) or may not (an empty
    directory is fine; a file, a link, a pack, the scenario's own directory are not); then what init says to
    run next: check, test with full coverage, fmt --check. Never an absolute path: init creates directories."""
    rng = b.rng
    r = rng.random()
    if r < 0.5:
        target = b.fresh(rng.choice(["my-pack", "a/b/pack", "névé ☃ pack", "-dash", ".hidden", "x\ny"]), "")
    elif r < 0.6:
        target = b.fresh("empty", "")
        b.files[target] = {"dir": True}
    elif r < 0.7:
        target = b.add(b.fresh("file", ".yaml"), b"x: 1\n")
    elif r < 0.8:
        target = b.fresh("link", "")
        b.files[target] = {"link": rng.choice(["missing-target", target])}
    elif r < 0.9:
        target = b.pack() or "."
    else:
        target = rng.choice([".", "..", ""])
    b.step(["init", target])
    if rng.random() < 0.7:
        b.step(["check", target])
        b.step(["test", target, "--min-coverage", "100"])
        b.step(["fmt", "--check", target])


def diff(b: Builder) -> None:
    rng = b.rng
    old = b.pack() or rng.choice(["HEAD:rules", "nope:rules", "pack-missing"])
    new = b.pack() or old
    if rng.random() < 0.4 and not old.startswith(("HEAD:", "nope:", "pack-missing")):  # the old pack from git
        b.git = True
        new, old = (
            old,
            b.pick(
                [f"HEAD:{old}", f"HEAD:{old}/"],
                [f"HEAD~1:{old}", f"HEAD:{old}/pack.yaml", f"--output=x:{old}", f"HEAD:{old}/../.."],
            ),
        )
    argv = ["diff", old, new, *[b.case() for _ in range(rng.choice([0, 0, 1, 2]))]]
    b.opt(argv, 0.5, "-f", b.pick(["text", "json", "markdown"], ["html"]))
    b.opt(argv, 0.15, "-o", b.output())
    b.opt(argv, 0.2, "--fail-on-change")
    b.opt(argv, 0.1, "--root", rng.choice([".", "..", "/", "missing"]))
    b.step(argv)


def fmt(b: Builder) -> None:
    rng = b.rng
    paths = []
    for _ in range(rng.choice([1, 1, 2])):
        if rng.random() < 0.3:
            paths.append(b.pack() or b.pack() or "pack-missing")
        else:
            pool = {**b.seeds.pack, **b.seeds.fmt, **b.seeds.bad_rules}
            seed = rng.choice(sorted(pool))
            paths.append(b.path(b.fresh("rules", ".yaml"), b.some(pool[seed], b.seeds.pack)))
    argv = ["fmt", *paths]
    b.opt(argv, 0.6, "--check")
    b.step(argv)
    if rng.random() < 0.3:  # formatting twice changes nothing
        b.step(["fmt", "--check", *paths])


def schema(b: Builder) -> None:
    kind = b.rng.choice(
        [
            "case",
            "rule",
            "pack",
            "scoring",
            "legal",
            "sources",
            "tests",
            "waivers",
            "regime",
            "mapping",
            "",
            "Case",
            "nope",
            "../case",
        ]
    )
    b.step(["schema", kind])


def flat_rows(b: Builder, n: int) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(b.seeds.deals.decode())))
    out = []
    for i in range(n):
        row = dict(b.rng.choice(rows))
        row["deal_id"] = f"{row['deal_id']}-{i}"
        if b.rng.random() < 0.3:
            col = b.rng.choice(sorted(row))
            row[col] = b.rng.choice(STRINGS)
        out.append(row)
    return out


def batch_input(b: Builder) -> tuple[str, bool]:
    """One input of a batch and whether it needs the mapping."""
    rng = b.rng
    kind = rng.randrange(6)
    n = rng.choice([1, 2, 5, 20, 20, 300])
    if kind == 0:
        name = b.fresh("in", "")
        for i in range(rng.choice([1, 2, 4])):
            b.add(
                f"{name}/{rng.choice(['', 'sub/'])}c{i}.yaml",
                b.some(b.seeds.cases[rng.choice(sorted(b.seeds.cases))], b.seeds.cases),
            )
        if rng.random() < 0.2:
            b.path(f"{name}/odd{rng.randrange(9)}.yaml", b"format: 1\n")
        return b.path(name, None), False
    if kind == 1:
        return b.case(), False
    if kind == 2:
        lines = []
        for _ in range(n):
            doc = b.seeds.case_docs[rng.choice(sorted(b.seeds.case_docs))]
            doc = mutate_tree(doc, rng) if rng.random() < 0.3 else doc
            line = dump(doc, rng, as_json=True)
            lines.append(mutate_bytes(line, rng) if rng.random() < 0.1 else line)
        return b.path(b.fresh("cases", ".jsonl"), b"\n".join(lines) + b"\n"), False
    rows = flat_rows(b, n)
    if kind == 3:
        rows = [{k: typed_value(rng, v) if rng.random() < 0.1 * b.heat else v for k, v in r.items()} for r in rows]
        lines = [json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass") for r in rows]
        lines = [mutate_bytes(x, rng) if rng.random() < 0.1 else x for x in lines]
        return b.path(b.fresh("rows", ".jsonl"), b"\n".join(lines) + b"\n"), True
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if kind == 4:
        return b.path(b.fresh("deals", ".csv"), b.csv_mutation(data) if rng.random() < 0.4 else data), True
    return b.path(b.fresh("deals", ".parquet"), parquet(rows, rng)), True


def typed_value(rng: random.Random, value: str) -> object:
    """A cell of a flat JSON row as another JSON type: a number, a boolean, a list, an object, null."""
    return rng.choice([None, True, 0, -1, 24.9, 1e308, 10**30, [value], [value, 1], {"value": value}, [], ""])


def parquet(rows: list[dict[str, str]], rng: random.Random) -> bytes:
    """The rows as a Parquet file: text columns, or now and then one of another type (numbers, dates, bytes
    that are not UTF-8, lists, booleans, nulls, a dictionary); its pages damaged now and then."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    clean = [
        {k: (v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if v else None) for k, v in r.items()}
        for r in rows
    ]
    table = pa.Table.from_pylist(clean)
    for _ in range(rng.choice([0, 0, 1, 2])):
        name = rng.choice(table.column_names)
        n = table.num_rows
        column = rng.choice(
            [
                pa.array([rng.choice([1.5, 24.9, None, float("nan"), 1e308]) for _ in range(n)], pa.float64()),
                pa.array([rng.choice([0, 1, -5, 2**62, None]) for _ in range(n)], pa.int64()),
                pa.array([dt.date(2021, 9, 22)] * n, pa.date32()),
                pa.array([dt.datetime(2021, 9, 22, 10, 30)] * n, pa.timestamp("us")),
                pa.array([b"\xff\xfe" if i % 2 else b"ok" for i in range(n)], pa.binary()),
                pa.array([["a", "b"]] * n, pa.list_(pa.string())),
                pa.array([True] * n, pa.bool_()),
                pa.nulls(n),
                pa.array(["x"] * n).dictionary_encode(),
                pa.array([{"a": 1}] * n),
            ]
        )
        table = table.set_column(table.column_names.index(name), name, column)
    sink = io.BytesIO()
    pq.write_table(
        table, sink, row_group_size=rng.choice([1, 3, 100]), compression=rng.choice(["snappy", "none", "zstd"])
    )
    data = sink.getvalue()
    if rng.random() < 0.3:
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(4, max(5, len(buf) - 8))] = rng.randrange(256)
        data = bytes(buf)
    return data


READING = {
    b"delimiter": [b"';'", b'"\\t"', b"'|'", b"','", b"'\"'", b'"\\n"', b"' '", "'\u00e9'".encode(), b"';;'", b"''"],
    b"encoding": [b"cp1252", b"utf-16", b"utf-32", b"latin-1", b"hex", b"rot13", b"undefined", b"idna", b"x", b"''"],
    b"decimal": [b"','", b"'.'", b"';'", b"1"],
    b"blanks": [b"[n/a, '-']", b"['']", b"[' ']", b"[1, 2]", b"n/a", b"[D-2018-001]"],
}
"""Values of a mapping's reading options (``delimiter``, ``encoding``, ``decimal``, ``blanks``), good and bad."""


def batch(b: Builder) -> None:
    rng = b.rng
    inputs, mapped = [], False
    for _ in range(rng.choice([1, 1, 2, 3])):
        name, needs = batch_input(b)
        inputs.append(name)
        mapped |= needs
    argv = ["batch", *inputs]
    suffix = b.pick([".jsonl", ".csv", ".parquet"], [".txt", ".JSONL", ""])
    results = rng.choice(inputs) if rng.random() < 0.03 else b.fresh("results", suffix)
    if rng.random() < 0.05:
        results = (
            b.path(results, b"", may_odd=True)
            if rng.random() < 0.5
            else rng.choice(["/dev/null", "/dev/full", "/dev/stdout", ""])
        )
    argv += ["-o", results]
    if mapped and rng.random() < 0.95 or rng.random() < 0.05:
        data = b.seeds.mapping
        if rng.random() < 0.15:  # how the cells are read: odd delimiters, encodings, decimal marks, blanks
            key = rng.choice([b"delimiter", b"encoding", b"decimal", b"blanks"])
            value = rng.choice(READING[key] + [rng.choice(TOKENS)])
            data = data.rstrip(b"\n") + b"\n" + key + b": " + value + b"\n"
        argv += ["-m", b.path(b.fresh("mapping", ".yaml"), b.some(data, p=0.3))]
    pack = b.pack() if rng.random() < 0.3 else None
    if pack:
        argv += ["-r", pack]
    b.opt(argv, 0.05, "--entities", b.registry())
    b.opt(argv, 0.1, "-j", b.pick(["2", "1"], ["0", "x"]))
    b.opt(argv, 0.1, "--timeout", b.pick(["0", "0.5", "5"], ["-1", "nan"]))
    b.opt(argv, 0.15, "--fail-on", rng.choice(["low", "high", "critical"]))
    b.opt(argv, 0.1, rng.choice(["--progress", "--no-progress"]))
    b.opt(argv, 0.05, "--as-of", b.date())
    if rng.random() < 0.01:
        argv += ["--engine", "dask"]
    r = rng.random()
    if r < 0.25:  # a run, its results changed (or not), then the same run resumed or forced
        b.step(argv)
        if rng.random() < 0.7:
            b.steps.append(
                {
                    "mutate": results,
                    "how": rng.choice(["truncate", "bytes", "junk", "truncate"]),
                    "seed": rng.randrange(1 << 30),
                }
            )
        b.step(argv + [rng.choice(["--resume", "--resume", "--force"])])
    elif r < 0.3:  # killed mid-run, then resumed
        b.step(argv, kill=rng.choice([0.3, 0.8, 1.5]))
        b.step(argv + ["--resume"])
    elif r < 0.4:  # results that exist already
        b.add(results, rng.choice([b"", b"{}\n", b"id,score\n", b"garbage\xff\n"]))
        b.step(argv + rng.choice([[], ["--resume"], ["--force"], ["--resume", "--force"]]))
    else:
        b.step(argv)


def other(b: Builder) -> None:
    rng = b.rng
    b.step(
        rng.choice(
            [
                ["--version"],
                ["--help"],
                [],
                ["nope"],
                ["screen"],
                ["rules"],
                ["screen", "--help"],
                ["batch", "-o"],
                ["screen", "--format"],
                ["--version", "screen"],
                ["\x1b[2J"],
            ]
        )
    )


DEAL_DATES = [
    "2018",
    "2018-12",
    "2019-05-01",
    "2017-02-28",
    "2024-02-29",
    dt.date(2018, 1, 1),
    dt.date(2030, 1, 1),
    {"between": ["2018-06", "2019"]},
    {"between": ["2019", "2018"]},
    {"between": ["2018-01-01"]},
    "2018-02-30",
    "1899",
    2018,
    201812,
    "",
    None,
]
"""Signing and completion dates: days, months and years as reported, ranges (some reversed), and values that are
not dates; a completion before the signing, now and then."""


def deal_fields(doc: dict, rng: random.Random) -> dict:
    """Australia's and Canada's newer fields on a case: on an entity (``au_agreement_investor``,
    ``au_associates``, ``au_passive_fund``, ``au_india_threshold``), on the target
    (``au_above_unread_threshold``, ``au_threshold_value``), and the deal's signing and completion dates; each
    now a plausible value, now one of the wrong kind."""
    entities = [e for e in doc.get("entities") or () if isinstance(e, dict)]
    ids = [e.get("id") for e in entities]
    for _ in range(rng.choice([1, 2, 3])):
        where = rng.randrange(4)
        odd = rng.random() < 0.4
        if where == 0 and entities:
            entity = rng.choice(entities)
            key = rng.choice(["au_agreement_investor", "au_passive_fund", "au_india_threshold"])
            entity[key] = interesting_value(rng, doc) if odd else rng.choice([True, False])
        elif where == 1 and entities:
            entity = rng.choice(entities)
            good = rng.sample(ids, rng.randrange(min(3, len(ids)) + 1))
            odd_ids = [entity.get("id"), "nope", "", None, 1, ["x"], "\u202e" + str(ids[0]), "a\x00b", "a\u2028b"]
            wrong = [rng.choice(odd_ids)] if odd else []
            entity["au_associates"] = interesting_value(rng, doc) if odd and rng.random() < 0.5 else good + wrong
        elif where == 2:
            target = doc.setdefault("target", {})
            if isinstance(target, dict):
                if rng.random() < 0.5:
                    target["au_above_unread_threshold"] = interesting_value(rng, doc) if odd else rng.random() < 0.5
                else:
                    target["au_threshold_value"] = (
                        interesting_value(rng, doc) if odd else rng.choice([252_000_000, 261_000_000, 1_100_000_000])
                    )
        else:
            tx = doc.setdefault("transaction", {})
            if isinstance(tx, dict):
                key = rng.choice(["signing_date", "completion_date", "announcement_date"])
                tx[key] = rng.choice(DEAL_DATES)
                if tx[key] is None:
                    del tx[key]
    return doc


REGIME_DAYS = [
    "2019-11-20",
    "2019-11-21",
    "2020-04-08",
    "2020-04-09",
    "2020-06-07",
    "2022-03-21",
    "2022-03-22",
    "2023-08-31",
    "2023-09-01",
    "2025-01-29",
    "2025-01-30",
    "2025-05-18",
    "2025-05-19",
    "1900-01-01",
    "2100-12-31",
]
"""Days on either side of a change of Italy's, Spain's, the Netherlands' or Japan's law, and the first and last
days a case may hold."""

REGIME_FACTS: dict[str, list[tuple[str, str, list[object]]]] = {
    "JP": [
        ("target", "jp_fefta_category", ["non_designated", "designated_non_core", "core"]),
        ("target", "jp_specified_core", [True, False]),
        ("target", "listed", [True, False]),
        ("transaction", "jp_exemption", ["none", "general", "blanket"]),
        ("transaction", "jp_specified_investor", ["specified", "equivalent", "neither"]),
        ("transaction", "jp_accredited", [True, False]),
    ],
    "ES": [
        ("transaction", "es_civil_arms_authorisation", [True, False]),
        ("transaction", "es_eu_transitional_exempt", [True, False]),
        ("transaction", "es_energy_exemption", [True, False]),
        ("target", "es_small_target_excluded", [True, False]),
    ],
    "IT": [("transaction", "it_assets_availability_changed", [True, False])],
    "NL": [
        ("target", "nl_vital_provider", [[], ["banking"], ["port_area", "designated"]]),
        ("target", "nl_sensitive_technology", [[], ["military"], ["dual_use", "decree"]]),
        ("target", "nl_highly_sensitive_technology", [True, False]),
        ("target", "nl_campus_manager", [True, False]),
        ("target", "nl_telecom_relevant_influence", [True, False]),
    ],
}
"""The facts the Japanese, Spanish, Italian and Dutch triggers read, with their plausible values."""

NEWEST_FACTS = {"jp_specified_investor", "jp_specified_core", "es_civil_arms_authorisation"}
"""The facts the last regime changes added: one of them is set whenever the country has one."""

WRONG_KIND: list[object] = [1, 0, 1.0, "yes", "true", "Specified", "neither ", "", None, ["specified"], {"v": True}]
"""Values of the wrong kind for a fact: a number for a boolean or a choice, a text for a boolean, a choice in the
wrong case or with a space, a list, a mapping, null."""


def regime_fields(doc: dict, rng: random.Random) -> dict:
    """Italy's, Spain's, the Netherlands' and Japan's facts on a case (``transaction.jp_specified_investor``,
    ``target.jp_specified_core``, ``transaction.es_civil_arms_authorisation`` and the others their triggers read):
    the target moved to one of those countries now and then, the deal dated on either side of a change of their
    law, a stake near 10%, and each fact now a plausible value, now one of the wrong kind."""
    target, tx = doc.setdefault("target", {}), doc.setdefault("transaction", {})
    if not isinstance(target, dict) or not isinstance(tx, dict):
        return doc
    country = rng.choices(["JP", "ES", "IT", "NL"], weights=[35, 30, 15, 20])[0]
    if rng.random() < 0.7:
        target["country"] = country
    if rng.random() < 0.5:  # both days, or now and then one of them (a completion before the signing, refused)
        day = rng.choice(REGIME_DAYS)
        for key in (
            ["signing_date", "completion_date"]
            if rng.random() < 0.85
            else [rng.choice(["signing_date", "completion_date"])]
        ):
            tx[key] = day
    if rng.random() < 0.3:
        tx["stake_after_pct"] = rng.choice([0.99, 1, 3, 9.99, 10, 10.01, 25, 100])
    facts = REGIME_FACTS[country]
    newest = [f for f in facts if f[1] in NEWEST_FACTS]
    for where, key, values in ([rng.choice(newest)] if newest else []) + rng.sample(
        facts, min(len(facts), rng.choice([0, 1, 2, 3]))
    ):
        part = target if where == "target" else tx
        part[key] = rng.choice(WRONG_KIND) if rng.random() < 0.12 else copy.deepcopy(rng.choice(values))
    return doc


ODD_TITLES = [
    "<script>alert(1)</script>",
    "x\n\n# Heading\n<b>forged</b>\n",
    "[link=https://x]y[/link] [red]z",
    "\u202eevil\u2066",
    "\x1b[2Jcleared",
    "`)` ](javascript:alert(1)) *em* _u_ <!-- c",
    "a" * 5000,
    " ",
    "&amp; &lt; &#x27;",
]
ODD_URLS = [
    'https://x.example/"><script>alert(1)</script>',
    "https://x.example/" + "a" * 20_000,
    "https://x.example/)[y](javascript:alert(1))",
    "https://x.example/\n\n<b>forged</b>",
    "https://javascript:alert(1)@x/",
    "https://x.example/\u202e",
    "http://",
]
BAD_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "HTTPS://X.EXAMPLE/",
    " https://x.example/",
]


def source_fields(doc: dict, rng: random.Random) -> dict:
    """Sources the case lists and no finding cites (the report's other sources): titles, URLs, publishers and
    notes with markup, links to scripts, control and bidirectional characters, line breaks and great lengths; now
    and then a URL that is not http(s), an empty title, a source cited by the target, or one given twice."""
    sources = doc.setdefault("sources", [])
    if not isinstance(sources, list):
        return doc
    for i in range(rng.choice([1, 1, 2, 3])):
        source: dict[str, object] = {"id": f"odd-source-{i}", "title": rng.choice(ODD_TITLES)}
        if rng.random() < 0.8:
            source["url"] = rng.choice(BAD_URLS if rng.random() < 0.1 else ODD_URLS)
        if rng.random() < 0.4:
            source["note"] = rng.choice(ODD_TITLES)
        if rng.random() < 0.3:
            source["publisher"] = rng.choice(ODD_TITLES)
        if rng.random() < 0.05:
            source["title"] = rng.choice(["", None])
        sources.append(source)
    target = doc.get("target")
    if rng.random() < 0.2 and isinstance(target, dict) and isinstance(target.get("sources", []), list):
        target["sources"] = [*target.get("sources", []), "odd-source-0"]
    if rng.random() < 0.05:
        sources.append(copy.deepcopy(sources[-1]))
    return doc


def chain_fields(doc: dict, rng: random.Random) -> dict:
    """An ownership chain stated short of its top (its entities' ``owners_complete`` false, an edge dropped, an
    owner from abroad added above the investor) or said to be whole; the ultimate controllers are then a partial
    list, or the whole one."""
    entities = [e for e in doc.get("entities") or () if isinstance(e, dict)]
    edges = doc.get("ownership")
    for _ in range(rng.choice([1, 2])):
        op = rng.randrange(4)
        if op == 0 and entities:
            rng.choice(entities)["owners_complete"] = rng.random() < 0.5 if rng.random() < 0.9 else "no"
        elif op == 1 and isinstance(edges, list) and edges:
            edges.pop(rng.randrange(len(edges)))
        elif op == 2 and entities and isinstance(edges, list):
            owned = rng.choice(entities).get("id")
            doc["entities"].append(
                {"id": "abroad-owner", "name": "Abroad Holdings", "country": rng.choice(["CN", "US", "RU", "JP"])}
            )
            edges.append(
                {"owner": "abroad-owner", "owned": owned, **rng.choice([{"controlling": True}, {"equity_pct": 60}])}
            )
        else:
            for entity in entities:
                entity["owners_complete"] = rng.random() < 0.3
    return doc


def mitigation_fields(doc: dict, rng: random.Random) -> dict:
    """Mitigations whose status, binding force or days are left out or moved, so that the questions that decide
    mitigations alone are asked (on a case they can lower, or one they cannot)."""
    mitigations = doc.get("mitigations")
    if not isinstance(mitigations, list) or not mitigations or rng.random() < 0.3:
        kind = rng.choice(["ring_fencing", "no_board_seat", "security_officer", "passive_investment"])
        doc["mitigations"] = mitigations = [{"kind": kind}]
    for mitigation in mitigations:
        if not isinstance(mitigation, dict):
            continue
        for key in ("binding", "status", "since", "until", "agreed"):
            if rng.random() < 0.3:
                mitigation.pop(key, None)
        if rng.random() < 0.2:
            mitigation["status"] = rng.choice(["offered", "accepted", "imposed", "rejected", "withdrawn"])
        if rng.random() < 0.1:
            mitigation["until"] = rng.choice(REGIME_DAYS)
    return doc


def backtest(b: Builder) -> None:
    """A corpus directory of real cases with outcomes, mutated (outcomes, mitigations, the new fields), with now
    and then a copy of a case, an empty file, a file that is not YAML, a link back up the tree or to itself."""
    rng = b.rng
    corpus = b.fresh("corpus", "")
    names = rng.sample(sorted(b.seeds.backtest_docs), rng.choice([1, 2, 4, 6]))
    for i, name in enumerate(names):
        b.add(f"{corpus}/{rng.choice(['', 'sub/'])}c{i}.yaml", b.deal_case(b.seeds.backtest_docs[name]))
    extra = rng.random()
    if extra < 0.15:
        b.add(f"{corpus}/copy.yaml", b.seeds.backtest[names[0]])
    elif extra < 0.25:
        b.add(f"{corpus}/empty.yaml", rng.choice([b"", b"\n", b"---\n", b"~\n"]))
    elif extra < 0.35:
        b.files[f"{corpus}/up"] = {"link": ".."}
        b.files[f"{corpus}/self.yaml"] = {"link": "self.yaml"}
    argv = ["backtest", b.path(corpus, None) if rng.random() < 0.05 else corpus, "--replicates", "100"]
    b.opt(argv, 0.5, "-f", b.pick(["text", "json", "html"], ["markdown", ""]))
    b.opt(argv, 0.2, "-o", b.output())
    b.opt(argv, 0.2, "--min-auc", b.pick(["0", "0.5", "1"], ["1.5", "-1", "nan"]))
    b.opt(argv, 0.1, "--seed", b.pick(["0", "7", str(2**63)], ["x", "-1"]))
    pack = b.pack() if rng.random() < 0.2 else None
    if pack:
        argv += ["-r", pack]
    b.step(argv)


def portfolio(b: Builder) -> None:
    """A portfolio report of batch results: the test results mutated, as JSON Lines or as CSV, or the results
    of a batch run in the same scenario."""
    rng = b.rng
    data = next(iter(b.seeds.results.values()))
    if rng.random() < 0.3:
        results = b.fresh("results", rng.choice([".jsonl", ".csv"]))
        b.step(["batch", b.case(), b.case(), "-o", results, "--no-progress"])
    elif rng.random() < 0.8:
        lines = data.splitlines(keepends=True)
        lines = [b.some(line, as_json=True, p=0.3) for line in lines]
        if rng.random() < 0.2:
            lines.append(rng.choice(lines))  # a row given twice
        results = b.path(b.fresh("results", ".jsonl"), b"".join(lines))
    else:
        rows = [json.loads(line) for line in data.splitlines() if line.strip()]
        out = io.StringIO()
        flat = [{k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in r.items()} for r in rows]
        writer = csv.DictWriter(out, fieldnames=list(flat[0]))
        writer.writeheader()
        writer.writerows(flat)
        results = b.path(b.fresh("results", ".csv"), b.csv_mutation(out.getvalue().encode()))
    argv = ["portfolio", results]
    b.opt(argv, 0.6, "-f", b.pick(["text", "json", "markdown", "html"], ["sarif", ""]))
    b.opt(argv, 0.2, "-o", b.output())
    pack = b.pack() if rng.random() < 0.15 else None
    if pack:
        argv += ["-r", pack]
    b.step(argv)


COMMANDS = [
    (screen, 24),
    (filings, 8),
    (rules, 8),
    (facts, 2),
    (check, 14),
    (test, 7),
    (init, 3),
    (diff, 5),
    (fmt, 9),
    (schema, 2),
    (batch, 20),
    (backtest, 8),
    (portfolio, 6),
    (other, 1),
]


def scenario(rng: random.Random, seeds: Seeds) -> dict:
    """One scenario: files and steps, all from ``rng``."""
    b = Builder(rng, seeds)
    every = COMMANDS + cli_extra.EXTRA_COMMANDS
    make = rng.choices([c for c, _ in every], weights=[w for _, w in every])[0]
    make(b)
    return {"command": make.__name__, "files": b.files, "steps": b.steps, "git": b.git}


import cli_extra  # noqa: E402 - the newer generators, built on this module's: imported last, read when called
