"""Allow ``python -m screening``."""

from screening.cli import run

run()
