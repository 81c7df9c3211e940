"""The app in a real browser: Debian's Chromium driven by Playwright against a running ``zorgsim ui``.

Every page is opened with outbound network blocked: a request to anything but the local server
is aborted and recorded, and each test asserts that none was attempted (and the server's log
shows that it fetched nothing from a CDN either). Screenshots of each page are kept in
``out/app-screenshots/`` (ignored by git) for a person to look at.

The model's numbers change as the model develops, so the tests assert structure and that
things change, never particular values.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from appserver import block_outside, running_app

SHOTS = Path(__file__).resolve().parents[1] / "out" / "app-screenshots"
TIMEOUT_MS = 60_000  # the shared 2-core machine can be slow; nothing here waits that long when idle
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("app")
    try:
        with running_app(folder) as url:
            yield {"url": url, "log": folder / "app.log"}
    finally:  # the server's log is kept beside the screenshots
        if (folder / "app.log").is_file():
            SHOTS.mkdir(parents=True, exist_ok=True)
            (SHOTS / "app.log").write_bytes((folder / "app.log").read_bytes())


def offline_context(browser: Browser) -> tuple[BrowserContext, list[str]]:
    """A browser context whose requests may only go to the local server; others are aborted and listed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL",
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context, block_outside(context)


@pytest.fixture
def offline(browser: Browser, app: dict):
    """A page in an offline context; after the test: no request left the machine."""
    context, attempted = offline_context(browser)
    page = context.new_page()
    yield page
    context.close()
    assert attempted == [], f"requests that would have left the machine: {attempted[:5]}"
    log = app["log"].read_text(errors="replace")
    assert "Could not load URL" not in log, "the server tried to fetch files from outside (see app.log)"


def shot(page: Page, name: str, folder: Path = SHOTS) -> Path:
    """A screenshot of the whole page (the app scrolls inside its layout, so the viewport is stretched)."""
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = page.evaluate("Math.max(...Array.from(document.querySelectorAll('main, .v-main__wrap, .v-content__wrap, "
                           "div')).map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height) + 40, size["height"]), 5000)})
    page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
    page.wait_for_timeout(300)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def open_tab(page: Page, label: str) -> None:
    """Switch page with the navigation tabs (keeps the session, as a user does)."""
    page.get_by_role("tab", name=label).click()


def kpi_values(page: Page) -> dict[str, str]:
    cards = page.locator(".zs-kpi")
    expect(cards.first).to_be_visible()
    out = {}
    for i in range(cards.count()):
        card = cards.nth(i)
        out[card.locator(".zs-kpi-label").inner_text()] = card.locator(".zs-kpi-value").inner_text()
    return out


def open_verkennen(page: Page, url: str) -> None:
    """Open Verkennen and wait until its first run is there (a click may follow at once)."""
    page.goto(url + "verkennen")
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))


def play_to_end(page: Page) -> None:
    page.locator(".zs-play").click()
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week (\d+) van \1\b"), timeout=120_000)
    expect(page.locator(".zs-kpi").first).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select").filter(has=page.get_by_text(label, exact=True)).first.click()
    page.locator(".v-menu__content .v-list-item").filter(has_text=option).first.click()


def download(page: Page, button: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).first.click()
    return Path(info.value.path()).read_bytes()


# ---------------------------------------------------------------------------------------------
def test_every_page_loads_offline(offline: Page, app: dict) -> None:
    page = offline
    page.goto(app["url"])
    expect(page.get_by_role("heading", name="Vergelijken")).to_be_visible()
    expect(page.get_by_role("button", name="Vergelijk", exact=True)).to_be_enabled()
    expect(page.get_by_role("tab", name="Verkennen")).to_be_visible()
    expect(page.get_by_role("tab", name="Per gemeente")).to_be_visible()
    shot(page, "vergelijken-start")
    open_tab(page, "Verkennen")
    expect(page.get_by_role("heading", name="Verkennen")).to_be_visible()
    expect(page.get_by_text("Wat de regio kiest")).to_be_visible()
    expect(page.get_by_text("Wat de regio niet weet")).to_be_visible()
    shot(page, "verkennen-start")
    open_tab(page, "Per gemeente")
    expect(page.get_by_role("heading", name="Per gemeente")).to_be_visible()
    expect(page.get_by_text("Er is nog geen run")).to_be_visible()
    shot(page, "gemeenten-start")


def test_comparison_shows_sentences_intervals_and_exports(offline: Page, app: dict) -> None:
    page = offline
    page.goto(app["url"])
    page.get_by_role("button", name="Klasregio").click()
    page.locator(".zs-replications button", has_text="5").click()  # herhalingen: the fewest there are
    page.locator(".zs-years button", has_text="2").first.click()  # jaren
    page.locator("label", has_text="Investeren in vertrouwen").click()
    page.get_by_role("button", name="Vergelijk", exact=True).click()
    sentences = page.locator(".zs-sentence")
    expect(sentences.first).to_be_visible(timeout=180_000)
    texts = sentences.all_inner_texts()
    assert len(texts) == 2 * 6  # two options against the baseline, six KPIs
    # 2 years with the region's warm-up cut to half a year: the numbers are over the 1,5 years after it
    horizon = r"\(gemiddelde over de 1,5 jaar na de inloop, 95%-BI .+ tot .+\)"
    forms = (rf"^.+ (verkort|verlengt|verlaagt|verhoogt) .+ met .+ {horizon} ten opzichte van Huidig beleid\.$",
             rf"^Het verschil in .+ tussen .+ en Huidig beleid is niet te onderscheiden van toeval {horizon}\.$",
             r"^.+ geeft in elke herhaling precies .+ van Huidig beleid: geen verschil\.$")
    for text in texts:
        assert any(re.match(f, text) for f in forms), text
        assert "in jaar 2" not in text, text  # year 2 after warm-up is not covered in full
        assert not re.search(r"\d\.\d{1,2}\b(?!\d)", text.replace("95%-BI", "")), f"decimal point: {text}"
    assert any("95%-BI" in t for t in texts)
    assert any(re.search(r"\d,\d", t) for t in texts), "no decimal comma in the sentences"
    expect(page.get_by_text("95%-BI van het verschil")).to_be_visible()
    expect(page.locator(".zs-chart svg").first).to_be_visible()
    assert page.locator(".zs-chart").count() == 4  # wachtlijst, uithuisplaatsingen, crisis, kosten
    shot(page, "vergelijken-resultaat")
    page.get_by_role("button", name="CSV (standaard, voor scripts)").click()  # Excel-NL is the default
    table = list(csv.DictReader(io.StringIO(download(page, "Vergelijkingstabel (CSV)").decode())))
    assert {"point", "kpi", "diff", "diff_ci_low", "diff_ci_high"} <= set(table[0])
    assert {r["point"] for r in table} == {"Huidig beleid", "Centrale wachtlijst", "Investeren in vertrouwen"}
    assert {r["horizon"] for r in table if r["kpi"] == "waitlist_mean"} == {"mean over the 1.5 years after warm-up"}
    by_year = list(csv.DictReader(io.StringIO(download(page, "Verschil per jaar na de inloop (CSV)").decode())))
    assert {(r["point"], r["year"]) for r in by_year if r["kpi"] == "waitlist_mean"} == {
        (p, y) for p in ("Huidig beleid", "Centrale wachtlijst", "Investeren in vertrouwen") for y in ("1", "2")}
    runs = list(csv.DictReader(io.StringIO(download(page, "Runs (CSV)").decode())))
    assert len(runs) == 3 * 5
    assert download(page, "Download als PNG")[:8] == b"\x89PNG\r\n\x1a\n"
    experiment = download(page, "Experiment (TOML, voor zorgsim sweep)").decode()
    assert 'base = "klas"' in experiment and "replications = 5" in experiment


def test_lever_change_changes_kpis_and_charts(offline: Page, app: dict) -> None:
    page = offline
    open_verkennen(page, app["url"])
    page.locator(".zs-step").click()  # at once: a click while the new run is drawn still counts
    # (a step is quick, but on a loaded 2-core machine the server may answer late)
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 1 van \d+"), timeout=30_000)
    # Opening a group draws its sliders; none may change its setting (and so restart the run).
    # The browser sends a slider's change before the next click, so a restart would show as week 1.
    for group in ("Expertteam", "Vertrouwen", "Preventie", "Inkoop en solidariteit"):
        page.locator(".v-expansion-panel-header").filter(has_text=group).first.click()
    page.locator(".zs-step").click()
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 2 van \d+"), timeout=30_000)
    play_to_end(page)
    before = kpi_values(page)
    assert set(before) >= {"Wachtlijst", "Kosten", "Uithuisplaatsingen"}
    assert page.locator(".zs-chart svg").count() == 5
    chart_before = page.locator(".zs-chart").first.screenshot()
    choose(page, "Wachtlijst", "centraal")
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))  # a lever change restarts
    page.locator(".zs-step").click()  # at once, on the new run
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 1 van \d+"), timeout=30_000)
    play_to_end(page)
    after = kpi_values(page)
    assert after != before, "changing the queue lever changed no headline number"
    assert page.locator(".zs-chart").first.screenshot() != chart_before
    shot(page, "verkennen-na-run")
    scenario = download(page, "Scenario (TOML, voor zorgsim run)").decode()
    assert 'queue = "central"' in scenario and "seed = " in scenario
    page.get_by_role("button", name="CSV (standaard, voor scripts)").click()
    series = download(page, "Tijdreeks per gemeente (CSV)").decode().splitlines()
    assert series[0].startswith("week,year,gemeente") and len(series) > 100
    open_tab(page, "Per gemeente")
    expect(page.get_by_text("Klein en groot")).to_be_visible()
    expect(page.get_by_text("Stadskerk").first).to_be_visible()  # a gemeente of the klas region
    expect(page.get_by_text("klein").first).to_be_visible()
    expect(page.get_by_text("groot").first).to_be_visible()
    page.get_by_role("button", name="Vergelijk met en zonder solidariteit").click()
    expect(page.locator(".zs-chart")).to_have_count(2, timeout=120_000)
    shot(page, "gemeenten")


def test_the_cdn_route_answers_locally_and_fetches_nothing(app: dict) -> None:
    """/_solara/cdn/<anything> not among the installed assets: 404 at once, and no fetch from a public CDN."""
    import urllib.error
    import urllib.request

    for path in ("_solara/cdn/bestaat-niet@1.0.0/x.js", "_solara/cdn/iets"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(app["url"] + path, timeout=30)
        assert err.value.code == 404
    with urllib.request.urlopen(app["url"] + "_solara/cdn/requirejs@2.3.6/require.js", timeout=30) as installed:
        assert installed.status == 200
    assert "Could not load URL" not in app["log"].read_text(errors="replace")


BAD_UPLOAD = b'base = "klas"\n[levers.coordination]\nqueue = "overal"\n'
PATH_UPLOAD = b'base = "../scenarios/klas.toml"\n'
GOOD_UPLOAD = b'base = "klas"\nname = "mijn-regio"\n[levers.coordination]\nqueue = "central"\n'


def test_invalid_upload_shows_dutch_message_and_changes_nothing(offline: Page, app: dict, tmp_path: Path) -> None:
    page = offline
    open_verkennen(page, app["url"])
    page.locator(".zs-step").click()
    # (a step is quick, but on a loaded 2-core machine the server may answer late)
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 1 van \d+"), timeout=30_000)

    def upload(path: Path) -> None:
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name=re.compile("Kies bestand")).click()
        chooser.value.set_files(str(path))

    for name, content, key in (("fout.toml", BAD_UPLOAD, "levers.coordination.queue"),
                               ("pad.toml", PATH_UPLOAD, "base")):
        (tmp_path / name).write_bytes(content)
        upload(tmp_path / name)
        message = page.locator(".zs-upload-message")
        expect(message).to_contain_text(f"bij '{key}'")
        expect(message).to_contain_text("toegestaan")
        expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 1 van \d+"))  # the run is untouched
        expect(page.get_by_text("Klasregio").first).to_be_visible()
    shot(page, "verkennen-foute-upload")
    (tmp_path / "goed.toml").write_bytes(GOOD_UPLOAD)
    upload(tmp_path / "goed.toml")
    expect(page.locator(".zs-upload-message")).to_contain_text("mijn-regio")
    expect(page.get_by_text("Geüpload: mijn-regio").first).to_be_visible()
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))


def test_two_sessions_do_not_share_state_or_wait_for_each_other(browser: Browser, app: dict) -> None:
    a_context, a_attempted = offline_context(browser)
    b_context, b_attempted = offline_context(browser)
    try:
        a, b = a_context.new_page(), b_context.new_page()
        open_verkennen(a, app["url"])
        open_verkennen(b, app["url"])
        for _ in range(3):
            a.locator(".zs-step").click()
            expect(a.locator(".zs-week")).to_have_text(re.compile(r"week [1-3] van"))
        expect(a.locator(".zs-week")).to_have_text(re.compile(r"week 3 van \d+"))
        expect(b.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))
        # A starts a comparison; B's page keeps answering meanwhile, and never sees A's result
        open_tab(a, "Vergelijken")
        a.get_by_role("button", name="Klasregio").click()
        a.locator(".zs-replications button", has_text="16").click()  # long enough to still run below
        a.locator(".zs-years button", has_text="2").first.click()  # jaren
        a.get_by_role("button", name="Vergelijk", exact=True).click()
        expect(a.locator(".zs-progress-text")).to_be_visible()
        b.locator(".zs-step").click()
        expect(b.locator(".zs-week")).to_have_text(re.compile(r"week 1 van \d+"))
        expect(a.locator(".zs-sentence").first).to_be_visible(timeout=180_000)
        open_tab(b, "Vergelijken")
        expect(b.get_by_role("heading", name="Vergelijken")).to_be_visible()
        assert b.locator(".zs-sentence").count() == 0
        open_tab(a, "Verkennen")
        expect(a.locator(".zs-week")).to_have_text(re.compile(r"week 3 van \d+"))  # A's run kept its state
    finally:
        a_context.close()
        b_context.close()
    assert a_attempted == [] and b_attempted == []
