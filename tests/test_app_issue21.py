"""Issue 21 in a real browser: the defects a policy maker met, each reproduced as a user meets it.

Same harness as tests/test_app_browser.py (a real ``zorgsim ui``, Debian's Chromium, every
request off the machine aborted and recorded). Each test names the defect of the issue it
reproduces; all failed on the app before the fix. Numbers come from runs or shipped files,
never typed in.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import test_app_browser as tb
from appserver import running_app

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
ENGLISH_THOUSANDS = re.compile(r"^−?[1-9]\d{0,2}(,\d{3})+$")  # 2,800 (Dutch: 2.800)
DUTCH_THOUSANDS = re.compile(r"^−?[1-9]\d{0,2}(\.\d{3})+$")
ENGLISH_WORDS = ("stylised", "assumption", "seed 0", "/yr", "regional wait norms", " or '", "Expected ",
                 "runs on Solara")


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> dict:
    """The app with a results folder that holds one sweep of only 2 replications (made by a run)."""
    from zorgnetwerk_sim.app.comparison import experiment_data, shipped_options
    from zorgnetwerk_sim.runner import Experiment, run_sweep

    folder = tmp_path_factory.mktemp("app21")
    results = folder / "results"
    data = experiment_data("klas", shipped_options()[:2], 2, 2)
    run_sweep(Experiment.from_dict(data, "twee-herhalingen"), results / "twee-herhalingen", workers=1)
    with running_app(folder, env={"ZORGSIM_UI_RESULTS": str(results)}) as url:
        yield {"url": url, "log": folder / "app.log"}


offline = tb.offline  # the fixture of test_app_browser, on this module's app


def compare(page: Page, region: str | None, replications: int, years: int) -> None:
    if region:
        page.get_by_role("button", name=region).click()
    page.locator(".zs-replications button", has_text=re.compile(rf"^\s*{replications}\s*$")).click()
    page.locator(".zs-years button", has_text=re.compile(rf"^\s*{years}\s*$")).click()
    page.get_by_role("button", name="Vergelijk", exact=True).click()


def table_rows(page: Page) -> list[dict[str, str]]:
    table = page.locator(".zs-differences table")
    head = table.locator("th").all_inner_texts()
    return [dict(zip(head, row.locator("td").all_inner_texts())) for row in table.locator("tbody tr").all()]


def reads_as_zero(text: str) -> bool:
    return re.sub(r"\D", "", text).strip("0") == ""


def assert_verdicts_match_intervals(page: Page) -> None:
    """Defect 3: a verdict (beter / slechter / verschil) never stands beside an interval that reads as
    touching or crossing zero."""
    rows = table_rows(page)
    assert rows
    for row in rows:
        low, high = row["95%-BI van het verschil"].split(" tot ")
        if row["Oordeel"] in ("beter", "slechter", "verschil"):
            assert not reads_as_zero(low) and not reads_as_zero(high), row


# ---------------------------------------------------------------------------------------------
def test_defect1_my_settings_are_the_explored_scenario_on_its_region(offline: Page, app: dict) -> None:
    page = offline
    tb.open_verkennen(page, app["url"])
    tb.choose(page, "Scenario", "Preventie 5%")
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))
    page.locator(".v-input--switch").filter(has_text="Urgentie gaat voor").locator("input").click(force=True)
    expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 0 van \d+"))
    tb.open_tab(page, "Vergelijken")
    page.get_by_role("button", name="Klasregio").click()  # as in the issue: another region first
    page.locator("label", has_text="Mijn instellingen").click()
    page.locator("label", has_text="Centrale wachtlijst").click()
    expect(page.locator(".zs-my-region")).to_contain_text("Zuidoost-Brabant")
    mine = page.locator(".zs-option-description", has_text="Urgentie gaat voor: ja")
    expect(mine).to_contain_text("Preventiebudget")
    compare(page, None, 5, 2)
    expect(page.locator(".zs-sentence").first).to_be_visible(timeout=240_000)
    tb.shot(page, "issue21-mijn-instellingen")
    experiment = tomllib.loads(tb.download(page, "Experiment (TOML, voor zorgsim sweep)").decode())
    shipped = tomllib.loads((SCENARIOS / "preventie-5pct.toml").read_text())
    assert experiment["base"] == shipped["base"]  # the region explored, not Klasregio
    variant = {v["name"]: v for v in experiment["variants"]}["Mijn instellingen (Verkennen)"]
    assert variant["levers"]["prevention"]["budget_share"] == shipped["levers"]["prevention"]["budget_share"]
    assert variant["levers"]["coordination"]["urgency_priority"] is True
    assert_verdicts_match_intervals(page)


def test_defect2_no_fewer_than_five_replications_and_no_verdict_from_two(offline: Page, app: dict) -> None:
    page = offline
    page.goto(app["url"])
    expect(page.locator(".zs-replications button").first).to_be_visible()
    choices = [int(t) for t in page.locator(".zs-replications button").all_inner_texts()]
    assert choices and min(choices) >= 5, choices
    page.get_by_text("Of: open de resultaten van een zorgsim sweep").click()
    tb.choose(page, "Resultatenmap", "twee-herhalingen")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.locator(".zs-few-warning")).to_contain_text("minstens 5")
    verdicts = {row["Oordeel"] for row in table_rows(page)}
    assert not verdicts & {"beter", "slechter", "verschil"}, verdicts
    for text in page.locator(".zs-sentence").all_inner_texts():
        assert "te weinig" in text and "BI" not in text, text


def test_defect4_a_comparison_runs_on_while_the_user_looks_elsewhere(offline: Page, app: dict) -> None:
    page = offline
    page.goto(app["url"])
    compare(page, "Klasregio", 16, 10)
    expect(page.locator(".zs-progress-text")).to_contain_text("van 32 runs")
    tb.open_tab(page, "Verkennen")
    expect(page.get_by_role("heading", name="Verkennen")).to_be_visible()
    tb.open_tab(page, "Vergelijken")
    # the form shows what runs, and the comparison goes on
    expect(page.locator(".zs-job-what")).to_contain_text("Klasregio")
    expect(page.locator(".zs-job-what")).to_contain_text("16 herhalingen × 10 jaar")
    expect(page.get_by_role("button", name="Vergelijk", exact=True)).to_be_disabled()
    expect(page.locator(".zs-replications .v-btn--active")).to_have_text(re.compile(r"\s*16\s*"))
    expect(page.locator(".zs-sentence").first).to_be_visible(timeout=240_000)
    expect(page.get_by_role("heading", name=re.compile("Resultaat: Klasregio: 16 herhalingen"))).to_be_visible()
    # a second one, then the first can be opened again
    page.locator(".zs-replications button", has_text=re.compile(r"^\s*5\s*$")).click()
    page.locator(".zs-years button", has_text=re.compile(r"^\s*2\s*$")).click()
    page.get_by_role("button", name="Vergelijk", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Resultaat: Klasregio: 5 herhalingen"))).to_be_visible(
        timeout=240_000)
    page.locator(".zs-history-item", has_text="16 herhalingen").click()
    expect(page.get_by_role("heading", name=re.compile("Resultaat: Klasregio: 16 herhalingen"))).to_be_visible()


def test_defect5_per_gemeente_opened_directly_has_a_way_on(offline: Page, app: dict) -> None:
    page = offline
    page.goto(app["url"] + "gemeenten")
    page.get_by_role("button", name="Draai het hele scenario").click()
    expect(page.get_by_text("Klein en groot")).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"Scenario Klasregio, week"))).to_be_visible()  # not "Scenario 'klas'"


def test_defect6_and_9_dutch_everywhere_and_tables_for_dutch_excel(offline: Page, app: dict) -> None:
    page = offline
    page.goto(app["url"])
    assert page.evaluate("document.documentElement.lang") == "nl"
    compare(page, "Klasregio", 5, 2)
    expect(page.locator(".zs-sentence").first).to_be_visible(timeout=240_000)
    expect(page.locator(".zs-chart svg").first).to_be_visible()
    page.wait_for_timeout(500)
    labels = [t.strip() for t in page.locator(".zs-chart svg text").all_text_contents() if t.strip()]
    numbers = [t for t in labels if re.fullmatch(r"−?[\d.,]+", t)]
    assert len(numbers) > 10, labels
    for text in numbers:
        assert not ENGLISH_THOUSANDS.match(text), f"English thousands: {text}"
        assert "." not in text or DUTCH_THOUSANDS.match(text), f"decimal point: {text}"
    # the hover box: each option's value with its 95% band, in Dutch, without the band's helper series
    box = page.locator(".zs-chart").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.45)
    hover = page.locator(".zs-chart div", has_text="95%-BI").last
    expect(hover).to_be_visible()
    assert "ondergrens" not in hover.inner_text() and "breedte" not in hover.inner_text()
    body = page.locator("body").inner_text()
    for word in ENGLISH_WORDS:
        assert word not in body, word
    tb.shot(page, "issue21-nederlands")
    # defect 9: Excel-NL by default, plain CSV on request, and a data dictionary
    raw = tb.download(page, "Runs (Excel-NL)")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert {"optie", "herhaling", "gemiddelde_wachttijd"} <= set(header), header
    values = [v for row in rows[1:] for v in row]
    assert any(re.fullmatch(r"−?-?\d+,\d+", v) for v in values), "no decimal comma"
    assert not any(re.fullmatch(r"-?\d+\.\d+", v) for v in values), "a decimal point"
    decimals = [v for v in values if re.fullmatch(r"-?\d+,\d+", v)]
    assert all(len(re.sub(r"\D", "", v).lstrip("0")) <= 10 for v in decimals), "float noise"
    dictionary = list(csv.DictReader(io.StringIO(tb.download(page, "Uitleg bij de kolommen").decode("utf-8-sig")),
                                     delimiter=";"))
    described = {r["kolom (Excel-NL)"] for r in dictionary if r["bestand"] == "vergelijking-runs.csv"}
    assert set(header) <= described and all(r["betekenis"] for r in dictionary)
    page.get_by_role("button", name="CSV (standaard, voor scripts)").click()
    plain = list(csv.DictReader(io.StringIO(tb.download(page, "Runs (CSV)").decode())))
    assert {"point", "replication", "wait_weeks_mean"} <= set(plain[0])
    # tooltips of the controls and the upload messages
    tb.open_tab(page, "Verkennen")
    for group in ("Vertrouwen", "Inkoop en solidariteit"):
        page.locator(".v-expansion-panel-header").filter(has_text=group).first.click()
    for label in ("Kosten per contactmoment", "Aanvaarde wachttijd", "Tariefstijging"):
        control = page.locator(".zs-control").filter(has_text=label).first
        control.scroll_into_view_if_needed()
        control.locator(".zs-info").hover()
        tip = page.locator(".v-tooltip__content.menuable__content__active")
        expect(tip).to_contain_text("Bron:")
        for word in ENGLISH_WORDS:
            assert word not in tip.inner_text(), (label, tip.inner_text())
        page.mouse.move(5, 5)


def test_defect7_controls_and_layout(browser: Browser, app: dict) -> None:
    context, attempted = tb.offline_context(browser)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(app["url"])
        expect(page.get_by_role("button", name="Vergelijk", exact=True)).to_be_in_viewport()
        page.set_viewport_size({"width": 1024, "height": 900})
        card = page.locator(".zs-regions").bounding_box()
        last = page.get_by_role("button", name="Nederland").bounding_box()
        assert last["x"] + last["width"] <= card["x"] + card["width"] + 1, (last, card)
        page.set_viewport_size({"width": 1400, "height": 900})
        tb.open_verkennen(page, app["url"])
        page.locator(".v-expansion-panel-header").filter(has_text="Vertrouwen").first.click()
        control = page.locator(".zs-control").filter(has_text="Kosten per contactmoment")
        expect(control.locator("input")).to_be_visible()
        assert control.locator(".v-slider").count() == 0  # a number field, not a 0–10.000.000 slider
        # the KPI strip waits for the end of the warm-up
        page.locator(".zs-step").click()
        expect(page.locator(".zs-week")).to_have_text(re.compile(r"week 1 van \d+"))
        expect(page.locator(".zs-warmup-note")).to_be_visible()
        assert page.locator(".zs-kpi").count() == 0
        tb.play_to_end(page)
        expect(page.locator(".zs-kpi").first).to_be_visible()
    finally:
        context.close()
    assert attempted == []
