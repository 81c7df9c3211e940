"""The app's pure helpers: Dutch numbers, summary sentences, uploads, controls, comparisons, exports.

No browser here (tests/test_app_browser.py drives the real app). Model outputs change as the
model develops, so the tests check structure, directions and round trips, not values.
"""

from __future__ import annotations

import math
import re
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zorgnetwerk_sim import Simulation, load_scenario, run
from zorgnetwerk_sim.app import comparison as cmp
from zorgnetwerk_sim.app.charts import Chart, Line, echarts_option, png_bytes
from zorgnetwerk_sim.app.explore import (controls, kpi_strip, per_gemeente, resolve, scenario_toml, size_classes,
                                         base_raw, value_of, weekly)
from zorgnetwerk_sim.app.format import decimals_for, nl_eur, nl_interval, nl_number, nl_percent
from zorgnetwerk_sim.app.labels import COMPARE_KPIS, CONTROLS, KPIS
from zorgnetwerk_sim.app.summary import NOISE, difference_rows, differences
from zorgnetwerk_sim.app.upload import MAX_UPLOAD_BYTES, UploadError, parse_upload
from cli_helpers import assert_one_error_line, cli  # noqa: F401 - cli is a fixture
from zorgnetwerk_sim.runner import compare
from zorgnetwerk_sim.scenario import available_scenarios, parameter_table


# ---------------------------------------------------------------------------------------------
# Dutch numbers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, decimals, signed, text", [
    (3.14159, None, False, "3,1"),
    (12345.6, None, False, "12.346"),
    (1234567.891, 2, False, "1.234.567,89"),
    (-2.5, 1, False, "−2,5"),
    (2.5, 1, True, "+2,5"),
    (-0.0004, 2, True, "0,00"),  # rounds to zero: no sign
    (0.0, None, False, "0"),
    (0.0123, None, False, "0,012"),
    (float("nan"), None, False, "–"),
    (None, None, False, "–"),
])
def test_nl_number(value, decimals, signed, text) -> None:
    assert nl_number(value, decimals, signed) == text


def test_euros_percentages_and_intervals() -> None:
    assert nl_eur(1_234_000) == "€ 1,23 mln"
    assert nl_eur(25_300_000) == "€ 25,3 mln"
    assert nl_eur(-3_400_000_000) == "−€ 3,40 mld"
    assert nl_eur(850) == "€ 850"
    assert nl_eur(254_625, signed=True) == "+€ 254.625"
    assert nl_eur(-4_000, signed=True) == "−€ 4.000"
    assert nl_percent(0.153) == "15%"
    assert nl_interval(2.44, 3.81) == "2,4 tot 3,8"
    assert nl_interval(-1.234, 0.8) == "−1,2 tot 0,8"
    assert decimals_for(0.3, 12.0) == decimals_for(12.0)  # a value and its interval round alike


def test_euros_in_a_chosen_unit() -> None:
    # amounts read beside amounts in mln are written in mln too, not in whole euros
    assert nl_eur(-761_485, unit="mln") == "−€ 0,76 mln"
    assert nl_eur(254_625, signed=True, unit="mln") == "+€ 0,25 mln"
    assert nl_eur(191_234_567, unit="mln") == "€ 191,2 mln"
    assert nl_eur(3_400_000_000, unit="mln") == "€ 3.400 mln"
    assert nl_eur(-12_345, unit="mln") == "−€ 0,012 mln"
    assert nl_eur(-200, unit="mln") == "€ 0,000 mln"  # rounds to zero: no sign
    assert nl_eur(-761_485, unit="mln", decimals=1) == "−€ 0,8 mln"
    assert nl_eur(2_500_000_000, unit="mld") == "€ 2,50 mld"
    # small amounts (cost per youth) stay in whole euros
    assert nl_eur(1_380.4, unit="eur") == "€ 1.380"
    assert nl_eur(2_500_000, unit="eur") == "€ 2.500.000"
    with pytest.raises(ValueError):
        nl_eur(1.0, unit="k")


def test_cost_differences_are_written_in_mln_like_the_means() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for r in range(8):
        base = 191.2e6 + rng.normal(0, 1e5)
        rows.append({"point_index": 0, "point": "basis", "replication": r, "cost_per_year_eur": base})
        rows.append({"point_index": 1, "point": "optie", "replication": r,
                     "cost_per_year_eur": base - 761_485 + rng.normal(0, 2e4)})
    table = compare(pd.DataFrame(rows), kpis=["cost_per_year_eur"])
    [row] = difference_rows(table, ["cost_per_year_eur"])
    assert re.fullmatch(r"€ 191,\d mln", row["Basis"]) and re.fullmatch(r"€ 190,\d mln", row["Optie (gemiddeld)"])
    assert re.fullmatch(r"−€ 0,7\d mln", row["Verschil"]), row["Verschil"]
    assert re.fullmatch(r"−€ 0,\d\d mln tot −€ 0,\d\d mln", row["95%-BI van het verschil"])
    [d] = differences(table, ["cost_per_year_eur"])
    assert re.search(r"verlaagt de kosten per jaar met € 0,7\d mln \(95%-BI −€ 0,\d\d mln tot −€ 0,\d\d mln\)",
                     d.sentence()), d.sentence()


# ---------------------------------------------------------------------------------------------
# Summary sentences from compare()
# ---------------------------------------------------------------------------------------------
def _runs(shift: dict[str, float], noise: float = 1.0, n: int = 8) -> pd.DataFrame:
    """Synthetic runs: baseline and 'optie' with given mean shifts per KPI (paired by replication)."""
    rng = np.random.default_rng(3)
    rows = []
    for r in range(n):
        base = {k: 100.0 + rng.normal(0, 5) for k in COMPARE_KPIS}
        rows.append({"point_index": 0, "point": "basis", "replication": r, **base})
        rows.append({"point_index": 1, "point": "optie", "replication": r,
                     **{k: base[k] + shift.get(k, 0.0) + rng.normal(0, noise) for k in COMPARE_KPIS}})
    return pd.DataFrame(rows)


def test_sentences_say_real_or_noise_from_the_paired_interval() -> None:
    table = compare(_runs({"wait_weeks_mean": -3.0, "cost_per_year_eur": 0.0}), kpis=list(COMPARE_KPIS))
    by_kpi = {d.kpi.key: d for d in differences(table, COMPARE_KPIS)}
    wait = by_kpi["wait_weeks_mean"]
    assert wait.distinguishable and wait.high < 0 and wait.better is True
    sentence = wait.sentence()
    assert sentence.startswith("optie verkort de gemiddelde wachttijd met ")
    assert re.search(r"met \d+,\d weken \(95%-BI −\d+,\d tot −\d+,\d\) ten opzichte van basis\.$", sentence)
    cost = by_kpi["cost_per_year_eur"]
    assert cost.low < 0 < cost.high and not cost.distinguishable
    assert NOISE in cost.sentence() and "€" in cost.sentence()
    rows = difference_rows(table, COMPARE_KPIS)
    assert len(rows) == len(COMPARE_KPIS)
    assert {r["Oordeel"] for r in rows} >= {"beter", NOISE}


def test_sentence_direction_follows_the_sign_and_what_is_better() -> None:
    table = compare(_runs({"waitlist_mean": 20.0, "trust_mean": 20.0}), kpis=list(COMPARE_KPIS))
    by_kpi = {d.kpi.key: d for d in differences(table, COMPARE_KPIS)}
    assert " verlengt de wachtlijst " in by_kpi["waitlist_mean"].sentence()
    assert by_kpi["waitlist_mean"].better is False  # a longer wachtlijst is worse
    assert " verhoogt het gemiddelde vertrouwen" in by_kpi["trust_mean"].sentence()
    assert by_kpi["trust_mean"].better is True  # more trust is better


def test_identical_and_too_few_replications() -> None:
    same = _runs({}, noise=0.0)
    same.loc[same["point"] == "optie", list(COMPARE_KPIS)] = same.loc[same["point"] == "basis",
                                                                     list(COMPARE_KPIS)].to_numpy()
    d = differences(compare(same, kpis=list(COMPARE_KPIS)), ["waitlist_mean"])[0]
    assert d.identical and "geen verschil" in d.sentence()
    one = differences(compare(_runs({"waitlist_mean": 5.0}, n=1), kpis=list(COMPARE_KPIS)), ["waitlist_mean"])[0]
    assert "te weinig herhalingen" in one.sentence()


# ---------------------------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, key, words", [
    (b'base = "klas"\n[levers.coordination]\nqueue = "overal"\n', "levers.coordination.queue", "toegestaan: "),
    (b'base = "klas"\n[levers.coordination]\nrole_clarity = 1.5\n', "levers.coordination.role_clarity",
     "hoogstens 1"),
    (b'base = "klas"\n[levers.coordination]\nqeue = "central"\n', "levers.coordination.qeue",
     "onbekende sleutel; toegestaan op deze plek: collaboration_form, queue"),
    (b'base = "klas"\n[levers.prevention]\nbudget_share = "veel"\n', "levers.prevention.budget_share",
     "moet een getal zijn"),
    (b'base = "../scenarios/klas.toml"\n', "base", "geen meegeleverd scenario"),
    (b'base = "/etc/passwd"\n', "base", "een pad naar een bestand mag niet"),
    (b'name = "leeg"\n', "network", "ontbreekt"),
])
def test_bad_uploads_get_one_dutch_line_naming_the_key(content, key, words) -> None:
    with pytest.raises(UploadError) as err:
        parse_upload(content, "mijn.toml")
    message = str(err.value)
    assert "\n" not in message and message.startswith("Het bestand 'mijn.toml' is niet gebruikt:")
    assert f"bij '{key}'" in message and words in message


def test_upload_limits_and_a_good_upload() -> None:
    with pytest.raises(UploadError, match="hoogstens 256 kB"):
        parse_upload(b"#" * (MAX_UPLOAD_BYTES + 1), "groot.toml")
    with pytest.raises(UploadError, match="extensie .toml"):
        parse_upload(b'base = "klas"\n', "scenario.txt")
    with pytest.raises(UploadError, match="geen geldige TOML"):
        parse_upload(b"[levers\n", "kapot.toml")
    with pytest.raises(UploadError, match="geen tekstbestand"):
        parse_upload(b"\xff\xfe\x00", "binair.toml")
    scenario = parse_upload(b'base = "klas"\nname = "mijn-regio"\n[levers.coordination]\nqueue = "central"\n',
                            "mijn.toml")
    assert scenario.name == "mijn-regio" and scenario.levers.coordination.queue == "central"
    assert scenario.network == load_scenario("klas").network


def _region_upload(gemeenten: int, inhabitants: int, years: float = 10, regions: int = 1,
                   aanbieders: int = 10) -> bytes:
    """A small file that asks for a lot of work."""
    text = f"name = 'groot'\n[run]\nyears = {years}\n"
    for r in range(regions):
        rows = ", ".join(f"{{ name = 'G{r}-{i}', inhabitants = {inhabitants} }}" for i in range(gemeenten))
        text += f"[[network.regions]]\nname = 'R{r}'\nn_generated_aanbieders = {aanbieders}\ngemeenten = [{rows}]\n"
    return text.encode()


@pytest.mark.parametrize("content, key, limit", [
    (_region_upload(20, 2_000_000), "network.regions[].gemeenten[].inhabitants", "20.000.000 inwoners"),  # 898 bytes
    (_region_upload(3000, 1000), "network.regions[].gemeenten", "400 gemeenten"),
    (_region_upload(1, 1000, regions=60), "network.regions", "50 regio's"),
    (_region_upload(1, 1000, regions=2, aanbieders=400), "network.regions[].aanbieders", "500 aanbieders"),
    (_region_upload(5, 10_000, years=60), "run.years", "20 jaar"),
])
def test_an_upload_that_asks_for_too_much_work_is_refused_before_anything_runs(content, key, limit,
                                                                               monkeypatch) -> None:
    from zorgnetwerk_sim.app import session as app_session

    built = []
    monkeypatch.setattr(app_session, "Simulation", lambda *a, **k: built.append(a))
    with pytest.raises(UploadError) as err:
        parse_upload(content, "groot.toml")
    message = str(err.value)
    assert "\n" not in message and f"bij '{key}'" in message and f"hoogstens {limit}" in message, message
    assert built == []


def test_every_shipped_scenario_fits_the_upload_limits() -> None:
    for name, path in available_scenarios().items():
        assert parse_upload(path.read_bytes(), path.name).name == name


def _upload_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_app_and_the_cli_judge_a_file_alike(tmp_path: Path, cli) -> None:
    """The same reader and checks: a byte-order mark is fine for both, a 20,000-character description for neither."""
    bom = _upload_file(tmp_path, "bom.toml", '\ufeffbase = "klas"\nname = "met-bom"\n')
    assert parse_upload(bom.read_bytes(), bom.name).name == "met-bom"
    code, out, err = cli("validate", bom)
    assert code == 0, err
    long = _upload_file(tmp_path, "lang.toml", f'base = "klas"\ndescription = "{"x" * 20_000}"\n')
    with pytest.raises(UploadError, match="bij 'description': de tekst is langer dan 10.000 tekens"):
        parse_upload(long.read_bytes(), long.name)
    assert "description" in assert_one_error_line(*cli("validate", long))


@pytest.mark.parametrize("text, key", [
    ("a = " + "[" * 60_000 + "]" * 60_000 + "\n", None),
    (".".join(["k"] * 5_000) + " = 1\n", "k.k.k"),
])
def test_a_deeply_nested_file_gives_one_clear_line_in_the_app_and_the_cli(tmp_path: Path, cli, text, key) -> None:
    path = _upload_file(tmp_path, "diep.toml", text)
    with pytest.raises(UploadError) as err:
        parse_upload(path.read_bytes(), path.name)
    message = str(err.value)
    assert "\n" not in message and "te diep genest" in message and "hoogstens 24 niveaus" in message, message
    assert key is None or f"bij '{key}" in message
    assert "nested more than 24 levels" in assert_one_error_line(*cli("validate", path))


def _render_upload(session):
    import solara

    from zorgnetwerk_sim.app.pages import verkennen
    from zorgnetwerk_sim.app.session import session_context

    @solara.component
    def WithSession():
        session_context.provide(session)
        verkennen.Upload()

    return solara.render(WithSession(), handle_error=False)


def _choose_file(rc, name: str, content: bytes) -> None:
    """What the browser's file dialog does: set the FileUpload widget's value (calls the page's handler)."""
    import datetime

    import ipywidgets

    rc.find(ipywidgets.FileUpload).widget.value = ({
        "name": name, "type": "", "size": len(content), "content": memoryview(content),
        "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def test_the_upload_handler_reads_the_file_and_builds_the_run_in_a_background_task(monkeypatch) -> None:
    import threading
    import time

    from zorgnetwerk_sim.app import session as app_session

    built_in = []
    real = app_session.Simulation
    monkeypatch.setattr(app_session, "Simulation",
                        lambda scenario: built_in.append(threading.current_thread()) or real(scenario))
    session = app_session.Session()
    box, rc = _render_upload(session)
    try:
        _choose_file(rc, "mijn.toml", b'base = "klas"\nname = "mijn-regio"\n')
        # the handler has returned: it built nothing, and the session still shows what it showed
        assert threading.current_thread() not in built_in
        deadline = time.monotonic() + 60
        while session.explorer.value is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert built_in and threading.current_thread() not in built_in
        assert session.scenario_name.value == app_session.UPLOADED
        assert session.explorer.value.scenario.name == "mijn-regio"
        assert session.upload_message.value[0] == "ok"
        _choose_file(rc, "groot.toml", _region_upload(20, 2_000_000))  # refused: nothing is built
        assert session.upload_message.value[0] == "error" and "inwoners" in session.upload_message.value[1]
        assert len(built_in) == 1 and session.explorer.value.scenario.name == "mijn-regio"
    finally:
        rc.close()


# ---------------------------------------------------------------------------------------------
# Controls from the schema
# ---------------------------------------------------------------------------------------------
def test_every_lever_and_uncertainty_is_a_control_with_dutch_text_and_source() -> None:
    keys = [r["key"] for r in parameter_table() if r["key"].startswith(("levers.", "uncertainties."))]
    made = {c.key: c for c in controls()}
    assert set(made) == set(keys)
    missing = [k for k in keys if k not in CONTROLS]
    assert not missing, f"levers/uncertainties without a Dutch label in app/labels.py: {missing}"
    from zorgnetwerk_sim.app.labels import UNITS

    untranslated = sorted({r["unit"] for r in parameter_table() if r["key"] in made and r["unit"] not in UNITS})
    assert not untranslated, f"units without Dutch words in app/labels.py UNITS: {untranslated}"
    for c in made.values():
        assert c.source and "Bron:" in c.tooltip and c.meaning in c.tooltip
        assert c.is_lever == c.key.startswith("levers.")
        if c.kind in ("integer", "number") and c.low is not None and c.high is not None:
            assert c.low < c.high and 0 < c.step() <= c.high - c.low
        if c.kind == "categorical":
            assert c.choices and all(c.choice_label(v) for v in c.choices)
    assert made["levers.coordination.queue"].choice_label("central").startswith("centraal")


@pytest.mark.parametrize("name", sorted(available_scenarios()))
def test_every_slider_value_lies_on_its_grid(name) -> None:
    """A slider snaps its value to low + k * step and reports it back: that would change the setting
    (and restart the run) without anyone touching it, so each shipped value must lie on the grid."""
    scenario = resolve(base_raw(name), {})
    for c in controls():
        if c.kind != "number" or c.low is None or c.high is None:
            continue
        value = value_of(scenario, c.key)
        step = c.step(value)
        k = (value - c.low) / step
        assert abs(k - round(k)) < 1e-6, f"{c.key} = {value} is off the slider grid {c.low} + k * {step}"
        assert step >= 1e-6 and (c.high - c.low) / step >= 100 - 1e-9
    cost = next(c for c in controls() if c.key == "levers.trust.cost_per_contact_eur")
    assert cost.step(150.0) == 10.0  # 0 to 10 mln in steps of 100.000 would snap € 150 to € 0


def test_resolve_applies_settings_and_an_empty_preset_means_none() -> None:
    raw = base_raw("functioneel")
    assert resolve(raw, {}).levers.coordination.collaboration_form == "functioneel"
    plain = resolve(raw, {"levers.coordination.collaboration_form": ""})
    assert plain.levers.coordination.collaboration_form is None
    assert resolve(base_raw("klas"), {"uncertainties.staff_availability": 0.8}).uncertainties.staff_availability == 0.8


# ---------------------------------------------------------------------------------------------
# Verkennen: weekly series, KPI strip, per gemeente, exports
# ---------------------------------------------------------------------------------------------
def test_weekly_series_strip_and_per_gemeente_follow_the_run(short) -> None:
    sim = Simulation("klas", overrides=short)
    sim.step(30)
    frame = weekly(sim)
    assert list(frame.index) == list(range(30))
    for col in ("wachtlijst", "wachttijd", "placements_per_year", "crisis_per_year", "cost_total_per_year",
                "trust_mean"):
        assert col in frame.columns
    parts = [c for c in frame.columns if c.startswith("cost_") and c.endswith("_per_year") and c != "cost_total_per_year"]
    assert np.allclose(frame[parts].sum(axis=1), frame["cost_total_per_year"])
    # the region's series are the sums over its gemeenten of the run's time series (the trust: their mean)
    ts = sim.model.recorder.timeseries().groupby("week")
    for col in ("waiting_list", "waiting_expertteam", "placements", "crisis", "waits_completed", "cost_total"):
        assert np.allclose(frame[col], ts[col].sum()), col
    assert np.allclose(frame["trust_mean"], ts["trust_mean"].mean())
    assert frame["placements"].sum() > 0 and frame["cost_total"].gt(0).all()
    # ... and the 13-week windows are pandas' rolling windows (the first weeks: what there is so far)
    roll = ts[["wait_weeks_sum", "waits_completed", "cost_total"]].sum().rolling(13, min_periods=1)
    waits = roll["waits_completed"].sum()
    expected_wait = (roll["wait_weeks_sum"].sum() / waits).where(waits > 0)
    assert np.allclose(frame["wachttijd"], expected_wait, equal_nan=True)
    assert np.allclose(frame["cost_total_per_year"], roll["cost_total"].mean() * 52)
    strip = kpi_strip(frame)
    assert [h.key for h in strip] == ["wachtlijst", "wachttijd", "uithuisplaatsingen", "crisis", "kosten",
                                      "vertrouwen"]
    assert all(h.change.startswith("sinds start") or h.change == "–" for h in strip)
    cost = strip[4]  # the region's costs and their change, both in mln
    assert re.fullmatch(r"€ [\d.]+,\d+ mln per jaar", cost.value), cost.value
    assert re.fullmatch(r"sinds start: [+−]?€ [\d.]+,\d+ mln", cost.change), cost.change
    table = per_gemeente(sim)
    assert set(table["gemeente"]) == {g.name for g in sim.model.gemeenten}
    assert list(table["inwoners"]) == sorted(table["inwoners"], reverse=True)
    assert (table["kosten_tov_budget"] > 0).all()
    sizes = size_classes(table)
    assert set(sizes["grootte"]) <= {"klein", "groot"} and sizes["gemeenten"].sum() == len(table)


def test_exported_scenario_repeats_the_run_exactly(tmp_path: Path, short) -> None:
    scenario = resolve(base_raw("klas"), {**short, "levers.coordination.queue": "central"})
    sim = Simulation(scenario)
    app_summary = sim.run().summary
    path = tmp_path / "uit-de-app.toml"
    path.write_bytes(scenario_toml(scenario))
    again = run(str(path))  # what `zorgsim run uit-de-app.toml` does
    assert again.summary.keys() == app_summary.keys()
    assert all((a == b) or (math.isnan(a) and math.isnan(b)) for a, b in zip(again.summary.values(),
                                                                                app_summary.values()))


def test_charts_as_echarts_options_and_png() -> None:
    x = [w / 52 for w in range(60)]
    chart = Chart("Wachtlijst", "jongeren", [Line("a", x, [float(i) for i in range(60)], [0.0] * 60, [2.0] * 60),
                                             Line("b", x, [1.0] * 60)], warmup_years=0.5)
    option = echarts_option(chart)
    assert option["xAxis"]["type"] == "category" and len(option["xAxis"]["data"]) == 60
    assert option["xAxis"]["data"][52] == "1"  # year labels in Dutch notation
    names = [s["name"] for s in option["series"]]
    assert names[0] == "a" and "a: 95%-BI ondergrens" in names and "b" in names
    band = next(s for s in option["series"] if s["name"] == "a: 95%-BI breedte")
    assert band["data"][10] == 2.0 and band["stack"] == next(
        s for s in option["series"] if s["name"] == "a: 95%-BI ondergrens")["stack"]
    assert option["legend"]["data"] == ["a", "b"]
    assert png_bytes(chart)[:8] == b"\x89PNG\r\n\x1a\n"
    bars = Chart("Budget", "%", [], bars={"deze run": [("A", 90.0), ("B", 110.0)]})
    assert echarts_option(bars)["series"][0]["data"] == [90.0, 110.0]
    assert png_bytes(bars)[:4] == b"\x89PNG"


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------
def test_shipped_options_and_regions() -> None:
    assert {"klas", "default"} <= set(cmp.regions())
    options = {o.name: o for o in cmp.shipped_options()}
    assert options["Huidig beleid"].levers == {}
    assert options["Centrale wachtlijst"].levers == {"coordination": {"queue": "central", "allocation": "push"}}
    mine = cmp.option_from_overrides("mijn", {"levers.trust.informal_contacts_per_year": 6.0,
                                              "uncertainties.staff_availability": 0.9})
    assert mine.levers == {"trust": {"informal_contacts_per_year": 6.0}}
    assert mine.uncertainties == {"staff_availability": 0.9}
    with pytest.raises(ValueError, match="één keer"):
        cmp.experiment_data("klas", [options["Huidig beleid"]] * 2, 2, 2)


def test_a_small_comparison_end_to_end(tmp_path: Path) -> None:
    options = {o.name: o for o in cmp.shipped_options()}
    data = cmp.experiment_data("klas", [options["Huidig beleid"], options["Centrale wachtlijst"]], 2, 1.5)
    seen = []
    result = cmp.run_comparison(data, tmp_path / "work", workers=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4) and not any((tmp_path / "work").iterdir())  # the sweep folder is removed
    assert result.points == ["Huidig beleid", "Centrale wachtlijst"] and result.baseline == "Huidig beleid"
    assert len(result.runs) == 4 and set(result.table["kpi"]) == set(COMPARE_KPIS)
    # common random numbers: replication r of both options ran with the same seed
    seeds = result.runs.pivot(index="replication", columns="point", values="seed")
    assert (seeds["Huidig beleid"] == seeds["Centrale wachtlijst"]).all()
    years, mean, low, high = result.bands("wachtlijst")["Centrale wachtlijst"]
    assert len(years) == len(mean) == round(1.5 * 52) and np.all(low <= mean + 1e-9) and np.all(mean <= high + 1e-9)
    exp = tomllib.loads(result.experiment_toml)
    assert exp["base"] == "klas" and exp["replications"] == 2 and exp["design"]["type"] == "variants"


def test_a_comparison_of_an_upload_works_in_a_private_folder_that_is_removed(tmp_path: Path) -> None:
    import stat

    uploaded = parse_upload(b'base = "klas"\nname = "mijn-regio"\n', "mijn.toml")
    options = {o.name: o for o in cmp.shipped_options()}
    data = cmp.experiment_data(cmp.UPLOAD_FILE, [options["Huidig beleid"], options["Centrale wachtlijst"]], 2, 1.0)
    work = tmp_path / "work"
    seen = []

    def look(done: int, total: int) -> None:
        folders = list(work.iterdir())
        seen.append([(f.name, stat.S_IMODE(f.stat().st_mode), (f / cmp.UPLOAD_FILE).is_file()) for f in folders])

    cmp.run_comparison(data, work, workers=1, progress=look, uploaded=uploaded)
    names = {name for during in seen for name, _mode, _has in during}
    assert len(names) == 1 and all(mode == 0o700 and has for during in seen for _n, mode, has in during)
    cmp.run_comparison(data, work, workers=1, uploaded=uploaded)
    assert not any(work.iterdir())  # removed once read; the next comparison made a folder of its own


def test_the_app_keeps_no_fixed_shared_folder(monkeypatch) -> None:
    from zorgnetwerk_sim.app.session import work_root

    monkeypatch.delenv("ZORGSIM_UI_WORK", raising=False)
    assert work_root() == Path(tempfile.gettempdir())  # every folder in it is made by mkdtemp


def test_the_cdn_route_never_fetches_from_outside(tmp_path: Path, monkeypatch) -> None:
    """Solara's /_solara/cdn/<path> would download a missing file from a public CDN; the app refuses."""
    import requests
    from solara.server import cdn_helper

    import zorgnetwerk_sim.app.ui  # noqa: F401 - what the server imports: it turns the fetch off

    fetched = []
    monkeypatch.setattr(requests, "get", lambda url, **kw: fetched.append(url))
    with pytest.raises(FileNotFoundError, match="fetches nothing"):
        cdn_helper.get_path(tmp_path, "iets@1.0.0/bestaat-niet.js")
    assert fetched == [] and not any(tmp_path.iterdir())
    (tmp_path / "lokaal@1.0.0").mkdir()
    (tmp_path / "lokaal@1.0.0" / "x.js").write_text("// installed", encoding="utf-8")
    assert cdn_helper.get_path(tmp_path, "lokaal@1.0.0/x.js").read_text(encoding="utf-8") == "// installed"


def test_open_results_reads_only_folders_under_its_root(tmp_path: Path) -> None:
    from zorgnetwerk_sim.runner import Experiment, run_sweep

    options = {o.name: o for o in cmp.shipped_options()}
    data = cmp.experiment_data("klas", [options["Huidig beleid"], options["Preventie 5%"]], 2, 1.0)
    run_sweep(Experiment.from_dict(data, "test"), tmp_path / "results" / "mijn-sweep", workers=1)
    assert cmp.results_folders(tmp_path / "results") == ["mijn-sweep"]
    result = cmp.open_results(tmp_path / "results", "mijn-sweep")
    assert result.points == ["Huidig beleid", "Preventie 5%"] and len(result.runs) == 4
    assert set(result.bands("wachtlijst")) == {"Huidig beleid", "Preventie 5%"}
    for bad in ("../mijn-sweep", "/etc", "bestaat-niet"):
        with pytest.raises(ValueError, match="geen resultatenmap"):
            cmp.open_results(tmp_path / "results", bad)


def test_kpi_catalogue_formats_with_units() -> None:
    assert KPIS["wait_weeks_mean"].fmt(3.14) == "3,1 weken"
    assert KPIS["cost_per_year_eur"].fmt(25_300_000) == "€ 25,3 mln"
    assert KPIS["waitlist_mean"].fmt(-4.0, 0, signed=True) == "−4 jongeren"


# ---------------------------------------------------------------------------------------------
# zorgsim ui
# ---------------------------------------------------------------------------------------------
def test_zorgsim_ui_binds_to_loopback_and_warns_for_another_host(monkeypatch, capsys) -> None:
    from zorgnetwerk_sim import cli

    calls = []
    monkeypatch.setattr(cli, "_serve", lambda command, env: calls.append((command, env)) or 0)
    with pytest.raises(SystemExit) as done:
        cli.main(["ui", "--port", "8899"])
    assert done.value.code == 0
    command, env = calls[-1]
    assert command[command.index("--host") + 1] == "127.0.0.1" and command[command.index("--port") + 1] == "8899"
    assert "zorgnetwerk_sim.app.ui" in command and env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    out = capsys.readouterr()
    assert "http://127.0.0.1:8899/" in out.out and "warning" not in out.err
    with pytest.raises(SystemExit):
        cli.main(["ui", "--host", "0.0.0.0", "--port", "8899"])
    assert "warning: --host 0.0.0.0" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        cli.main(["ui", "--port", "70000"])
    assert bad.value.code == 2


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_a_signal_to_zorgsim_ui_stops_the_server_and_frees_the_port(tmp_path: Path, signum: str) -> None:
    """A service manager's SIGTERM (or Ctrl-C) to ``zorgsim ui`` leaves no server running and the port free."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from appserver import START_TIMEOUT_S, free_port

    port = free_port()
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "ZORGSIM_UI_WORK": str(tmp_path)}
    with open(tmp_path / "app.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "ui", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, (tmp_path / "app.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "app.log").read_text()
            time.sleep(0.5)
        os.kill(proc.pid, getattr(signal, signum))  # the parent only, as `kill PID` does
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while True:  # nothing of the group is left, and the port can be bound again
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "a process of zorgsim ui is still running"
            time.sleep(0.2)
        with socket.socket() as again:  # (SO_REUSEADDR: a closed connection may linger; a listener may not)
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))
            again.listen()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def test_the_core_never_imports_the_app() -> None:
    import ast

    root = Path(__file__).resolve().parents[1] / "src" / "zorgnetwerk_sim"
    offenders = []
    for path in root.rglob("*.py"):
        if "app" in path.relative_to(root).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "app" or ".app" in n or n.startswith("zorgnetwerk_sim.app") for n in names):
                offenders.append(path.name)
    assert offenders == []


# ---------------------------------------------------------------------------------------------
# Issue 21: honest numbers, Mijn instellingen, Dutch sources, Excel-NL
# ---------------------------------------------------------------------------------------------
def test_a_verdict_never_stands_beside_an_interval_that_reads_as_zero() -> None:
    """Defect 3: the verdict comes from the unrounded bounds; the printed bounds then may not read as zero."""
    from zorgnetwerk_sim.app.summary import Difference

    d = Difference(KPIS["wait_weeks_mean"], "optie", "basis", -0.7, -1.4, -0.037, 8)
    assert d.better is True
    low, high = d.interval_text().removeprefix("95%-BI ").split(" tot ")
    assert re.sub(r"\D", "", high).strip("0") != "" and high.startswith("−"), d.interval_text()
    row = difference_rows(pd.DataFrame([
        {"kpi": "wait_weeks_mean", "point": p, "baseline": "basis", "mean": 10.0, "diff": diff, "diff_ci_low": lo,
         "diff_ci_high": hi, "n_pairs": 8} for p, diff, lo, hi in (("basis", 0, 0, 0), ("optie", -0.7, -1.4, -0.037))]),
        ["wait_weeks_mean"])[0]
    assert row["Oordeel"] == "beter" and not row["95%-BI van het verschil"].endswith(" 0,0")


def test_fewer_than_five_pairs_give_no_verdict() -> None:
    """Defect 2: two replications with a narrow interval are no evidence."""
    from zorgnetwerk_sim.app.summary import MIN_PAIRS, Difference

    d = Difference(KPIS["placements_per_year"], "optie", "basis", 1.3, 1.29, 1.31, MIN_PAIRS - 3)
    assert d.better is None and not d.distinguishable
    assert "te weinig" in d.sentence() and f"minstens {MIN_PAIRS}" in d.sentence() and "BI" not in d.sentence()
    assert Difference(KPIS["placements_per_year"], "optie", "basis", 1.3, 1.29, 1.31, MIN_PAIRS).better is False


def test_my_settings_are_the_explored_variant_and_changes_over_its_region() -> None:
    """Defect 1: a shipped variant explored and one switch flipped become one option on the variant's region."""
    shipped = tomllib.loads(available_scenarios()["preventie-5pct"].read_text())
    assert cmp.region_of("preventie-5pct") == shipped["base"] and cmp.region_of("klas") == "klas"
    explored = resolve(base_raw("preventie-5pct"), {"levers.coordination.urgency_priority": True})
    changes = cmp.setting_changes(explored, resolve(base_raw(shipped["base"]), {}))
    assert changes == {"levers.coordination.urgency_priority": True,
                       "levers.prevention.budget_share": shipped["levers"]["prevention"]["budget_share"]}
    option = cmp.option_from_overrides("Mijn instellingen", changes)
    assert "Urgentie gaat voor: ja" in option.description and "Preventiebudget" in option.description


def test_every_control_tooltip_is_dutch() -> None:
    """Defect 6: no English source text or raw identifiers in a tooltip."""
    for c in controls():
        for word in ("stylised", "assumption", "seed 0", "/yr", "regional ", " of 109 ", "spend", "short a year"):
            assert word not in c.tooltip, (c.key, c.tooltip)


def test_excel_nl_has_semicolons_decimal_commas_dutch_headers_and_no_float_noise() -> None:
    """Defect 9."""
    from zorgnetwerk_sim.app.export import dictionary_bytes, excel_nl_bytes

    frame = pd.DataFrame({"point": ["Huidig beleid"], "cost_per_year_eur": [84870000.00000003],
                          "wait_weeks_mean": [0.6361], "kpi": ["waitlist_mean"],
                          "horizon": ["mean over the 1.5 years after warm-up"]})
    text = excel_nl_bytes(frame).decode("utf-8-sig").splitlines()
    assert text[0] == "optie;kosten_per_jaar;gemiddelde_wachttijd;kpi;periode"
    assert text[1] == "Huidig beleid;84870000;0,6361;Wachtlijst;gemiddelde over de 1,5 jaar na de inlooptijd"
    rows = dictionary_bytes({"x.csv": frame}).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(frame.columns) and all(r.count(";") >= 3 for r in rows)


def test_the_kpi_strip_waits_for_the_end_of_the_warm_up(short) -> None:
    """Defect 7: no start-up artefacts (286 uithuisplaatsingen per jaar from two weeks)."""
    sim = Simulation(load_scenario("klas"), overrides=short)
    sim.step(sim.scenario.warmup_weeks)
    frame = weekly(sim)
    assert kpi_strip(frame, sim.scenario.warmup_weeks) == [] and kpi_strip(frame) != []
    sim.step(4)
    assert kpi_strip(weekly(sim), sim.scenario.warmup_weeks)
