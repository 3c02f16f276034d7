"""Make the README's pictures from the real output of the bundled Alibaba case.

    python scripts/readme_images.py          # rewrite docs/images/*
    python scripts/readme_images.py --check  # exit 1 when a picture is out of date

docs/images/terminal.svg is the terminal report (rich's SVG export of the coloured text).
docs/images/report.png (the top) and report-ownership.png (the ownership section) are screenshots of the
HTML report in headless Chromium (Debian's chromium and the playwright package); the SHA-256 of the HTML
they show is kept in report.png.sha256, so a test can tell whether the pictures still match the report
without comparing pixels.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCREENING_TODAY", "2026-11-28")  # the pictures show today's law: fix the day

from screening.api import screen_files  # noqa: E402
from screening.report import Options, render  # noqa: E402

IMAGES = ROOT / "docs" / "images"
CASE = Path("cases") / "alibaba-liege.yaml"  # relative, as a user types it: reports show the path
WIDTH = 100
LINES = 60  # the top of the report: header, score arithmetic, first findings


def results():  # type: ignore[no-untyped-def]
    os.chdir(ROOT)
    return screen_files([CASE])


def terminal_svg() -> str:
    """The first lines of the coloured terminal report as an SVG picture."""
    from rich.console import Console
    from rich.text import Text

    text = render("text", results(), Options(width=WIDTH, color=True))
    head = "\n".join(text.splitlines()[:LINES])
    console = Console(record=True, width=WIDTH, force_terminal=True, color_system="truecolor", file=_Null())
    console.print(Text.from_ansi(head))
    return console.export_svg(title="screening screen cases/alibaba-liege.yaml", unique_id="alibaba")


def report_html() -> str:
    return render("html", results(), Options())


def html_digest() -> str:
    return hashlib.sha256(report_html().encode("utf-8")).hexdigest()


def screenshot(target: Path, ownership: Path) -> None:
    """The top of the HTML report, and its ownership section with the diagram."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed for the HTML screenshot")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(report_html(), encoding="utf-8")
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1000, "height": 1400}, device_scale_factor=1)
        page.goto(page_file.as_uri(), wait_until="load")
        page.screenshot(path=str(target), full_page=False)
        page.locator("#ownership").screenshot(path=str(ownership))
        browser.close()


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 when a picture is stale.")
    args = parser.parse_args()
    svg, digest = terminal_svg(), html_digest()
    svg_path, png_path, sum_path = IMAGES / "terminal.svg", IMAGES / "report.png", IMAGES / "report.png.sha256"
    own_path = IMAGES / "report-ownership.png"
    if args.check:
        stale = [
            p.name
            for p, ok in (
                (svg_path, svg_path.exists() and svg_path.read_text("utf-8") == svg),
                (png_path, sum_path.exists() and sum_path.read_text().strip() == digest),
            )
            if not ok
        ]
        if stale:
            print(f"out of date: {', '.join(stale)}; run python scripts/readme_images.py", file=sys.stderr)
            return 1
        return 0
    IMAGES.mkdir(parents=True, exist_ok=True)
    svg_path.write_text(svg, encoding="utf-8")
    screenshot(png_path, own_path)
    sum_path.write_text(digest + "\n")
    print(f"wrote {svg_path.relative_to(ROOT)}, {png_path.relative_to(ROOT)}, {own_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
