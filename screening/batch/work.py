"""The per-case work, done where the case is screened: parse the raw item, build the case, assess it."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.batch.inputs import Inline, Item, Unreadable
from screening.batch.mapping import Mapping
from screening.case.model import Case
from screening.infra.errors import Problem, ScreeningError
from screening.infra.text import number
from screening.infra.yamlio import Limits, beyond, limits
from screening.pack.load import Pack

if TYPE_CHECKING:
    from screening.infra.budget import TimeLimit


class Config(NamedTuple):
    """What a worker needs besides the items: small and picklable, so it can be sent once to each worker."""

    pack: str
    """Directory of the rule pack."""
    registry: str | None = None
    mapping: Mapping | None = None
    timeout: float | None = None
    """Most seconds one case may take to read and screen; a case over it fails its row (E405)."""
    watchlists: tuple[str, ...] = ()
    """Sanctions or export-control lists every case's group is matched against (as ``screen --watchlist``)."""
    waivers: str | None = None
    """Waivers file (as ``screen --waivers``)."""
    as_of: str | None = None
    """The day (YYYY-MM-DD) waivers and the law are judged on; None: as ``screen`` does without --as-of."""
    threshold: float = 90.0
    """Name similarity (0-100) from which a watchlist entry is a hit."""
    fast: bool = True
    """Case lines the quick path accepts are read and screened on it (screening.case.lines,
    screening.decision.brief): the same rows, computed without the work a row does not show."""
    today: str | None = None
    """Today (YYYY-MM-DD) for the whole batch, read once when it is planned; None: the quick path is not taken
    (SCREENING_TODAY is malformed, and the full path says so in each row)."""
    limits: Limits | None = None
    """The limits of a case line, read once when the batch is planned; None: the quick path is not taken."""


class Bundle(NamedTuple):
    """A Config with the files it names, for workers that do not share the client's files (a Dask cluster).

    The pack's files (and the registry's, when one is named) travel as bytes; a worker writes them once to
    a directory named after their digest and loads them from there (``unbundle``).
    """

    config: Config
    digest: str
    pack: tuple[tuple[str, bytes], ...]
    """Each file of the pack: its path inside the pack, its content."""
    registry: tuple[tuple[str, bytes], ...] | None


def bundle(config: Config) -> Bundle:
    """The config with its pack's and registry's files."""
    import hashlib

    from screening.pack.load import pack_files

    root = Path(config.pack)
    pack, digest = _read(root, pack_files(root))
    registry = None
    if config.registry is not None:
        folder = Path(config.registry)
        registry, registry_digest = _read(folder, sorted(folder.glob("*.yaml")))
        digest += " " + registry_digest
    return Bundle(config, hashlib.sha256(digest.encode()).hexdigest(), pack, registry)


def _read(root: Path, paths: list[Path]) -> tuple[tuple[tuple[str, bytes], ...], str]:
    """The files (path inside ``root``, bytes) and their digest (screening.infra.cache.files_digest)."""
    from screening.infra.cache import files_digest

    raw = {path: path.read_bytes() for path in paths}
    return tuple((path.relative_to(root).as_posix(), raw[path]) for path in paths), files_digest(root, paths, raw)


_UNBUNDLED: dict[str, Config] = {}


def unbundle(sent: Bundle) -> Config:
    """The config of a bundle with local paths: its files written once per machine, under a directory named
    after their digest (so the pack cache finds them again, run after run)."""
    found = _UNBUNDLED.get(sent.digest)
    if found is not None:
        return found
    import os
    import tempfile

    home = Path(tempfile.gettempdir()) / f"screening-bundle-{sent.digest[:24]}"
    if not home.is_dir():
        staging = Path(tempfile.mkdtemp(prefix=home.name + "-", dir=home.parent))
        for base, files in (("pack", sent.pack), ("registry", sent.registry or ())):
            for name, content in files:
                path = staging / base / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        try:
            os.rename(staging, home)  # whole or not at all; another worker may have written it meanwhile
        except OSError:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
    found = _UNBUNDLED[sent.digest] = sent.config._replace(
        pack=str(home / "pack"), registry=str(home / "registry") if sent.registry is not None else None
    )
    return found


def process_bundled(chunk: list[Item], sent: Bundle) -> list[dict[str, Any]]:
    """``process_chunk`` on a worker that received the pack (and registry) as a bundle."""
    return process_chunk(chunk, unbundle(sent))


EMPTY_ROW: dict[str, Any] = {
    "title": "",
    "investor_country": "",
    "score": None,
    "level": None,
    "categories": {},
    "fired": [],
    "gaps": [],
    "filings": {},
    "hits": [],
}
"""The row of a case that could not be screened (its id and error are added)."""


@lru_cache(maxsize=4)
def pack_for(path: str) -> Pack:
    """The pack in ``path``, loaded and compiled (to generated code, see
    screening.conditions.compiled.evaluator) once per worker.

    The rules are compiled, and so are the regimes' reach and triggers (screening.decision.filings.compile_brief).
    """
    from screening.conditions.compiled.evaluator import evaluator
    from screening.decision.filings import compile_brief
    from screening.pack.load import load_pack

    pack = load_pack(Path(path))
    evaluator(pack)  # a batch pays for compiling at once: screen() then uses it from the first case
    if pack.regimes:
        compile_brief(pack.regimes)
    return pack


class Context(NamedTuple):
    """What every case of a batch is screened with besides the pack: read once per process."""

    waivers: dict[tuple[str, str], Any] | None = None
    on: Any = None
    watchlist: Any = None
    threshold: float = 90.0


@lru_cache(maxsize=4)
def context_for(watchlists: tuple[str, ...], waivers: str | None, as_of: str | None, threshold: float) -> Context:
    """The watchlist, the waivers (malformed ones waive nothing) and the day of a batch, loaded once per process."""
    import datetime as dt

    found = None
    if waivers is not None:
        from screening.pack.waivers import index, load_waivers

        found = index(load_waivers(Path(waivers))[0])
    watchlist = None
    if watchlists:
        from screening.case.watchlists import load_watchlists

        watchlist = load_watchlists([Path(p) for p in watchlists])
    return Context(found, dt.date.fromisoformat(as_of) if as_of else None, watchlist, threshold)


def _context(config: Config) -> Context:
    return context_for(config.watchlists, config.waivers, config.as_of, config.threshold)


def assess(case: Case, pack: Pack, context: Context | None = None) -> dict[str, Any]:
    """Screen one case and return its result row: id, score, level, categories, fired, gaps and filings.

    ``fired`` lists every rule that fired (risk rules highest points first, then mitigations); ``gaps``
    lists the names of the facts whose absence left rules undecided, most rule points at stake first;
    ``filings`` gives the answer of each regime that reaches the case, on the case's own day.
    """
    from screening.decision.engine import screen

    context = context or Context()
    result = screen(
        case,
        pack,
        context.waivers,
        context.on,
        context.watchlist,
        context.threshold,
        evidence=False,
        value_gaps=False,  # a row shows no gap's figure
        law_today=False,  # nor the answer under today's law
    )
    hits = result.facts.values.get("group.watchlist_hits") or []
    country = case.investor.country
    return {
        "id": case.id,
        "title": case.title,
        "investor_country": country if isinstance(country, str) else "",
        "score": number(result.score),  # 66, as every report writes it (not 66.0)
        "level": result.level,
        "categories": {c.id: number(c.score + 0.0) for c in result.categories},  # + 0.0: no -0.0 credit
        "fired": [f.rule.id for f in (*result.findings, *result.mitigations)],
        # the gaps not valued come most rule points at stake first, as the quick path names them
        # (screening.decision.brief.gap_names); a report ranks them by what their answer could do to the score
        "gaps": list(dict.fromkeys(name for gap in result.gaps for name in gap.facts)),
        "filings": {}
        if result.filings is None
        else {d.regime.id: d.outcome for d in result.filings.decisions if d.reached},
        "hits": [_hit(h) for h in hits],
    }


def _row(item: Item, config: Config, pack: Pack, extra: dict[str, Any]) -> dict[str, Any]:
    """The row of one item: on the quick path when its case takes it, else read and screened in full."""
    quick = config.fast and config.today is not None and config.limits is not None
    if quick and item.kind == "json" and isinstance(item.payload, str):
        from screening.case.lines import read_line

        assert config.limits is not None
        found = read_line(item.payload, item.file, item.line or 1, config.limits)
        if found is not None:
            return briefed(found, config, pack)
    case, quickly = read(item, config, extra, quick)
    if quickly:
        return briefed(case, config, pack)
    if case.notes:  # a field under its old name (W380): said in the row, as the mapping's notes are
        extra.setdefault("notes", []).extend(f"{p.message} [{p.code} {p.name}]" for p in case.notes)
    return assess(case, pack, _context(config))


def briefed(case: Case, config: Config, pack: Pack) -> dict[str, Any]:
    """The row of a case read on the quick path (msgspec types generated from the case schema,
    screening.case.lines), screened for what the row shows (screening.decision.brief)."""
    from screening.decision.brief import brief

    assert config.today is not None
    context = _context(config)
    hits = None
    if context.watchlist is not None:
        from screening.case.model import group_of
        from screening.case.watchlists import entity_names, match

        hits = match(entity_names(e for e, _ in group_of(case)), context.watchlist, context.threshold)
    found = brief(case, pack, _day(config.today), context.waivers, context.on, hits)
    country = case.investor.country
    return {
        "id": case.id,
        "title": case.title,
        "investor_country": country if isinstance(country, str) else "",
        **found,
        "hits": [_hit(h) for h in _hits_of(hits)],
    }


def _hits_of(hits: Any) -> list[dict[str, Any]]:
    """The watchlist hits as the fact ``group.watchlist_hits`` gives them (what a full screen's row reads)."""
    from screening.case.facts import hit_records

    return hit_records(hits) if hits is not None else []


@lru_cache(maxsize=4)
def _day(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def _hit(hit: dict[str, Any]) -> str:
    """A watchlist hit in a row: ``NAME ~ LISTED NAME (lists, score)``."""
    said = ", ".join(x for x in (str(hit["lists"]), f"{hit['score']:g}") if x)
    return f"{hit['name']} ~ {hit['matched_name']} ({said})"


_CHUNK = threading.local()
"""``limit``: the time limit of the chunk this thread is screening (``process_chunk``), installed once for its
items."""


def process(item: Item, config: Config) -> dict[str, Any]:
    """The result row of one item; a case that cannot be read or built gives a row carrying the error."""
    from screening.infra.budget import TimeLimit

    limit = getattr(_CHUNK, "limit", None)
    if limit is not None:
        return _process(item, config, limit)
    with TimeLimit(config.timeout) as own:
        return _process(item, config, own)


def _process(item: Item, config: Config, limit: TimeLimit) -> dict[str, Any]:
    from screening.infra.budget import OverTime

    pack = pack_for(config.pack)
    extra: dict[str, Any] = {}
    try:
        row = limit.call(lambda: _row(item, config, pack, extra))
        error = ""
    except OverTime:  # a case built to be slow (or a defect) must not hold up the batch
        try:
            case_id = limit.call(lambda: _guess_id(item, config))
        except OverTime:
            case_id = ""
        row = {"id": case_id, **EMPTY_ROW}
        error = str(
            Problem(
                item.file,
                item.line,
                None,
                "E405",
                f"screening the case took longer than {config.timeout:g} s (--timeout); it was stopped",
            )
        )
    except ScreeningError as exc:
        row = {"id": _guess_id(item, config), **EMPTY_ROW}
        error = "; ".join(str(p) for p in exc.problems[:5])
        if len(exc.problems) > 5:
            error += f"; and {len(exc.problems) - 5} more"
    except Exception as exc:  # a defect met on one case must not stop (nor, resumed, block) a long batch
        row = {"id": _guess_id(item, config), **EMPTY_ROW}
        error = f"{item.source}: error: internal error ({type(exc).__name__}: {exc}); please report it"
    return shaped(row, item, config, pack, error, extra)


def shaped(
    row: dict[str, Any], item: Item, config: Config, pack: Pack, error: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The row as written: id and source, the columns kept from the input, the assessment with the level's
    rank (1 for the lowest level; null for a case not screened), the mapping's notes, the error."""
    out: dict[str, Any] = {"id": utf8(row["id"]), "source": item.source}
    if config.mapping is not None and config.mapping.keep:
        kept = extra.get("kept", {})
        out["kept"] = {c: utf8(kept.get(c, "")) for c in config.mapping.keep}
    out.update((k, v) for k, v in row.items() if k != "id")
    out["title"] = utf8(out["title"])
    names = pack.scoring.names
    out["level_rank"] = names.index(row["level"]) + 1 if row["level"] in names else None
    out["notes"] = [utf8(n) for n in extra.get("notes", ())]
    out["error"] = utf8(error)
    return out


def utf8(text: str) -> str:
    """``text`` as UTF-8 can hold it: a lone surrogate (from a JSON ``"\\ud800"``, or a file name that is not
    UTF-8) written as a backslash escape, so that every row can be written, and read back the same."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def lost_row(item: Item, config: Config, no_workers: bool = False) -> dict[str, Any]:
    """The row of a case whose worker process died while screening it, on its own (E404); with ``no_workers``,
    of a case that could not be screened because the cluster was left without a worker."""
    try:
        case_id = _guess_id(item, config)
    except Exception:  # noqa: BLE001 - the id is only a help here
        case_id = ""
    message = (
        "the Dask cluster was left without a worker (none came back after one ended); the case is not screened"
        if no_workers
        else "the process screening this case on its own ended "
        "abruptly (killed, perhaps by the system for want of memory); the case is not screened"
    )
    problem = Problem(item.file, item.line, None, "E404", message)
    return shaped({"id": case_id, **EMPTY_ROW}, item, config, pack_for(config.pack), str(problem), {})


def process_chunk(chunk: list[Item], config: Config) -> list[dict[str, Any]]:
    """The result rows of a chunk of items, in order."""
    from screening.infra.budget import TimeLimit

    with TimeLimit(config.timeout) as limit:
        _CHUNK.limit = limit
        try:
            return [process(item, config) for item in chunk]
        finally:
            _CHUNK.limit = None


def read(item: Item, config: Config, extra: dict[str, Any] | None = None, quick: bool = False) -> tuple[Case, bool]:
    """The case of ``item``, and whether it was read on the quick path (only when ``quick``: a YAML document or a
    mapped row that the quick types take, screening.case.lines.read_document); raises ScreeningError naming
    the input, line and column of each problem.

    For a flat row, ``extra`` gets the cells of the columns the mapping keeps (``kept``, as text) and the
    mapping's notes on the row (``notes``).
    """
    extra = extra if extra is not None else {}
    from screening.case.load import build_case

    registry = Path(config.registry) if config.registry else None
    if isinstance(item.payload, Unreadable):
        raise ScreeningError(list(item.payload.problems))
    if item.kind == "yaml":
        data, marks = _yaml(item)
        found = _quickly(data, item.file, quick)
        return (found, True) if found is not None else (build_case(data, marks, item.file, registry), False)
    if item.kind == "json":
        data = _json(item)
        return build_case(data, LineMarks(item.payload, item.line or 1), item.file, registry), False
    from screening.batch.rows import case_from_row

    mapping = config.mapping
    assert mapping is not None
    if item.kind == "csv":
        header, cells = item.payload
        if len(cells) > len(header):
            raise ScreeningError(
                [
                    Problem(
                        item.file,
                        item.line,
                        len(header) + 1,
                        "E106",
                        f"row has {len(cells)} cells, the header names {len(header)} columns",
                    )
                ]
            )
        row = dict(zip(header, cells, strict=False))  # a short row: the cells left out are empty
        positions = {name: i + 1 for i, name in enumerate(header)}
    elif item.kind == "parquet":
        positions, row = item.payload
    else:
        row = _json(item)
        if not isinstance(row, dict):
            raise ScreeningError([Problem(item.file, item.line, 1, "E103", "expected a JSON object (a flat row)")])
        positions = {c: max(1, item.payload.find(json.dumps(c)) + 1) for c in mapping.columns if c in row}
        quick = quick and "\\u" not in item.payload  # an escape (a lone surrogate): the full path, as for a line
    if mapping.keep:
        extra["kept"] = {c: _text(row.get(c)) for c in mapping.keep}
    notes = extra.setdefault("notes", [])
    taken: list[bool] = []

    def quickly(doc: dict[str, Any]) -> Case | None:
        found = _quickly(doc, item.file, quick)
        taken.append(found is not None)
        return found

    case = case_from_row(mapping, row, item.file, item.line or 1, positions, registry, notes, quickly)
    return case, any(taken)


def _quickly(data: Any, name: str, quick: bool) -> Case | None:
    """The case of a document read on the quick path, or None (not asked for, or not taken)."""
    if not quick:
        return None
    from screening.case.lines import read_document

    return read_document(data, name)


def _text(value: Any) -> str:
    """A kept cell as text, as the input wrote it: an id ``007`` stays ``007``; a null is empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)


def _guess_id(item: Item, config: Config) -> str:
    """The id of a case that could not be built, as far as it can be read; empty when it cannot."""
    if isinstance(item.payload, Unreadable):
        return ""
    try:
        if item.kind == "yaml":
            data = _yaml(item)[0]
        elif item.kind == "csv":
            data = dict(zip(*item.payload, strict=False))
        elif item.kind == "parquet":
            data = item.payload[1]
        else:
            data = json.loads(item.payload)
    except (ScreeningError, ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    if item.kind in ("yaml", "json"):
        return data["id"] if isinstance(data.get("id"), str) else ""
    from screening.batch.rows import row_id

    assert config.mapping is not None
    return row_id(config.mapping, data)


def _yaml(item: Item) -> tuple[Any, Any]:
    """The data and marks of a YAML case, read from its file or from the text sent with it."""
    from screening.infra.yamlio import load, loads

    if isinstance(item.payload, Inline):
        return loads(item.payload.text, item.file)
    return load(Path(item.payload))


def _json(item: Item) -> Any:
    """The JSON value of a line, read as strictly as YAML (screening.infra.jsonio) and within the limits a case file
    has (screening.infra.yamlio.Limits)."""
    from screening.infra.jsonio import loads

    text = item.payload
    data = loads(text, item.file, item.line or 1)
    bound = limits()
    # Cheap tests first: nesting needs brackets, many values or a long text need a long line.
    if text.count("{") + text.count("[") > bound.max_depth or len(text) > min(bound.max_values, bound.max_text):
        message = beyond(data, bound)
        if message:
            raise ScreeningError([Problem(item.file, item.line, 1, "E111", message)])
    return data


class LineMarks(dict[Any, Any]):
    """Marks for a document read from one JSON line: every path is on that line, at the column where its
    last key is first written (found only when a problem is reported)."""

    def __init__(self, text: str, line: int) -> None:
        super().__init__()
        self.text, self.line = text, line

    def __contains__(self, path: object) -> bool:
        return True

    def __missing__(self, path: Any) -> Any:  # marks[path], as the registry's expansion reads them
        return self.get(path)

    def get(self, path: Any, default: Any = None) -> Any:
        if dict.__contains__(self, path):
            return dict.get(self, path)
        key = next((k for k in reversed(path) if not k.isdigit()), None) if path else None
        at = self.text.find(json.dumps(key, ensure_ascii=False)) if key else -1
        return (self.line, at + 1 if at >= 0 else 1)
