"""Command-line interface: parse, call one core function, render, return an exit code.

No ``from __future__ import annotations`` here: typer reads every command's annotations on each run, and
annotations that are objects cost it nothing, where strings are compiled and evaluated one by one.
"""

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional, TextIO, TypeVar, cast

import typer

if TYPE_CHECKING:
    from screening.report import Options
    from screening.tooling.settings import Settings

from screening import __version__
from screening.infra.errors import Problem, ScreeningError
from screening.infra.text import printable

T = TypeVar("T")
Format = Literal["text", "json", "markdown", "html"]
TextOrJson = Literal["text", "json"]

HELP = {"help_option_names": ["--help", "-h"]}

app = typer.Typer(
    help="Screen foreign investments for security risk with versioned YAML rule packs.",
    no_args_is_help=True,
    context_settings=HELP,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="Browse the rule catalogue.", no_args_is_help=True, context_settings=HELP)
app.add_typer(rules_app, name="rules")

RulesOpt = typer.Option(None, "--rules", "-r", help="Rule pack directory (default: the bundled pack).", file_okay=False)
TestsOpt = typer.Option(
    None,
    "--tests",
    metavar="PATH",
    help="More test files for the pack (a file, or a directory of *.yaml), kept outside it: for example tests of a "
    "project's own cases. Repeat for several. Their case files must be in --root (default: the directory holding "
    "the pack).",
)
RootOpt = typer.Option(
    None,
    "--root",
    file_okay=False,
    help="Directory the case files named by pack tests must be in, links followed (default: "
    "the directory holding the pack).",
)


def _emit(text: str, output: Optional[Path], inputs: tuple[Optional[Path], ...] = ()) -> None:
    """Write a report to stdout, or to ``output`` through the one safe path (screening.infra.output), refusing an
    output that is one of ``inputs``."""
    if output is None:
        _stdout(text)
        return
    from screening.infra.output import write_atomic

    try:
        written = write_atomic(output, text, [p for p in inputs if p is not None])
    except BrokenPipeError:
        raise _ReaderGone from None  # -o /dev/stdout | head
    if written.note:
        sys.stderr.write(printable(f"note: {written.note}") + "\n")


def _stdout(text: str) -> None:
    """Write to stdout and flush, so that a failure (a full device, a closed stdout) is reported here, located,
    rather than lost at exit; a reader that went away (EPIPE) is left to ``main``, to stop quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise _ReaderGone from None  # not an OSError: click would turn it into exit 1
    except OSError as exc:
        _discard_stdout()
        raise ScreeningError(
            [Problem("<stdout>", None, None, "E401", f"cannot write output: {exc.strerror or exc}")]
        ) from None


def _discard_stdout() -> None:
    """Point file descriptor 1 at the null device, so the text still buffered for a stdout that failed is not
    written again, and fails again, when Python exits."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _ReaderGone(Exception):
    """Stdout's reader went away (EPIPE), as ``| head`` does."""


def _reading(run: Callable[..., T], *args: Any) -> T:
    """``run(*args)``, a broken pipe (results to ``/dev/stdout | head``) turned into a quiet stop."""
    try:
        return run(*args)
    except BrokenPipeError:
        raise _ReaderGone from None


class _ClosedStdout:
    """Stands for a stdout the process was started without (``>&-``): every write fails, located."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


STDIN = Path("/dev/stdin")


def _dashes(paths: list[Path]) -> list[Path]:
    """``-`` is standard input, as for cat and grep (read through /dev/stdin, within the size limit)."""
    return [STDIN if str(p) == "-" else p for p in paths]


def _default_pack() -> Path:
    from screening.pack.load import default_pack_path

    return default_pack_path()


def _options(width: Optional[int], color: Optional[bool], to_file: bool) -> "Options":
    """Width and colour as rich decides them: ``--width``, else ``COLUMNS``, else the terminal's (100 when
    piped); ``--color/--no-color``, else off under ``NO_COLOR`` or ``TERM=dumb``, on under ``FORCE_COLOR``,
    else on a terminal only. A report written with ``-o`` is 100 columns, plain, unless the options say."""
    import os
    import shutil

    from screening.report import Options

    tty = sys.stdout.isatty() and not to_file
    if width is None:
        columns = os.environ.get("COLUMNS", "").strip()
        if columns.isascii() and columns.isdigit() and int(columns) > 0 and not to_file:
            width = max(40, int(columns))
        else:
            width = shutil.get_terminal_size((100, 24)).columns if tty else 100
    if color is None:
        if to_file or os.environ.get("NO_COLOR") or os.environ.get("TERM") in ("dumb", "unknown"):
            color = False
        else:
            color = bool(os.environ.get("FORCE_COLOR")) or tty
    return Options(width=width, color=color)


def _version(value: bool) -> None:
    if value:
        _stdout(f"screening {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Screen foreign investments for security risk with versioned YAML rule packs."""


@app.command()
def screen(
    cases: list[Path] = typer.Argument(..., help="Case files (YAML); - reads one from standard input.", dir_okay=False),
    rules: Optional[Path] = RulesOpt,
    format: Format = typer.Option("text", "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the report to this file.", dir_okay=False
    ),
    fail_on: Optional[str] = typer.Option(
        None,
        "--fail-on",
        metavar="LEVEL",
        help="Exit 1 when a case reaches this level of the pack's scoring (low, "
        "medium, high, critical in the bundled pack).",
    ),
    width: Optional[int] = typer.Option(
        None, "--width", min=40, help="Width of the text report (columns, 40 or more)."
    ),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour the text report."),
    waivers: Optional[Path] = typer.Option(
        None, "--waivers", "-w", dir_okay=False, help="Waivers file: findings it waives are shown but not counted."
    ),
    as_of: Optional[str] = typer.Option(
        None,
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Judge waivers and the law on this day (default: waivers today, the law on the signing date); "
        "a year or a month (2018, 2018-07) judges the law on every day of it.",
    ),
    entities: Optional[Path] = typer.Option(
        None, "--entities", file_okay=False, help="Entity registry for {ref: ID} entities (default: the bundled one)."
    ),
    watchlist: Optional[list[Path]] = typer.Option(
        None,
        "--watchlist",
        dir_okay=False,
        help="Sanctions or export-control list to screen every entity "
        "of the group against (OpenSanctions CSV or FtM JSON lines, "
        "or a plain YAML/CSV list); repeat for several.",
    ),
    threshold: float = typer.Option(
        90.0, "--match-threshold", min=0, max=100, help="Name similarity (0-100) from which a watchlist entry is a hit."
    ),
    explain: bool = typer.Option(
        False,
        "--explain",
        help="Show every rule, fired or not, with the value of each test of its condition and of each fact it reads.",
    ),
    brief: bool = typer.Option(
        False,
        "--brief",
        help="A brief of at most two A4 pages: verdict, filings, main findings, the deal, open questions "
        "(text, markdown, html).",
    ),
    set_: Optional[list[str]] = typer.Option(
        None,
        "--set",
        metavar="PATH=VALUE",
        help="What if: change the case (PATH=VALUE, or PATH+=VALUE to add to "
        "a list) and print the difference it makes; repeat for several.",
    ),
) -> None:
    """Screen investment cases and print the report.

    Example: screening screen cases/alibaba-liege.yaml --format json -o report.json
    """
    from screening.api import screen_files
    from screening.report import formats, render

    cases = _dashes(cases)
    index = None
    if waivers is not None:
        from screening.pack.waivers import index as by_key
        from screening.pack.waivers import load_waivers

        found, problems = load_waivers(waivers)
        for problem in problems:  # a malformed waiver waives nothing: say so, and go on
            sys.stderr.write(f"{problem._replace(severity='warning')} (this waiver is ignored)\n")
        index = by_key(found)
    options = _options(width, color, output is not None)._replace(explain=explain, brief=brief)
    if brief and (format == "json" or explain or set_):
        raise typer.BadParameter("--brief is a report in text, markdown or html, without --explain or --set")
    if set_:
        from screening.api import what_if
        from screening.decision.whatif import compare, parse

        if format not in formats("what-if"):
            raise typer.BadParameter("--set prints the difference as text, json or markdown", param_hint="--format")
        changes = [parse(expr) for expr in set_]
        pairs = what_if(cases, changes, rules, entities, index, _day(as_of, True))
        for problem in [p for c in changes for p in c.notes] + [p for pair in pairs for p in pair[0].case.notes]:
            sys.stderr.write(f"{problem}\n")
        value = compare(pairs, changes)
        _emit(render(format, value, options), output, (*cases, rules or _default_pack(), waivers, entities))
        return
    results = screen_files(
        cases,
        rules,
        index,
        _day(as_of, True),
        entities,
        watchlist or None,
        threshold,
        lambda p: sys.stderr.write(f"{p}\n"),
    )
    from screening.case.relations import unused_relations

    for result in results:  # a relation no rule reads is said, never dropped silently
        for problem in unused_relations(result.case):
            sys.stderr.write(f"{problem}\n")
    levels = _levels(fail_on, results[0].pack.scoring.names if results else ())
    _emit(
        render(format, results, options),
        output,
        (*cases, rules or _default_pack(), waivers, entities, *(watchlist or ())),
    )
    if fail_on and any(levels.index(r.level) >= levels.index(fail_on) for r in results if r.level in levels):
        raise typer.Exit(1)


@app.command()
def filings(
    cases: list[Path] = typer.Argument(..., help="Case files (YAML); - reads one from standard input.", dir_okay=False),
    rules: Optional[Path] = RulesOpt,
    format: Literal["text", "json", "markdown"] = typer.Option("text", "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the matrix to this file.", dir_okay=False
    ),
    as_of: Optional[str] = typer.Option(
        None,
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Apply the law in force on this day (default: the signing date, else the completion date, else today); "
        "a year or a month (2018, 2018-07) applies it on every day of it.",
    ),
    regime: Optional[list[str]] = typer.Option(
        None,
        "--regime",
        metavar="ID",
        help="Show only this regime (its id in the pack, in any case, e.g. BE, us; `screening rules regimes` lists "
        "them; a country's name is answered with its regimes' ids); repeat for several.",
    ),
    entities: Optional[Path] = typer.Option(
        None, "--entities", file_okay=False, help="Entity registry for {ref: ID} entities (default: the bundled one)."
    ),
    width: Optional[int] = typer.Option(
        None, "--width", min=40, help="Width of the text output (columns, 40 or more)."
    ),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour the text output."),
) -> None:
    """Where each case must or may be filed: per regime, mandatory, voluntary, call-in risk or out of scope.

    Example: screening filings cases/cosco-hamburg-tollerort.yaml --as-of 2018-07-01
    """
    from screening.api import pack_at, screen_files
    from screening.decision.filings import Filings
    from screening.report import render

    cases = _dashes(cases)

    from screening.tooling.catalogue import regime_ids

    pack = pack_at(rules)
    regime, unknown = regime_ids(pack, list(regime or ()))
    if unknown:
        raise typer.BadParameter(
            f"unknown regime {', '.join(unknown)}; the pack has {', '.join(r.id for r in pack.regimes) or 'none'}",
            param_hint="--regime",
        )
    results = screen_files(cases, rules, None, _day(as_of, True), entities, warn=lambda p: sys.stderr.write(f"{p}\n"))
    _emit(
        render(format, Filings(tuple(results), tuple(regime)), _options(width, color, output is not None)),
        output,
        (*cases, rules or _default_pack(), entities),
    )


@rules_app.command("list")
def rules_list(
    rules: Optional[Path] = RulesOpt,
    category: Optional[str] = typer.Option(None, "--category", "-c", help="Only this category."),
    format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format."),
) -> None:
    """List the rules of a pack: id, category, weight, title.

    Example: screening rules list --category state_influence
    """
    from screening.api import pack_at
    from screening.report import render
    from screening.tooling.catalogue import list_rules

    _stdout(render(format, list_rules(pack_at(rules), category), _options(None, None, False)))


@rules_app.command("regimes")
def rules_regimes(
    rules: Optional[Path] = RulesOpt,
    country: Optional[str] = typer.Option(
        None, "--country", help="Only the regimes that reach a target in this country (ISO code, e.g. CA)."
    ),
    format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format."),
) -> None:
    """List the filing regimes and their triggers (outcome, dates in force, how far checked, title).

    Example: screening rules regimes --country DE; then screening rules show DE-003
    """
    from screening.api import pack_at
    from screening.report import render
    from screening.tooling.catalogue import list_regimes

    _stdout(render(format, list_regimes(pack_at(rules), country), _options(None, None, False)))


@rules_app.command("show")
def rules_show(
    rule_id: str = typer.Argument(..., help="Rule id, e.g. SI-001."),
    rules: Optional[Path] = RulesOpt,
    format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format."),
) -> None:
    """Show one rule: condition, rationale, legal basis, sources, examples.

    Example: screening rules show SI-001
    """
    from screening.api import pack_at
    from screening.report import render
    from screening.tooling.catalogue import show_rule

    _stdout(render(format, show_rule(pack_at(rules), rule_id), _options(None, None, False)))


@app.command()
def facts(format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format.")) -> None:
    """List the facts rule conditions can name, with types and gap questions.

    Example: screening facts --format json
    """
    from screening.report import render
    from screening.tooling.catalogue import list_facts

    _stdout(render(format, list_facts(), _options(None, None, False)))


def _levels(fail_on: Optional[str], levels: Sequence[str]) -> list[str]:
    """The pack's levels (rising); a ``--fail-on`` level the pack does not have is a usage error."""
    if fail_on is not None and fail_on not in levels:
        raise typer.BadParameter(
            f"unknown level '{fail_on}'; the pack's levels are {', '.join(levels)}", param_hint="--fail-on"
        )
    return list(levels)


def _day(text: Optional[str], reported: bool = False) -> Any:
    """``--as-of``: a day from 1900 to 2100 (the years a case's own dates may hold); with ``reported``, also a
    year or a month (judged on every day of it)."""
    import re

    if text is None:
        return None
    if reported and re.fullmatch(r"[0-9]{4}(-(0[1-9]|1[0-2]))?", text):
        from screening.case.values import day_range

        day: Any = day_range(int(text) if len(text) == 4 else text)
        year = int(text[:4])
    else:
        from screening.infra.clock import iso_day

        try:
            day = iso_day(text)
        except ValueError:
            from screening.infra.datehint import date_hint

            form = "YYYY-MM-DD, YYYY-MM or YYYY" if reported else "YYYY-MM-DD"
            hint = date_hint(text)
            meant = f"; did you mean {hint}?" if hint and (len(hint) == 10 or reported and hint[0] != "{") else ""
            raise typer.BadParameter(f"expected a date as {form}, got {text!r}{meant}", param_hint="--as-of") from None
        year = day.year
    from screening.infra.clock import year_problem

    problem = year_problem(year, text)
    if problem:
        raise typer.BadParameter(problem, param_hint="--as-of")
    return day


Severity = Literal["error", "warning"]
ProblemFormat = Literal["text", "json", "github", "sarif"]
TestFormat = Literal["text", "json", "github", "junit"]
DiffFormat = Literal["text", "json", "markdown"]


@app.command()
def check(
    paths: list[Path] = typer.Argument(
        None,
        help="Rule packs (directories), rule files, case files, test files "
        "and waiver files; - reads one from standard input. Default: the bundled pack.",
    ),
    rules: Optional[Path] = RulesOpt,
    format: ProblemFormat = typer.Option("text", "--format", "-f", help="Output format."),
    severity: Optional[Severity] = typer.Option(
        None, "--severity", help="Exit 1 when a problem at or above this severity is found (default: error)."
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False, help="Write the report here."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD", help="Judge waiver expiry on this day (default: today)."
    ),
    root: Optional[Path] = RootOpt,
    select: list[str] = typer.Option(
        None, "--select", metavar="CODE", help="Report only these codes or prefixes (W3); repeatable."
    ),
    ignore: list[str] = typer.Option(
        None, "--ignore", metavar="CODE", help="Never report these codes or prefixes (W302); repeatable."
    ),
) -> None:
    """Validate rule packs, cases, pack tests, waivers and batch mappings, and lint rules; every problem in one run.

    Settings come from the [tool.screening] table of the nearest pyproject.toml (pack, severity, select,
    ignore); options given here win. A `# screening: ignore[W302] reason` comment hides the problems of its
    line, or of the rule whose `- id:` line holds it.

    Example: screening check rules/ --format sarif -o check.sarif
    """
    from screening.api import check_files
    from screening.report import render

    config = _settings()
    chosen, dropped = _codes(select), _codes(ignore)
    targets = _dashes(paths) if paths else [config.pack or _default_pack()]
    result = check_files(
        targets, rules, on=_day(as_of), root=root, select=chosen or config.select, ignore=dropped + config.ignore
    )
    _emit(render(format, result, _options(None, None, output is not None)), output, (*targets, rules))
    level = severity or config.severity or "error"
    worst = {"error": ("error",), "warning": ("error", "warning")}[level]
    if any(p.severity in worst for p in result.problems):
        raise typer.Exit(1)


def _settings() -> "Settings":
    """The [tool.screening] settings of the nearest pyproject.toml; a problem in them stops the command (exit 2)."""
    from screening.tooling.settings import find_settings

    here = Path.cwd()
    settings, problems = find_settings(here)
    if problems:
        raise ScreeningError(problems)
    if settings.pack is not None and settings.pack.is_relative_to(here):  # problems name files as given: short
        settings = settings._replace(pack=settings.pack.relative_to(here))
    return settings


def _codes(given: Optional[list[str]]) -> tuple[str, ...]:
    """Codes and prefixes given to --select or --ignore, repeated or comma-separated (E2,W301)."""
    from screening.tooling.settings import known

    codes = tuple(c.strip().upper() for text in given or () for c in text.split(",") if c.strip())
    for code in codes:
        if not known(code):
            raise typer.BadParameter(f"no problem code is or starts with {code!r}", param_hint="--select/--ignore")
    return codes


@app.command("test")
def test_pack(
    paths: list[Path] = typer.Argument(None, help="Rule pack directories. Default: the bundled pack."),
    format: TestFormat = typer.Option("text", "--format", "-f", help="Output format."),
    min_coverage: float = typer.Option(
        0.0,
        "--min-coverage",
        min=0,
        max=100,
        help="Exit 1 when fewer than this percentage of rules are made to fire by a test.",
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False, help="Write the report here."),
    root: Optional[Path] = RootOpt,
    pattern: Optional[str] = typer.Option(
        None,
        "-k",
        metavar="PATTERN",
        help="Run only the tests whose names hold PATTERN or match it as a shell pattern (SI-003, alibaba, 'SI-00?'); "
        "coverage then counts those only.",
    ),
    tests: Optional[list[Path]] = TestsOpt,
) -> None:
    """Run every rule's examples and the pack's test cases; report failures and rule coverage.

    Example: screening test rules/ --min-coverage 100 --format junit -o junit.xml
    """
    from screening.infra.errors import ScreeningError as InputError
    from screening.pack.load import default_pack_path, read_pack
    from screening.report import render
    from screening.tooling.results import TestRun
    from screening.tooling.testing import run_pack_tests

    failed = low = False
    texts = []
    packs = paths or [_settings().pack or default_pack_path()]
    if len(packs) > 1 and format in ("json", "junit"):
        raise typer.BadParameter(
            f"--format {format} reports one pack: run the command once per pack", param_hint="PATHS"
        )
    for pack_dir in packs:
        pack, problems = read_pack(pack_dir, use_cache=False)  # parsed afresh: every rule has its line
        problems = [p for p in problems if p.severity == "error"]
        if pack is None or problems:
            raise InputError(problems)
        outcomes, coverage, problems = run_pack_tests(pack, pack_dir, root, pattern, tests or ())
        if any(p.severity == "error" for p in problems):
            raise InputError([p for p in problems if p.severity == "error"])
        for problem in problems:  # warnings (W380: a case field under its old name)
            sys.stderr.write(f"{problem}\n")
        run = TestRun(tuple(outcomes), coverage, f"{pack.name} {pack.version}")
        texts.append(render(format, run, _options(None, None, output is not None)))
        failed |= any(not o.passed for o in outcomes)
        low |= coverage.percent < min_coverage
        if low and format == "text":
            texts.append(f"coverage {coverage.percent:.1f}% is below --min-coverage {min_coverage:g}%\n")
    _emit("".join(texts), output, tuple(packs))
    if failed or low:
        raise typer.Exit(1)


@app.command()
def diff(
    old: str = typer.Argument(
        ...,
        help="The pack before the change: a directory, or REV:PATH read from git (e.g. origin/main:rules; "
        "origin/main:. for the current directory).",
    ),
    new: Path = typer.Argument(..., help="The pack after the change (a directory).", file_okay=False),
    cases: list[Path] = typer.Argument(
        None, help="Case files (default: the cases of NEW's tests and of --tests files).", dir_okay=False
    ),
    format: DiffFormat = typer.Option("text", "--format", "-f", help="Output format (markdown for a PR comment)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False, help="Write the report here."),
    fail_on_change: bool = typer.Option(False, "--fail-on-change", help="Exit 1 when any case changes."),
    backtest_dir: Optional[Path] = typer.Option(
        None, "--backtest", file_okay=False, help="Also backtest both packs on this corpus and show the change."
    ),
    root: Optional[Path] = RootOpt,
    tests: Optional[list[Path]] = TestsOpt,
) -> None:
    """Screen cases with two packs and list every case whose level, score or fired rules change.

    Example: screening diff origin/main:rules rules/ --format markdown
    """
    import tempfile

    from screening.api import load_cases
    from screening.pack.load import load_pack
    from screening.report import render
    from screening.tooling.diff import diff_packs, resolve_pack, test_cases

    with tempfile.TemporaryDirectory() as work:
        old_pack = load_pack(resolve_pack(old, Path(work)))
    new_pack = load_pack(new)
    loaded, unscreened = (load_cases(cases), []) if cases else test_cases(new, new_pack, root, tests or ())
    for problem in [*unscreened, *(p for case in loaded for p in case.notes)]:
        sys.stderr.write(f"{problem}\n")
    if not cases and not loaded:
        sys.stderr.write(
            f"warning: {printable(str(new))} names no case that could be screened: give case files, "
            "or add tests "
            "with `case:` to the pack\n"
        )
    result = diff_packs(old_pack, new_pack, loaded, tuple(unscreened))
    if backtest_dir is not None:
        from screening.tooling.backtest import backtest as run_backtest
        from screening.tooling.backtest import corpus_files

        files = corpus_files(backtest_dir)
        result = result._replace(
            backtest=(
                run_backtest(backtest_dir, old_pack, files=files),
                run_backtest(backtest_dir, new_pack, files=files),
            )
        )
    _emit(render(format, result), output, (Path(old) if Path(old).exists() else None, new, *(cases or ())))
    if fail_on_change and (result.changed or unscreened or not loaded):
        raise typer.Exit(1)


BacktestFormat = Literal["text", "json", "html"]


@app.command()
def backtest(
    corpus: Path = typer.Argument(..., help="Directory of case files, each with its `outcome`.", file_okay=False),
    rules: Optional[Path] = RulesOpt,
    format: BacktestFormat = typer.Option("text", "--format", "-f", help="Output format (html adds a plot)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False, help="Write the report here."),
    min_auc: Optional[float] = typer.Option(
        None,
        "--min-auc",
        min=0,
        max=1,
        help="Exit 1 when the AUC is below this floor (or cannot be measured). A case that fails to load also exits 1.",
    ),
    seed: int = typer.Option(20260, "--seed", help="Seed of the bootstrap interval."),
    replicates: int = typer.Option(2000, "--replicates", min=100, help="Bootstrap replicates."),
) -> None:
    """Screen real cases with known outcomes and measure how well the score ranks the decisions (AUC).

    Example: screening backtest backtest/cases --format html -o backtest.html
    """
    from screening.pack.load import default_pack_path, load_pack
    from screening.report import render
    from screening.tooling.backtest import backtest as run_backtest

    result = run_backtest(corpus, load_pack(rules or default_pack_path()), replicates, seed)
    for problem in result.problems:
        sys.stderr.write(f"{problem}\n")
    _emit(render(format, result), output, (corpus, rules))
    if min_auc is not None and (result.auc is None or result.auc < min_auc):
        sys.stderr.write(f"AUC {'n/a' if result.auc is None else f'{result.auc:.3f}'} is below --min-auc {min_auc:g}\n")
        raise typer.Exit(1)
    if any(p.code.startswith("E") for p in result.problems):
        # measured on the cases that loaded, but a case left out is a failure: a floor must not pass without it
        sys.stderr.write(f"{sum(p.code.startswith('E') for p in result.problems)} error(s): cases left out\n")
        raise typer.Exit(1)


@app.command()
def fmt(
    paths: list[Path] = typer.Argument(None, help="Rule files or pack directories. Default: the bundled pack."),
    check_only: bool = typer.Option(
        False, "--check", help="Change nothing; print the diff and exit 1 when a file is not in the canonical layout."
    ),
) -> None:
    """Rewrite rule files in one canonical layout, keeping comments, so rule diffs stay small.

    Example: screening fmt --check rules/
    """
    from screening.infra.text import visible
    from screening.pack.load import default_pack_path
    from screening.tooling.fmt import format_paths, unified_diff, write_changes

    changes = [c for c in format_paths(paths or [_settings().pack or default_pack_path()]) if c.changed]
    if check_only:
        for change in changes:
            _stdout(visible(unified_diff(change)))  # rule files come from pull requests
        if changes:
            sys.stderr.write(f"{len(changes)} file{'s' if len(changes) != 1 else ''} would be reformatted\n")
            raise typer.Exit(1)
        return
    write_changes(changes)
    for change in changes:
        sys.stderr.write(f"reformatted {printable(str(change.path))}\n")


@app.command()
def init(
    directory: Path = typer.Argument(..., help="Where to create the pack (a new or empty directory).", file_okay=False),
) -> None:
    """Create a rule pack that works from the first run: a rule, a case and a test inside the pack, pre-commit
    hooks and a CI workflow.

    Example: screening init my-pack && screening test my-pack --min-coverage 100
    """
    from screening.tooling.init import create_pack

    for path in create_pack(directory):
        sys.stderr.write(printable(f"created {path}") + "\n")
    shown = printable(str(directory))
    sys.stderr.write(f"next: screening check {shown} && screening test {shown} --min-coverage 100\n")


Engine = Literal["local", "dask"]


@app.command()
def batch(
    inputs: list[Path] = typer.Argument(
        ...,
        help="Case YAML files or directories of them, JSON Lines (.jsonl), "
        "CSV (.csv) and Parquet (.parquet) files, in any mix.",
    ),
    output: Path = typer.Option(
        ...,
        "--output",
        "-o",
        dir_okay=False,
        help="Results file: .jsonl, .csv or .parquet (one row per case, in input order).",
    ),
    mapping: Optional[Path] = typer.Option(
        None,
        "--mapping",
        "-m",
        dir_okay=False,
        help="Mapping file: which column gives which case field (needed for "
        "CSV and Parquet; makes JSON Lines flat rows too).",
    ),
    rules: Optional[Path] = RulesOpt,
    entities: Optional[Path] = typer.Option(
        None, "--entities", file_okay=False, help="Entity registry for {ref: ID} entities (default: the bundled one)."
    ),
    keep: Optional[list[str]] = typer.Option(
        None,
        "--keep",
        "-k",
        metavar="COLUMN",
        help="Carry this input column into the results, as text; repeat for several (adds to the mapping's keep).",
    ),
    excel: bool = typer.Option(
        False,
        "--excel",
        help="CSV results for Excel: a byte order mark, so that it reads UTF-8 (formulas are always neutralised).",
    ),
    watchlist: Optional[list[Path]] = typer.Option(
        None, "--watchlist", dir_okay=False, help="Sanctions or export-control list, as for screen; repeat for several."
    ),
    threshold: float = typer.Option(
        90.0, "--match-threshold", min=0, max=100, help="Name similarity (0-100) from which a watchlist entry is a hit."
    ),
    waivers: Optional[Path] = typer.Option(
        None, "--waivers", "-w", dir_okay=False, help="Waivers file: findings it waives are not counted."
    ),
    as_of: Optional[str] = typer.Option(
        None,
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Judge waivers and the law on this day (default: waivers today, the law on each signing date).",
    ),
    workers: Optional[int] = typer.Option(
        None,
        "--workers",
        "-j",
        min=1,
        help="Worker processes (or local Dask workers); default: one for small inputs, else what the machine has.",
    ),
    engine: Engine = typer.Option("local", "--engine", help="local: this machine; dask: a Dask cluster."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: start a local cluster)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the results of an interrupted run."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing results."),
    timeout: float = typer.Option(
        60.0,
        "--timeout",
        min=0,
        metavar="SECONDS",
        help="Most time one case may take; a case over it fails its row (E405) and the batch goes on. 0: no limit.",
    ),
    fail_on: Optional[str] = typer.Option(
        None,
        "--fail-on",
        metavar="LEVEL",
        help="Exit 1 when a case reaches this level of the pack's scoring.",
    ),
    max_errors: int = typer.Option(
        0, "--max-errors", min=0, metavar="N", help="Exit 0 with up to N rows that could not be screened (default 0)."
    ),
    progress: Optional[bool] = typer.Option(
        None, "--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal)."
    ),
) -> None:
    """Screen many cases into one results file; resumable, with a summary on stderr.

    Example: screening batch examples/deals.csv --mapping examples/deals-mapping.yaml -o results.csv
    """
    from screening.batch.run import Job, plan, run_batch, total
    from screening.report import render

    if scheduler is not None and engine != "dask":
        raise typer.BadParameter("--scheduler needs --engine dask", param_hint="--scheduler")
    _day(as_of)
    job = Job(
        inputs,
        output,
        rules,
        mapping,
        entities,
        workers or 1,
        engine,
        scheduler,
        resume,
        force,
        timeout=timeout,
        keep=tuple(keep or ()),
        excel=excel,
        watchlists=tuple(watchlist or ()),
        waivers=waivers,
        as_of=as_of,
        threshold=threshold,
    )
    checked = plan(job)
    levels = _levels(fail_on, checked.levels)
    from screening.batch.run import choose_workers, slow_workers

    checked, why = choose_workers(checked) if workers is None else (checked, slow_workers(checked))
    if why:
        sys.stderr.write(printable(f"note: {why}") + "\n")
    for line in (checked.note and f"note: {checked.note}", *checked.warnings):
        if line:
            sys.stderr.write(printable(line) + "\n")
    if progress if progress is not None else sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>7} cases/s"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("batch", total=total(checked), rate="")

            def tick(rows: int) -> None:
                bar.advance(task, rows)
                bar.update(task, rate=f"{bar.tasks[0].speed or 0:,.0f}")

            summary = _reading(run_batch, checked, tick)
    else:
        summary = _reading(run_batch, checked)
    sys.stderr.write(render("text", summary))
    if summary.cases and summary.errors == summary.cases:
        raise typer.Exit(2)  # nothing could be screened: the input, or the mapping, is wrong
    reached = [lv for lv in summary.levels if lv in levels and fail_on and levels.index(lv) >= levels.index(fail_on)]
    if reached or summary.errors > max_errors:
        raise typer.Exit(1)


@app.command()
def portfolio(
    results: Path = typer.Argument(..., dir_okay=False, help="Results of screening batch: .jsonl, .csv or .parquet."),
    format: Format = typer.Option("text", "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write the report to this file.", dir_okay=False
    ),
    rules: Optional[Path] = RulesOpt,
) -> None:
    """A portfolio report of a batch's results: levels by investor country, filings per regime, the most
    frequent open questions and rules, watchlist hits, the top cases; HTML with charts.

    Example: screening portfolio results.csv --format html -o portfolio.html
    """
    from screening.batch.portfolio import read_portfolio
    from screening.report import render

    value = read_portfolio(results, rules)
    _emit(render(format, value, _options(None, None, output is not None)), output, (results, rules))


SchemaKind = Literal["case", "rule", "pack", "scoring", "legal", "sources", "tests", "waivers", "regime", "mapping"]


@app.command()
def schema(kind: SchemaKind = typer.Argument(..., help="Which file's schema.")) -> None:
    """Print the JSON Schema (draft-07) of a kind of file, for editors with a YAML language server.

    Example: screening schema rule > rule.schema.json
    """
    from screening.tooling.schemas import export_text

    _stdout(export_text(kind))


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI and return its exit code; input problems print one located line each on stderr."""
    if getattr(sys, "stdout", None) is None:  # started without one (>&-)
        sys.stdout = cast(TextIO, _ClosedStdout())
    for stream in (sys.stdout, sys.stderr):  # a character the encoding lacks is written as an escape
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = sys.argv[1:] if argv is None else argv
    try:
        try:
            _app_for(args)(args=args, prog_name="screening")
        finally:
            _stdout("")  # what typer or rich left buffered: a failure to write it is reported too
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except (_ReaderGone, BrokenPipeError):  # the reader went away (| head): stop quietly, as SIGPIPE would
        _discard_stdout()
        return BROKEN_PIPE
    except ScreeningError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except OSError as exc:
        if _name_too_long(exc):
            sys.stderr.write(f"{Problem(str(exc.filename), None, None, 'E001', f'cannot use path: {exc.strerror}')}\n")
            return 2
        return _internal_error(exc)
    except Exception as exc:  # the last resort: a bug, never a raw traceback
        return _internal_error(exc)
    return 0


def _app_for(args: Sequence[str]) -> typer.Typer:
    """The app with only the command ``args`` name registered: typer builds the click command of every
    command registered, options and all, on each run (about 3 ms for all of them); the whole app for anything
    else (``--help``, ``--version``, a group such as ``rules``, a misspelt name, which click then names)."""
    name = args[0] if args else ""
    chosen = [c for c in app.registered_commands if c.callback and _command_name(c) == name]
    if len(chosen) != 1:
        return app
    import copy

    one = copy.copy(app)
    one.registered_commands, one.registered_groups = chosen, []
    return one


def _command_name(command: Any) -> str:
    """A command's name as typer gives it: its own, else its function's, lower case, ``_`` as ``-``."""
    return str(command.name or command.callback.__name__.lower().replace("_", "-"))


INTERNAL_ERROR = 3
"""Exit code of an unexpected error: a bug in screening, not a problem of the input."""
BROKEN_PIPE = 141
"""Exit code when stdout's reader went away: 128 + SIGPIPE, what a shell shows for a program it killed."""


def _name_too_long(exc: OSError) -> bool:
    """A path named on the command line that the system cannot take (a component over 255 bytes): Python
    3.11's ``Path.is_dir()`` and ``exists()`` raise it rather than answer False, wherever a path is tested."""
    import errno

    return exc.errno == errno.ENAMETOOLONG and exc.filename is not None


def _internal_error(exc: BaseException) -> int:
    """One line on stderr naming the error and the version; the traceback (without local variables, since case
    data is confidential) only when SCREENING_TRACEBACK=1."""
    import os

    where = ""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_next is None:
            where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    sys.stderr.write(
        printable(f"screening: internal error: {type(exc).__name__}: {exc}{where}")
        + f" (screening {__version__}). This is a bug: please report it with the command you ran. "
        "Set SCREENING_TRACEBACK=1 to print the traceback.\n"
    )
    if os.environ.get("SCREENING_TRACEBACK") == "1":
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    return INTERNAL_ERROR


def run() -> None:
    """Console-script entry point (and ``python -m screening``): ``main`` as a process of its own.

    Collection of reference cycles waits for 100,000 new objects rather than 700: a screening of one case
    creates fewer, and its objects live to the end anyway, so the collector would only walk them (several
    milliseconds); a long run (a batch) is still collected. What is left at exit is frozen, so that Python's
    last collection skips it (about 10 ms for one case).
    """
    import gc

    gc.set_threshold(100_000, 50, 100)
    code = main()
    gc.freeze()
    sys.exit(code)
