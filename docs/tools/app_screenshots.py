"""Screenshots of every page of the app at 1400 and 1024 wide, into docs/img/ (run by hand).

    uv run python docs/tools/app_screenshots.py

Starts a real ``zorgsim ui`` (tests/appserver.py), opens each page in Debian's Chromium as a
user would (a comparison of Klasregio, a run played to the end, Per gemeente after it) and saves
``docs/img/app-<page>-<width>.png``. Look at them: a screenshot shows what a passing selector does not.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from appserver import running_app  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

OUT = ROOT / "docs" / "img"
WIDTHS = (1400, 1024)


def full(page, path: Path, width: int) -> None:
    """The whole page: the app scrolls inside its layout, so the viewport is stretched first."""
    height = page.evaluate("Math.max(...Array.from(document.querySelectorAll('div')).map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": min(max(int(height) + 40, 900), 4000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, running_app(Path(folder)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        expect.set_options(timeout=240_000)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="nl-NL")
            page.goto(url)
            expect(page.get_by_role("button", name="Vergelijk", exact=True)).to_be_enabled()
            page.screenshot(path=str(OUT / f"app-vergelijken-start-{width}.png"))  # what a user sees first
            page.get_by_role("button", name="Klasregio").click()
            page.locator(".zs-years button", has_text="5").first.click()
            page.get_by_role("button", name="Vergelijk", exact=True).click()
            expect(page.locator(".zs-sentence").first).to_be_visible()
            full(page, OUT / f"app-vergelijken-resultaat-{width}.png", width)
            page.get_by_role("tab", name="Verkennen").click()
            expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))
            page.locator(".zs-play").click()
            expect(page.locator(".zs-week")).to_have_text(re.compile(r"week (\d+) van \1\b"))
            full(page, OUT / f"app-verkennen-{width}.png", width)
            page.get_by_role("tab", name="Per gemeente").click()
            expect(page.get_by_text("Klein en groot")).to_be_visible()
            full(page, OUT / f"app-gemeenten-{width}.png", width)
            page.close()
        browser.close()
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("app-*.png"))))


if __name__ == "__main__":
    main()
