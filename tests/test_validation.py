"""The validation report (``zorgsim validate-model``): every section on a tiny configuration,
the verdict rules, Little's law from the summary KPIs, and bad input."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import tomli_w
from rich.console import Console

from test_cli import cli  # noqa: F401 - the in-process `zorgsim` fixture

from zorgnetwerk_sim import cli as cli_module
import numpy as np
import tomllib

from zorgnetwerk_sim.calibrate import replicate
from zorgnetwerk_sim.scenario import load_scenario
from zorgnetwerk_sim.validation import (FAIL, NA, PASS, UNCLEAR, Check, ValidationPlan, _direction,
                                        by_simulated_year, kpi_price_factor, price_factor)

SOURCE = {"title": "test figure", "publisher": "test", "year": 2026}
EMERGENT = {"direction": "emergent", "why": "queues, capacity response and withdrawals together"}
ASSUMED = {"direction": "assumed", "why": "a parameter says so"}
SECTIONS = ("## 1. Targets and the model", "## 2. Internal consistency", "### Every jongere accounted for",
            "### Little's law per care type", "## 3. Face validity of the mechanisms", "## 4. Baseline trend",
            "## 5. The national scenario year by year", "## 6. What the model does not reproduce",
            "## How to regenerate")


def tiny_config(path: Path, **validation) -> Path:
    """klas only, short trend, one target the model cannot meet, one check whose KPI is missing."""
    data = {
        "targets": [
            {"key": "in_care", "kpi": "youth_in_care_share", "value": 0.1, "interval": [0.0, 1.0], "unit": "share",
             "scope": "national", "year": 2023, "scenarios": ["klas"], "source": SOURCE, "role": "fitted"},
            {"key": "impossible_wait", "kpi": "wait_weeks_mean", "value": 500.0, "tolerance": 1.0, "unit": "weeks",
             "scope": "regional", "year": 2023, "scenarios": ["klas"], "source": SOURCE, "role": "held_out"},
        ],
        "validation": {
            "scenarios": ["klas"], "optional_scenarios": [],
            "paired": [
                {"name": "more staff, shorter lists", "source": "test", "scenario": "klas",
                 "change": {"uncertainties.staff_availability": 1.5}, "kpi": "waitlist_mean", "expect": "lower",
                 **EMERGENT},
                {"name": "a KPI the model lacks", "source": "test", "scenario": "klas",
                 "change": {"uncertainties.staff_availability": 1.5}, "kpi": "no_such_kpi", "expect": "lower",
                 **ASSUMED},
            ],
            "within": [{"name": "within, missing", "source": "test", "scenario": "klas", "kpi": "waitlist_mean",
                        "expect": "higher", "than": "no_such_kpi", **ASSUMED}],
            "trend": {"scenario": "klas", "years": 3.0, "band_share_per_year": 0.05, "wait_band": [0.0, 1000.0]},
            **validation,
        },
        "not_reproduced": [{"text": "A fixed gap kept in the data file."}],
    }
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_validate_model_writes_every_section(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_module, "out_console", Console(width=400, color_system=None))  # no folded lines
    config = tiny_config(tmp_path / "t.toml")
    out = tmp_path / "docs" / "validation.md"
    code, stdout, err = cli("validate-model", "--targets", config, "--seeds", "2", "--years", "2",
                            "--workers", "1", "--out", out, "-q")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    positions = [text.find(s) for s in SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    for field in ("- Command: `zorgsim validate-model --targets", "- Date: ", "- Commit: ", "- Machine: "):
        assert field in text
    # targets: both rows, the impossible one marked and listed among what the model does not reproduce
    assert "| in_care | `youth_in_care_share` |" in text and "| impossible_wait | `wait_weeks_mean` |" in text
    gaps = text[text.find(SECTIONS[7]):]
    assert "klas: impossible_wait (wait_weeks_mean) — fail" in gaps
    assert "A fixed gap kept in the data file." in gaps
    assert "a KPI the model lacks" in gaps and "within, missing" in gaps  # listed as not computable
    # fitted and held-out targets in separate tables, the held-out ones counted as validation
    targets = text[text.find(SECTIONS[0]):text.find(SECTIONS[1])]
    fitted = targets[targets.find("Fitted targets (agreement here is not evidence)"):]
    held = targets[targets.find("Held-out targets (validation)"):]
    assert 0 <= targets.find("Fitted targets") < targets.find("Held-out targets")
    assert "| in_care |" in fitted[:fitted.find("Held-out")] and "impossible_wait" not in fitted[:fitted.find("Held-out")]
    assert "| impossible_wait |" in held and "| in_care |" not in held
    assert "klas: the model meets 0 of 1 held-out targets." in held
    # emergent checks evaluated and counted; assumed ones listed apart
    face = text[text.find(SECTIONS[4]):text.find(SECTIONS[5])]
    emergent = face[face.find("### Emergent directions (validation)"):face.find("### Assumed directions")]
    assumed = face[face.find("### Assumed directions"):]
    assert re.search(r"\| more staff, shorter lists \|.*\| lower \| pass \| queues, capacity response", emergent)
    assert "a KPI the model lacks" in assumed and "within, missing" in assumed and "more staff" not in assumed
    assert "(not counted as validation)" in assumed
    assert ("the model meets 0 of 1 held-out targets (section 1, over the scenarios) and passes 1 of 1 emergent "
            "checks (section 3)") in gaps
    assert "Not counted: 1 of 1 fitted targets met, 0 of 2 assumed directions" in gaps
    assert "validation (held-out targets and emergent checks): 1 of 2 passed" in stdout
    # without --national the national section says how to get it
    national = text[text.find(SECTIONS[6]):text.find(SECTIONS[7])]
    assert "Not run: add `--national`" in national
    # accounting balances in the model's own bookkeeping
    row = next(line for line in text.splitlines() if line.startswith("| klas |") and "," in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    entered, left, active, live, in_states = (int(c.replace(",", "")) for c in cells[1:6])
    assert entered == left + active and active == live == in_states and cells[6:8] == ["yes", "yes"]
    # trend: one row per simulated year and a verdict
    assert "| 1 (warm-up) |" in text and "| 3 |" in text and re.search(r"Verdict: \*\*(pass|fail|unclear)\*\*", text)
    assert re.search(r"Yearly mean wait: (\d+) of \1 seed-years within 0–1000 weeks .*Verdict: \*\*pass\*\*", text)
    # the summary line counts the checks
    assert re.search(r"\d+ of \d+ checks passed, \d+ failed, \d+ not available", stdout)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_direction_verdicts():
    assert _direction([-3.0, -2.0, -2.5], "lower")[0] == PASS
    assert _direction([-3.0, -2.0, -2.5], "higher")[0] == FAIL
    assert _direction([-3.0, 2.0, 0.5], "lower")[0] == UNCLEAR
    assert _direction([1.0, 1.0], "higher")[0] == PASS  # identical in every seed: no noise to test against
    assert _direction([float("nan"), 1.0], "higher")[0] == NA


def test_littles_law_uses_the_per_care_type_kpis_when_present(tmp_path):
    plan = ValidationPlan(targets=tiny_config(tmp_path / "t.toml"), seeds=2, years=2)
    summary = {"waitlist_mean_ambulant_licht": 10.0, "waitlist_entries_per_year_ambulant_licht": 104.0,
               "wait_all_leavers_weeks_mean_ambulant_licht": 5.0,  # λW = 2 × 5 = 10 = L
               "waitlist_mean_pleegzorg": 30.0, "waitlist_entries_per_year_pleegzorg": 52.0,
               "wait_all_leavers_weeks_mean_pleegzorg": 10.0}  # λW = 10 against L = 30
    checks: list[Check] = []
    accounting = {"klas": {"entered": 3, "left": 1, "active": 2, "live": 2, "in_states": 2, "stocks": ["in_care"],
                           "same_summary": True}}
    text = "\n".join(plan._consistency_section({"klas": [summary, summary]}, accounting, checks))
    status = {c.name: c.status for c in checks}
    assert status["klas: Little's law, ambulant_licht"] == PASS
    assert status["klas: Little's law, pleegzorg"] == FAIL
    assert "klas: Little's law, dagbehandeling" not in status  # no KPIs for it: not checked
    assert "| ambulant_licht | 10 | 10 | +0.0% | yes |" in text
    assert "| all care types | 40 | 20 | +50.0% | **no** |" in text  # the sums over the care types


def test_littles_law_says_not_available_without_the_kpis(tmp_path):
    plan = ValidationPlan(targets=tiny_config(tmp_path / "t.toml"), seeds=2, years=2)
    checks: list[Check] = []
    accounting = {"klas": {"entered": 1, "left": 1, "active": 0, "live": 0, "in_states": 0, "stocks": ["in_care"],
                           "same_summary": True}}
    text = "\n".join(plan._consistency_section({"klas": [{"waitlist_mean": 1.0}] * 2}, accounting, checks))
    assert "Not available" in text and [c.status for c in checks if "Little" in c.name] == [NA]


@pytest.mark.parametrize("args, validation, fragment", [
    (["--seeds", "1"], {}, "--seeds: must be ≥ 2"),
    (["--years", "0"], {}, "--years: must be > 0"),
    ([], {"scenarios": ["no-such-scenario"]}, "no-such-scenario: unknown scenario"),
    ([], {"paired": [{"name": "x", "source": "s", "scenario": "klas", "change": {"levers.nope": 1}, "kpi": "a",
                      "expect": "lower", **ASSUMED}]}, "validation.paired 'x'"),
    ([], {"trend": {"scenario": "klas", "years": 3.0, "wobble": 1}}, "validation.trend.wobble: unknown key"),
    ([], {"within": [{"name": "x", "source": "s", "scenario": "klas", "kpi": "a", "expect": "lower", "than": "b",
                      "direction": "obvious", "why": "w"}]},
     "validation.within[0].direction: Input should be 'assumed' or 'emergent'"),
    ([], {"within": [{"name": "x", "source": "s", "scenario": "klas", "kpi": "a", "expect": "lower", "than": "b",
                      "direction": "assumed"}]}, "validation.within[0].why: required key is missing"),
])
def test_bad_input_is_one_line_exit_2(cli, tmp_path, args, validation, fragment):
    config = tiny_config(tmp_path / "t.toml", **validation)
    out = tmp_path / "v.md"
    code, _, err = cli("validate-model", "--targets", config, "--out", out, "-q", *args)
    assert code == 2 and len(err.strip().splitlines()) == 1 and fragment in err, err
    assert not out.exists()


def test_out_that_is_a_folder_is_refused(cli, tmp_path):
    code, _, err = cli("validate-model", "--targets", tiny_config(tmp_path / "t.toml"), "--seeds", "2",
                       "--out", tmp_path, "-q")
    assert code == 2 and "is a folder" in err


def test_national_section_year_by_year_with_klas_standing_in(cli, tmp_path, monkeypatch):
    """`--national` with klas as the national scenario: the targets per simulated year after the
    warm-up, both definitions of youth in care, and the trend of the wachtlijst."""
    monkeypatch.setattr(cli_module, "out_console", Console(width=400, color_system=None))
    config = tiny_config(tmp_path / "t.toml", national={"scenario": "klas"})
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["targets"].append({"key": "spending", "kpi": "cost_per_youth_eur", "value": 1500.0, "interval": [0.0, 1e6],
                            "unit": "EUR per youth", "scope": "national", "year": 2024, "scenarios": ["klas"],
                            "source": SOURCE, "role": "held_out"})
    config.write_text(tomli_w.dumps(data), encoding="utf-8")
    out = tmp_path / "v.md"
    code, _, err = cli("validate-model", "--targets", config, "--seeds", "2", "--years", "3", "--workers", "1",
                       "--national", "--out", out, "-q")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    national = text[text.find(SECTIONS[6]):text.find(SECTIONS[7])]
    assert "| target | role | figure [interval] (year) | unit | 2 (2025) | 3 (2026) | years within |" in national
    assert re.search(r"\| impossible_wait \| held-out \| 500 \[499, 501\] \(2023\) \| weeks \| \*\*[\d.]+\*\* \| "
                     r"\*\*[\d.]+\*\* \| 0 of 2 years within \|", national)
    assert "| spending | held-out | 1500 [0, 1e+06] (2024) | EUR per youth, 2024 prices |" in national
    assert "### Youth in care: CBS's definition" in national and "`youth_in_specialist_care`" in national
    rows = [line for line in national.splitlines() if line.startswith("| 2 (2025) |") and "%" in line]
    all_count, specialist = (int(c.strip().replace(",", "")) for c in rows[0].strip("|").split("|")[1:4:2])
    assert 0 < specialist < all_count  # the wijkteam counts only in the wider definition
    assert "### Trend of the national wachtlijst" in national and re.search(r"Growth of the wachtlijst: .*Verdict", national)
    gaps = text[text.find(SECTIONS[7]):]
    assert "nationally, 1 of 2 held-out targets hold in every year (section 5)" in gaps


def test_national_years_are_the_runs_own_yearly_kpis_keyed_by_simulated_year():
    """The national section reads each run's KPIs per year after warm-up (metrics.summarize_years,
    the code of the run summary), keyed by the simulated year counted from 0; over the measured
    years they give the run summary."""
    spec = load_scenario("klas", {"run.years": 3, "run.warmup_years": 1})
    output = replicate({"klas": spec}, [7])["klas"][0]
    years = by_simulated_year(output.years, spec.warmup_weeks)
    assert sorted(years) == [1, 2]  # the warm-up year 0 is not measured
    summary = output.row
    for kpi in ("youth_in_care_per_year", "youth_in_specialist_care_per_year", "placements_per_year",
                "cost_per_year_eur", "placements_per_1000_youth", "youth_in_care_share"):
        assert np.mean([y[kpi] for y in years.values()]) == pytest.approx(summary[kpi], rel=1e-9), kpi
    assert all(0 < y["wait_weeks_mean"] < 100 and 0 <= y["expertteam_success_share"] <= 1 for y in years.values())


def test_price_factor_converts_to_the_figures_year():
    start = dt.date(2025, 1, 1)
    assert price_factor(0.03, start, 0, 2025) == pytest.approx(1.0)
    assert price_factor(0.03, start, 0, 2024) == pytest.approx(1 / 1.03)  # the first year, in 2024 prices
    assert price_factor(0.03, start, 3, 2024) == pytest.approx(1.03 ** -4)
    assert price_factor(0.0, start, 5, 2019) == 1.0
    assert price_factor(0.03, dt.date(2025, 7, 2), 0, 2025) == pytest.approx(1.03 ** -0.5, rel=1e-3)


def test_a_kpi_in_first_year_prices_is_not_deflated_twice():
    start = dt.date(2025, 1, 1)
    # nominal: simulated year 3 is three years of inflation above the start
    assert kpi_price_factor(["cost_per_youth_eur"], 0.03, start, 3, 2025) == pytest.approx(1.03 ** -3)
    # already in 2025 prices: the same for every simulated year
    assert kpi_price_factor(["cost_per_youth_start_prices_eur"], 0.03, start, 3, 2025) == pytest.approx(1.0)
    assert kpi_price_factor(["cost_per_youth_start_prices_eur"], 0.03, start, 7, 2024) == pytest.approx(1.03 ** -1)
