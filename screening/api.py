"""The library entry points the CLI (and any other program) calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.case.load import load_case
from screening.case.model import Case
from screening.decision.engine import Result, screen
from screening.infra.errors import Problem, ScreeningError
from screening.pack.load import Pack, default_pack_path, load_pack

if TYPE_CHECKING:
    from screening.batch.summary import Summary
    from screening.case.dated import AsOf
    from screening.pack.waivers import Waiver
    from screening.tooling.check import CheckResult


def pack_at(path: Path | None) -> Pack:
    """The pack in ``path``, or the default pack."""
    return load_pack(path or default_pack_path())


def check_files(paths: list[Path], pack: Path | None = None, **options: Any) -> CheckResult:
    """`screening check`: screening.tooling.check.check_paths, with batch mapping files validated by the batch's
    own reader (a layer above the tooling)."""
    from screening.tooling.check import check_paths

    return check_paths(paths, pack, validators={"mapping": _mapping_problems}, **options)


def _mapping_problems(path: Path) -> list[Problem]:
    from screening.batch.mapping import load_mapping

    try:
        return list(load_mapping(path).notes)
    except ScreeningError as exc:
        return exc.problems


def load_cases(paths: list[Path], registry: Path | None = None) -> list[Case]:
    """Load every case, reporting the problems of all files together."""
    cases, problems = [], []
    for path in paths:
        try:
            cases.append(load_case(path, registry))
        except ScreeningError as exc:
            problems += exc.problems
    ids: dict[str, str] = {}
    for case in cases:
        if case.id in ids:
            problems.append(
                Problem(case.file, None, None, "E109", f"case id '{case.id}' is also used by {ids[case.id]}")
            )
        ids[case.id] = case.file
    if problems:
        raise ScreeningError(problems)
    return cases


def screen_files(
    paths: list[Path],
    pack_path: Path | None = None,
    waivers: Mapping[tuple[str, str], Waiver] | None = None,
    on: AsOf = None,
    registry: Path | None = None,
    watchlists: list[Path] | None = None,
    threshold: float = 90.0,
    warn: Callable[[Problem], object] | None = None,
) -> list[Result]:
    """Screen each case file with the pack (default pack when None), in the order given.

    ``waivers`` (see :func:`screening.pack.waivers.index`) apply when active on day ``on`` (default: today).
    ``warn`` is given the warnings of loading the watchlists (W370: a damaged index, built again; W371: an unknown
    country code in a FollowTheMoney list) and of reading the cases (W380: a field under its old name).
    """
    pack = pack_at(pack_path)
    watchlist = None
    if watchlists:
        from screening.case.watchlists import load_watchlists

        watchlist = load_watchlists(watchlists)
        for note in watchlist.notes:
            if warn is not None:
                warn(note)
    cases = load_cases(paths, registry)
    if warn is not None:
        for note in (n for case in cases for n in case.notes):
            warn(note)
    return [screen(case, pack, waivers, on, watchlist, threshold) for case in cases]


def what_if(
    paths: list[Path],
    changes: list[Any],
    pack_path: Path | None = None,
    registry: Path | None = None,
    waivers: Mapping[tuple[str, str], Waiver] | None = None,
    on: AsOf = None,
) -> list[tuple[Result, Result]]:
    """Each case screened as written and with ``changes`` (screening.decision.whatif.Change) made to its document.

    The changes are made to the document with its fields under their new names (screening.case.names), so that
    ``--set transaction.votes_after_pct=51`` changes a case that writes the old name ``voting_after_pct``."""
    from screening.case.load import build_case
    from screening.case.names import renamed
    from screening.decision.whatif import apply
    from screening.infra.yamlio import load

    pack = pack_at(pack_path)
    pairs, problems = [], []
    for path in paths:
        try:
            data, marks = load(path)  # read once: screened as written, then as changed
            case = build_case(data, dict(marks), str(path), registry)
            fixed = dict(marks)
            plain = renamed(data, fixed, str(path))[0]
            changed = build_case(apply(plain, changes), fixed, f"{path} (with --set)", registry)
        except ScreeningError as exc:
            problems += exc.problems
            continue
        pairs.append((screen(case, pack, waivers, on), screen(changed, pack, waivers, on)))
    if problems:
        raise ScreeningError(problems)
    return pairs


def screen_batch(inputs: list[Path], output: Path, **options: Any) -> Summary:
    """Screen every case of ``inputs`` into the results file ``output``, one row per case, in input order.

    ``options`` are those of :class:`screening.batch.run.Job` (pack, mapping, registry, workers, engine,
    scheduler, resume, force); raises ScreeningError for unusable inputs before anything is screened.
    """
    from screening.batch.run import Job, plan, run_batch

    return run_batch(plan(Job(inputs, output, **options)))
