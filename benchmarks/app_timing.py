"""Browser timings of the app (issue 10): one Verkennen step of `default` incl. the chart update,
and a Vergelijken comparison of 2 options × 8 replications × 10 years of `default`.

    uv run python benchmarks/app_timing.py [--screenshot docs/img/vergelijken.png]

Starts `zorgsim ui` on a free port (tests/appserver.py), drives Debian's Chromium with Playwright
and prints the timings as a Markdown list. Measured: from the click to the moment the page shows
the new week (the charts and KPI cards arrive in the same update from the server) and, for the
comparison, from the click on Vergelijk to the first summary sentence.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from appserver import running_app  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

TIMEOUT_MS = 600_000


def painted(page) -> None:
    """Wait until the browser has painted the latest update (two animation frames)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def step_times(page, url: str, steps: int, warm_weeks: int) -> list[float]:
    page.goto(url + "verkennen")
    page.locator(".v-select").filter(has=page.get_by_text("Scenario", exact=True)).first.click()
    page.locator(".v-menu__content .v-list-item").filter(has_text="Zuidoost-Brabant").first.click()
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van 520"))
    page.wait_for_load_state("networkidle")  # a click while the new run's view is still being built can be lost
    page.wait_for_timeout(1000)
    for _ in range(warm_weeks):  # charts with some history before measuring
        week = int(re.search(r"week (\d+)", page.locator(".zs-week").inner_text()).group(1))
        page.locator(".zs-step").click()
        expect(page.locator(".zs-week")).to_have_text(re.compile(rf"week {week + 1} van"))
    times = []
    for _ in range(steps):
        week = int(re.search(r"week (\d+)", page.locator(".zs-week").inner_text()).group(1))
        started = time.perf_counter()
        page.locator(".zs-step").click()
        expect(page.locator(".zs-week")).to_have_text(re.compile(rf"week {week + 1} van"))
        expect(page.locator(".zs-chart canvas")).to_have_count(5)
        painted(page)
        times.append(time.perf_counter() - started)
    return times


def comparison_time(page, url: str, screenshot: Path | None) -> float:
    page.goto(url)
    page.get_by_role("button", name="Zuidoost-Brabant").click()
    page.get_by_role("button", name="8", exact=True).first.click()
    page.get_by_role("button", name="10", exact=True).first.click()
    started = time.perf_counter()
    page.get_by_role("button", name="Vergelijk", exact=True).click()
    expect(page.locator(".zs-sentence").first).to_be_visible(timeout=TIMEOUT_MS)
    painted(page)
    elapsed = time.perf_counter() - started
    if screenshot is not None:
        page.wait_for_timeout(1000)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        height = page.evaluate("Math.max(...Array.from(document.querySelectorAll('div')).map(e => e.scrollHeight))")
        page.set_viewport_size({"width": 1400, "height": min(int(height) + 40, 4000)})
        page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshot))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warm-weeks", type=int, default=20)
    parser.add_argument("--screenshot", type=Path, default=None, help="save the comparison's page here (PNG)")
    args = parser.parse_args()
    browser_path = shutil.which("chromium")
    if browser_path is None:
        sys.exit("needs Debian's chromium: apt-get install -y chromium fonts-dejavu-core")
    with tempfile.TemporaryDirectory() as tmp, running_app(Path(tmp)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=120_000)
        page = context.new_page()
        steps = step_times(page, url, args.steps, args.warm_weeks)
        compare_s = comparison_time(context.new_page(), url, args.screenshot)
        browser.close()
    print(f"- Verkennen, one step of `default` (week {args.warm_weeks + 1}–{args.warm_weeks + args.steps}) incl. "
          f"the update of 5 charts and the KPI cards: median {statistics.median(steps) * 1000:.0f} ms, "
          f"min {min(steps) * 1000:.0f} ms, max {max(steps) * 1000:.0f} ms ({len(steps)} steps)")
    print(f"- Vergelijken, 2 options × 8 replications × 10 years of `default` (16 runs, all cores): "
          f"{compare_s:.1f} s from the click to the first summary sentence")


if __name__ == "__main__":
    main()
