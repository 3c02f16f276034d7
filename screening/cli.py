"""Command-line interface: parse, call one core function, render, return an exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, Optional

import typer

from screening import __version__
from screening.errors import ScreeningError
from screening.report import FORMATS

LEVELS = ["low", "medium", "high", "critical"]
Level = Literal["low", "medium", "high", "critical"]
Format = Literal[tuple(FORMATS)]  # type: ignore[valid-type]
TextOrJson = Literal["text", "json"]

app = typer.Typer(help="Screen foreign investments for security risk with versioned YAML rule packs.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)
rules_app = typer.Typer(help="Browse the rule catalogue.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RulesOpt = typer.Option(None, "--rules", "-r", help="Rule pack directory (default: the bundled pack).",
                        file_okay=False)


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        from screening.output import write_atomic

        write_atomic(output, text)


def _options(width: Optional[int], color: Optional[bool], to_file: bool):  # type: ignore[no-untyped-def]
    import shutil

    from screening.report import Options

    tty = sys.stdout.isatty() and not to_file
    return Options(width=width or (shutil.get_terminal_size((100, 24)).columns if tty else 100),
                   color=tty if color is None else color)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screening {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                              help="Print the version and exit.")) -> None:
    """Screen foreign investments for security risk with versioned YAML rule packs."""


@app.command()
def screen(
    cases: list[Path] = typer.Argument(..., help="Case files (YAML).", dir_okay=False),
    rules: Optional[Path] = RulesOpt,
    format: Format = typer.Option("text", "--format", "-f", help="Report format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file.",
                                          dir_okay=False),
    fail_on: Optional[Level] = typer.Option(None, "--fail-on", help="Exit 1 when a case reaches this level."),
    width: Optional[int] = typer.Option(None, "--width", help="Width of the text report (columns)."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour the text report."),
) -> None:
    """Screen investment cases and print the report.

    Example: screening screen cases/alibaba-liege.yaml --format json -o report.json
    """
    from screening.api import screen_files
    from screening.report import render

    results = screen_files(cases, rules)
    _emit(render(format, results, _options(width, color, output is not None)), output)
    if fail_on and any(LEVELS.index(r.level) >= LEVELS.index(fail_on) for r in results if r.level in LEVELS):
        raise typer.Exit(1)


@rules_app.command("list")
def rules_list(rules: Optional[Path] = RulesOpt,
               category: Optional[str] = typer.Option(None, "--category", "-c", help="Only this category."),
               format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format.")) -> None:
    """List the rules of a pack: id, category, weight, title.

    Example: screening rules list --category state_influence
    """
    from screening.api import pack_at
    from screening.report.catalogue import rule_list

    typer.echo(rule_list(pack_at(rules), category, format, _options(None, None, False)), nl=False)


@rules_app.command("show")
def rules_show(rule_id: str = typer.Argument(..., help="Rule id, e.g. SI-001."),
               rules: Optional[Path] = RulesOpt,
               format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format.")) -> None:
    """Show one rule: condition, rationale, legal basis, sources, examples.

    Example: screening rules show SI-001
    """
    from screening.api import pack_at
    from screening.report.catalogue import rule_detail

    typer.echo(rule_detail(pack_at(rules), rule_id, format, _options(None, None, False)), nl=False)


@app.command()
def facts(format: TextOrJson = typer.Option("text", "--format", "-f", help="Output format.")) -> None:
    """List the facts rule conditions can name, with types and gap questions.

    Example: screening facts --format json
    """
    from screening.report.catalogue import fact_list

    typer.echo(fact_list(format, _options(None, None, False)), nl=False)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI and return its exit code; input problems print one located line each on stderr."""
    try:
        app(args=argv, prog_name="screening")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ScreeningError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        return exc.exit_code
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
