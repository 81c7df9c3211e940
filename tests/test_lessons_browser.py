"""Lessen and Netwerk in a real browser (Debian's Chromium, Playwright, a real ``zorgsim ui``), offline.

Every lesson opens, Voor and Na are pressed and both charts are seen; the Netwerk page draws nodes
and edges for ``klas`` and changes after a procurement round. Screenshots at 1280×720 and at
1400 wide land in ``out/app-screenshots/`` (and, with ZORGSIM_DOC_SHOTS=1, in ``docs/img/``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from appserver import block_outside, running_app
from zorgnetwerk_sim.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "out" / "app-screenshots"
DOC_SHOTS = ROOT / "docs" / "img"
expect.set_options(timeout=60_000)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("lessons-app")) as url:
        yield url


@pytest.fixture
def offline(page: Page):
    """Abort (and record) every request that leaves the local server."""
    outside = block_outside(page)
    yield page
    assert not outside, f"requests to outside: {outside[:5]}"


def shot(page: Page, name: str, doc: bool = False, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the charts finish drawing
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)
    if doc and os.environ.get("ZORGSIM_DOC_SHOTS"):
        page.screenshot(path=str(DOC_SHOTS / f"{name}.png"), full_page=full)


def pick_lesson(page: Page, index: int) -> None:
    page.locator(".zs-lesson-select").click()
    page.get_by_role("option", name=f"{index + 1}. {LESSONS[index].title}", exact=True).click()
    expect(page.get_by_role("heading", name=LESSONS[index].title, exact=True)).to_be_visible()


def test_every_lesson_runs_voor_and_na(app_url, offline: Page):
    page = offline
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(app_url + "lessen")
    timings = {}
    for i, lesson in enumerate(LESSONS):
        if i:
            pick_lesson(page, i)
        for title in ("Wat zie je", "Hoe werkt het", "Probeer zelf", "Let op"):
            expect(page.locator(".zs-info-card h4", has_text=title)).to_be_visible()
        start = time.perf_counter()
        page.locator(".zs-voor").click()
        expect(page.locator(".zs-chart-voor canvas").first).to_be_visible()
        expect(page.locator(".zs-voor")).to_be_enabled()
        page.locator(".zs-na").click()
        expect(page.locator(".zs-chart-na canvas").first).to_be_visible()
        expect(page.locator(".zs-lesson-numbers")).to_be_visible()
        timings[lesson.key] = time.perf_counter() - start
        assert page.locator(".zs-chart-voor canvas").count() == len(lesson.series)
        assert page.locator(".zs-chart-na canvas").count() == len(lesson.series)
        expect(page.locator(".zs-lesson-numbers")).to_contain_text(lesson.claims[0].measure.label)
        if i in (0, 3):
            shot(page, f"les-{lesson.key}-1400", doc=True, full=True)  # the whole lesson, charts included
    print("seconds per lesson (voor + na):", {k: round(v, 1) for k, v in timings.items()})
    assert max(timings.values()) < 30, timings


def test_klasmodus_at_1280x720(app_url, offline: Page):
    page = offline
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(app_url + "lessen")
    page.locator(".zs-klasmodus label").click()
    expect(page.locator(".zs-klas")).to_be_visible()
    expect(page.locator(".zs-years")).to_have_count(0)  # fewer controls
    page.locator(".zs-voor").click()
    expect(page.locator(".zs-na")).to_be_enabled()  # the replay of voor has finished
    page.locator(".zs-na").click()
    expect(page.locator(".zs-chart-na canvas").first).to_be_visible()
    expect(page.locator(".zs-na")).to_be_enabled()
    page.locator(".zs-chart-voor").first.scroll_into_view_if_needed()
    page.mouse.wheel(0, -120)
    page.wait_for_timeout(500)
    shot(page, "les-wachten-klasmodus-1280x720", doc=True)
    page.locator(".zs-back").click()
    expect(page.locator(".zs-chart-voor canvas")).to_have_count(0)


def node_names(page: Page) -> str:
    return page.locator(".zs-network").inner_text()


def test_netwerk_draws_klas_and_changes_after_procurement(app_url, offline: Page):
    page = offline
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(app_url + "netwerk")
    canvas = page.locator(".zs-network canvas").first
    expect(canvas).to_be_visible()
    expect(page.locator(".zs-net-week")).to_contain_text("Week 0")
    page.locator(".zs-net-step").click()
    expect(page.locator(".zs-net-week")).to_contain_text("Week 4")
    before = canvas.screenshot()
    page.locator(".zs-net-step").scroll_into_view_if_needed()
    shot(page, "netwerk-1280x720", doc=True)
    page.locator(".zs-net-procurement").click()
    expect(page.locator(".zs-net-events")).to_contain_text("aanbesteding")
    expect(page.locator(".zs-net-week")).not_to_contain_text("Week 4 ")
    after = canvas.screenshot()
    assert before != after
    page.set_viewport_size({"width": 1400, "height": 900})
    page.locator(".zs-net-step").scroll_into_view_if_needed()
    shot(page, "netwerk-na-aanbesteding-1400", doc=True)
