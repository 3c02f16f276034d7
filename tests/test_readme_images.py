"""The README's pictures show the current output of the Alibaba case (regenerate: python scripts/readme_images.py)."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "readme_images.py"


def load_script():
    spec = importlib.util.spec_from_file_location("readme_images", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_terminal_picture_is_current(monkeypatch):
    monkeypatch.chdir(ROOT)
    images = load_script()
    assert (ROOT / "docs" / "images" / "terminal.svg").read_text("utf-8") == images.terminal_svg()


def test_html_screenshots_are_of_the_current_report(monkeypatch):
    monkeypatch.chdir(ROOT)
    images = load_script()
    stored = (ROOT / "docs" / "images" / "report.png.sha256").read_text().strip()
    assert stored == images.html_digest(), "the HTML report changed: run python scripts/readme_images.py"
    for name in ("report.png", "report-ownership.png"):
        assert (ROOT / "docs" / "images" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_readme_shows_them():
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in ("terminal.svg", "report.png", "report-ownership.png"):
        assert f"docs/images/{name}" in readme
