"""`screening portfolio`: a batch's results read back (JSON Lines, CSV or Parquet) and summed up as a portfolio.

The results are streamed: memory grows with the number of countries, regimes, rules and facts, not with the
number of rows; only the top cases and the first watchlist hits are kept.
"""

from __future__ import annotations

import csv
import heapq
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from screening.batch.prior import plain_cell
from screening.batch.summary import error_key
from screening.infra.errors import Problem, ScreeningError, fail

TOP = 10
"""Cases listed by score, rules and open questions listed by frequency."""
HITS = 50
"""Watchlist hits listed (all are counted)."""
BINS = 10
"""Bars of the score distribution: 0-9, 10-19, ..., 90-100."""
OUTCOMES = ("mandatory", "call_in", "voluntary", "undetermined", "out_of_scope", "not_in_force")
"""Filing answers, from the one that needs a filing most (screening.pack.regimes.OUTCOME_TEXT)."""
NEEDED = ("mandatory", "call_in", "voluntary")
"""The answers that mean a filing is needed or advisable."""


class Case(NamedTuple):
    """One case of the top list."""

    score: float
    id: str
    title: str
    level: str
    country: str
    source: str


class Portfolio(NamedTuple):
    """What a batch's results say of the portfolio as a whole."""

    file: str
    cases: int
    errors: int
    levels: tuple[str, ...]
    """The levels met, lowest first (by the rows' level_rank where they have it)."""
    by_level: dict[str, int]
    by_country: dict[str, dict[str, int]]
    """Investor country ("" when not given) -> level -> cases, most cases first."""
    filings: dict[str, dict[str, int]]
    """Regime -> filing answer -> cases, regimes in the results' order."""
    questions: tuple[tuple[str, int, str], ...]
    """The most frequent open questions: (its facts joined by ", ", cases, question); facts that ask the same
    question are one question, counted once a case."""
    rules: tuple[tuple[str, int, str], ...]
    """The rules that fired most: (rule id, cases, title)."""
    hit_cases: int
    """Cases with at least one watchlist hit."""
    hits: tuple[tuple[str, str, str], ...]
    """The first watchlist hits: (case id, title, hit)."""
    top: tuple[Case, ...]
    scores: tuple[int, ...]
    """Cases per score band of 10 points (the last band holds 90 to 100)."""
    error_groups: tuple[tuple[str, str, int], ...]
    """Cases that could not be screened, by problem code and input column."""
    unlisted: int = 0
    """Cases not screened against any list (their gaps name ``group.watchlist_hits``)."""


def read_portfolio(path: Path, pack_path: Path | None = None) -> Portfolio:
    """Sum up the results in ``path``; the pack (default: the bundled one) gives rules' titles and questions.

    Raises ScreeningError (exit 2) for a file that cannot be read or is not results of ``screening batch``.
    """
    tally = _Tally()
    for row in rows(path):
        tally.add(row)
    return tally.portfolio(str(path), pack_path)


def rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of results in any of batch's formats, as JSON Lines rows (``filings`` as a mapping)."""
    name, suffix = str(path), path.suffix.lower()
    if suffix not in (".jsonl", ".csv", ".parquet"):
        raise fail(name, "E001", f"unknown results format '{path.suffix}'; expected .jsonl, .csv or .parquet")
    from screening.infra.files import open_input

    open_input(path).close()  # missing, a directory, or a device, FIFO or link to /dev/zero: E001, never read
    try:
        if suffix == ".jsonl":
            yield from _jsonl(path)
        elif suffix == ".csv":
            yield from _csv(path)
        else:
            yield from _parquet(path)
    except OSError as exc:
        raise fail(name, "E001", f"cannot read the results: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise fail(name, "E002", f"not valid UTF-8: {exc.reason}") from None


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise fail(str(path), "E100", f"not a result row: {exc}", number) from None
            if not isinstance(row, dict) or "level" not in row or "id" not in row:
                raise fail(str(path), "E105", "not a result row of screening batch: no 'id' or 'level'", number)
            wrong = _wrong(row) or _unscored(row)
            if wrong is not None:
                key, code, message = wrong
                at = line.find(json.dumps(key))
                raise fail(str(path), code, message, number, at + 1 if at >= 0 else None, (key,))
            yield row


_TEXTS = ("id", "source", "title", "investor_country", "level", "error")
_LISTS = ("fired", "gaps", "hits")


def _wrong(row: dict[str, Any]) -> tuple[str, str, str] | None:
    """The first value of a results row that is not of the kind ``screening batch`` writes: (key, code, message),
    or None. A row that was edited or made by another program would otherwise stop the report half-way."""
    import math

    def kind(value: Any) -> str:
        return (
            "null"
            if value is None
            else {bool: "a boolean", dict: "a mapping", list: "a list"}.get(
                type(value), "text" if isinstance(value, str) else "a number"
            )
        )

    for key in _TEXTS:
        value = row.get(key)
        if value is not None and not isinstance(value, str) and not (key == "id" and _plain_number(value)):
            return key, "E103", f"'{key}': expected text, found {kind(value)}"
    score = row.get("score")
    if score is not None:
        if not _plain_number(score):
            return "score", "E103", f"'score': expected a number, found {kind(score)}"
        # a whole number past a float's range (JSON keeps 400 digits exact) is as unusable as an infinity
        if not (math.isfinite(score) if isinstance(score, float) else abs(score) <= sys.float_info.max):
            return "score", "E106", f"'score': expected a finite number, found {_shown(score)}"
    rank = row.get("level_rank")
    if rank is not None and not (isinstance(rank, int) and not isinstance(rank, bool)):
        return "level_rank", "E103", f"'level_rank': expected a whole number, found {kind(rank)}"
    for key in _LISTS:
        value = row.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return key, "E103", f"'{key}': expected a list of texts, found {kind(value)}"
    filings = row.get("filings")
    if filings is not None and not (isinstance(filings, dict) and all(isinstance(v, str) for v in filings.values())):
        return "filings", "E103", f"'filings': expected a mapping of regimes to answers, found {kind(filings)}"
    return None


def _shown(number: float) -> str:
    """A number for a message; a whole number past a float's range by its count of digits."""
    return str(number) if isinstance(number, float) else f"a whole number of {len(str(abs(number)))} digits"


_RANK = re.compile(r"[0-9]{1,9}")
"""A CSV row's level rank: ASCII digits, few enough for a rank."""


def _unscored(row: dict[str, Any]) -> tuple[str, str, str] | None:
    """A row without an error that lacks its level or its score: (key, code, message), or None. Such a row was
    counted as a case and in no level, so that the levels did not add up to the cases, without a word."""
    if row.get("error"):
        return None
    for key in ("level", "score"):
        if row.get(key) is None or row.get(key) == "":
            return key, "E105", f"a row without an error needs a '{key}' (a broken case has an 'error')"
    return None


def _plain_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _csv(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:  # -sig: results written with --excel
        reader = csv.DictReader(handle)
        try:
            yield from _csv_rows(path, reader)
        except csv.Error as exc:  # a cell over the csv module's field limit, at the line the record starts on
            raise fail(str(path), "E100", f"invalid CSV: {exc}", reader.line_num + 1) from None


def _csv_rows(path: Path, reader: csv.DictReader[str]) -> Iterator[dict[str, Any]]:
    """The rows of a CSV reader of results, as JSON Lines rows; the caller turns a csv.Error into a located one."""
    header = reader.fieldnames or []
    if "level" not in header or "id" not in header:
        raise fail(str(path), "E105", "not results of screening batch: no 'id' or 'level' column", 1)
    regimes = [h for h in header if h.startswith("filing.")]
    for cells in reader:
        row = {
            "id": plain_cell(cells.get("id") or ""),
            "source": plain_cell(cells.get("source") or ""),
            "title": plain_cell(cells.get("title") or ""),
            "investor_country": plain_cell(cells.get("investor_country") or ""),
            "score": _score(cells.get("score"), str(path), reader.line_num, header.index("score") + 1)
            if cells.get("score")
            else None,
            "level": plain_cell(cells.get("level") or "") or None,
            # isdigit() alone takes '²' and other digits that int() refuses
            "level_rank": int(cells["level_rank"]) if _RANK.fullmatch(cells.get("level_rank") or "") else None,
            "fired": plain_cell(cells.get("fired") or "").split(),
            "gaps": plain_cell(cells.get("gaps") or "").split(),
            "filings": {r[7:]: plain_cell(cells[r]) for r in regimes if cells.get(r)},
            **({"hits": _split(cells.get("hits") or "")} if "hits" in header else {}),
            "error": plain_cell(cells.get("error") or ""),
        }
        wrong = _unscored(row)
        if wrong is not None:
            column = header.index(wrong[0]) + 1 if wrong[0] in header else None
            raise fail(str(path), wrong[1], wrong[2], reader.line_num, column, (wrong[0],))
        yield row


def _score(cell: Any, file: str, line: int, column: int) -> float:
    """A CSV row's score: a finite number, else a located error (the report would stop half-way on it)."""
    import math

    try:
        value = float(plain_cell(cell) if isinstance(cell, str) else cell)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise fail(file, "E106", f"'score': expected a finite number, found {cell!r}", line, column, ("score",))
    return value


def _split(cell: str) -> list[str]:
    text = plain_cell(cell)
    return text.split("; ") if text else []


def _parquet(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise fail(str(path), "E001", f"cannot read as Parquet: {exc}") from None
    names = handle.schema_arrow.names
    if "level" not in names or "id" not in names:
        raise fail(str(path), "E105", "not results of screening batch: no 'id' or 'level' column")
    for batch in handle.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            row["filings"] = {k[7:]: v for k, v in row.items() if k.startswith("filing.") and v is not None}
            wrong = _wrong(row) or _unscored(row)
            if wrong is not None:
                raise fail(str(path), wrong[1], wrong[2], path=(wrong[0],))
            yield row


class _Tally:
    def __init__(self) -> None:
        self.cases = self.errors = self.hit_cases = 0
        self.ranks: dict[str, int] = {}
        self.by_level: Counter[str] = Counter()
        self.by_country: dict[str, Counter[str]] = {}
        self.filings: dict[str, Counter[str]] = {}
        self.gaps: Counter[str] = Counter()
        """Cases per open question (the facts that share a question are one question, counted once a case)."""
        self.asked: dict[str, set[str]] = {}
        """Each question's facts, as the rows name them."""
        self.rules: Counter[str] = Counter()
        self.hits: list[tuple[str, str, str]] = []
        self.top: list[tuple[float, int, Case]] = []
        self.scores = [0] * BINS
        self.error_groups: Counter[tuple[str, str]] = Counter()
        self.unlisted = 0

    def add(self, row: dict[str, Any]) -> None:
        self.cases += 1
        if row.get("error"):
            self.errors += 1
            self.error_groups[error_key(str(row["error"]))] += 1
            return
        level, score = row.get("level"), row.get("score")
        if not isinstance(level, str) or not isinstance(score, (int, float)):
            return
        rank = row.get("level_rank")
        if isinstance(rank, int):
            self.ranks[level] = rank
        self.by_level[level] += 1
        country = str(row.get("investor_country") or "")
        self.by_country.setdefault(country, Counter())[level] += 1
        for regime, outcome in (row.get("filings") or {}).items():
            self.filings.setdefault(regime, Counter())[str(outcome)] += 1
        gaps = set(row.get("gaps") or ())
        questions: set[str] = set()
        for fact in gaps:
            question = _question(fact)
            questions.add(question)
            self.asked.setdefault(question, set()).add(fact)
        self.gaps.update(questions)
        self.unlisted += "group.watchlist_hits" in gaps
        self.rules.update(set(row.get("fired") or ()))
        hits = row.get("hits") or ()
        if hits:
            self.hit_cases += 1
            for hit in hits:
                if len(self.hits) < HITS:
                    self.hits.append((str(row["id"]), str(row.get("title") or ""), str(hit)))
        self.scores[min(BINS - 1, max(0, int(score // 10)))] += 1
        case = Case(float(score), str(row["id"]), str(row.get("title") or ""), level, country, str(row.get("source")))
        entry = (float(score), -self.cases, case)  # ties: the earlier row ranks higher
        if len(self.top) < TOP:
            heapq.heappush(self.top, entry)
        else:
            heapq.heappushpop(self.top, entry)

    def portfolio(self, file: str, pack_path: Path | None) -> Portfolio:
        from screening.pack.load import default_pack_path, load_pack

        try:
            pack = load_pack(pack_path or default_pack_path())
            titles = {r.id: r.title for r in pack.rules}
            order = list(pack.scoring.names)
        except ScreeningError as exc:
            raise ScreeningError([Problem(p.file, p.line, p.column, p.code, p.message) for p in exc.problems]) from None
        met = [lv for lv in self.by_level if lv not in order]  # results of another pack: its levels, by rank
        known = [*order, *sorted(met, key=lambda lv: self.ranks.get(lv, 99))]
        questions = tuple(
            (", ".join(sorted(self.asked[question])), n, question if question not in self.asked[question] else "")
            for question, n in _most(self.gaps)
        )
        return Portfolio(
            file,
            self.cases,
            self.errors,
            tuple(known),
            dict(self.by_level),
            {c: dict(n) for c, n in sorted(self.by_country.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))},
            {
                r: {o: n[o] for o in (*OUTCOMES, *sorted(set(n) - set(OUTCOMES))) if n[o]}
                for r, n in self.filings.items()
            },
            questions,
            tuple((rule, n, titles.get(rule, "")) for rule, n in _most(self.rules)),
            self.hit_cases,
            tuple(self.hits),
            tuple(case for _, _, case in sorted(self.top, reverse=True)),
            tuple(self.scores),
            tuple((code, column, n) for (code, column), n in self.error_groups.most_common()),
            self.unlisted,
        )


def _question(fact: str) -> str:
    """The question a gap's fact asks (``{name}`` read as "the investor"), or the fact itself when the catalogue
    has none; facts that ask the same question (``group.sector_acquisitions`` and ``group.host_sector_acquisitions``)
    give it once."""
    from screening.case.catalogue import catalogue

    known = catalogue().get(fact)
    return known.question.replace("{name}", "the investor") if known is not None and known.question else fact


def _most(counts: Counter[str]) -> list[tuple[str, int]]:
    """The ``TOP`` most frequent, ties in name order (the same report whatever the order of the rows' sets)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
