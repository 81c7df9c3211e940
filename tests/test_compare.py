"""compare: CIs over replications, paired differences from the baseline, and the report with its charts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zorgnetwerk_sim import cli
from zorgnetwerk_sim.runner import Experiment, compare, write_report

EXPERIMENT = """
name = "krapte"
description = "Staff shortage vs the basis, and an identical copy of the basis"
base = "klas"
master_seed = 31
replications = 5
years = 1.5
warmup_years = 0.5
kpis = ["waitlist_mean", "placements_per_year", "cost_per_year_eur", "wait_weeks_mean"]
series = true

[design]
type = "variants"

[[variants]]
name = "basis"

[[variants]]
name = "krapte"
description = "staff availability 0.7"
uncertainties = { staff_availability = 0.7 }

[[variants]]
name = "basis-kopie"
uncertainties = { staff_availability = 1.0 }
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("compare")
    path = folder / "krapte.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    out = folder / "results"
    runs = Experiment.from_toml(path).run(workers=1, out=out)
    return out, runs


def row(table: pd.DataFrame, point: str, kpi: str) -> pd.Series:
    return table[(table["point"] == point) & (table["kpi"] == kpi)].iloc[0]


def test_mean_and_ci_over_replications(results):
    _, runs = results
    table = compare(runs)
    assert list(dict.fromkeys(table["point"])) == ["basis", "krapte", "basis-kopie"]
    assert set(table["kpi"]) == {"waitlist_mean", "placements_per_year", "cost_per_year_eur", "wait_weeks_mean"}
    for _, r in table.iterrows():
        assert r["n"] == 5
        assert r["ci_low"] <= r["mean"] <= r["ci_high"]
    r = row(table, "krapte", "waitlist_mean")
    x = runs.loc[runs["point"] == "krapte", "waitlist_mean"].to_numpy()
    half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)
    assert r["mean"] == pytest.approx(x.mean()) and r["ci_high"] - r["mean"] == pytest.approx(half)


def test_paired_difference_detects_a_real_effect(results):
    _, runs = results
    table = compare(runs, baseline="basis")
    r = row(table, "krapte", "waitlist_mean")  # 30% less staff: a longer wachtlijst
    assert r["diff"] > 0 and r["diff_ci_low"] > 0
    assert r["p_value"] < 0.05 and bool(r["significant"])
    assert "ttest_rel" in r["test"]
    base = runs[runs["point"] == "basis"].set_index("replication")["waitlist_mean"]
    krapte = runs[runs["point"] == "krapte"].set_index("replication")["waitlist_mean"]
    assert r["p_value"] == pytest.approx(stats.ttest_rel(krapte, base.loc[krapte.index]).pvalue)
    assert r["diff"] == pytest.approx((krapte - base).mean())


def test_identical_variant_is_not_flagged(results):
    _, runs = results
    table = compare(runs, baseline="basis")
    same = table[table["point"] == "basis-kopie"]
    assert (same["diff"] == 0).all() and (same["diff_ci_low"] == 0).all() and (same["diff_ci_high"] == 0).all()
    assert (same["p_value"] == 1.0).all() and not same["significant"].any()
    base = table[table["point"] == "basis"]
    assert base["p_value"].isna().all() and not base["significant"].any()


def test_compare_with_another_baseline_and_missing_replications():
    runs = pd.DataFrame({
        "point_index": [0, 0, 0, 1, 1, 1, 2],
        "point": ["a", "a", "a", "b", "b", "b", "c"],
        "replication": [0, 1, 2, 0, 1, 2, 0],
        "seed": [1, 2, 3, 1, 2, 3, 1],
        "levers.x": [0.1] * 7,  # a factor column is not a KPI
        "kpi": [1.0, 2.0, 3.0, 2.0, 4.0, np.nan, 5.0],
    })
    table = compare(runs, baseline="b")
    assert set(table["kpi"]) == {"kpi"}
    a = row(table, "a", "kpi")
    assert a["n_pairs"] == 2 and a["diff"] == pytest.approx(-1.5)  # pairs: (1-2), (2-4); replication 2 is NaN in b
    c = row(table, "c", "kpi")
    assert c["n"] == 1 and math.isnan(c["ci_low"]) and math.isnan(c["p_value"]) and not c["significant"]
    b = row(table, "b", "kpi")
    assert b["n"] == 2 and b["baseline"] == "b"


def test_report_has_markdown_html_and_charts(results, tmp_path):
    out, _ = results
    report = write_report(out, tmp_path / "report")
    folder = report.folder
    for name in ("report.md", "report.html", "comparison.csv"):
        assert (folder / name).stat().st_size > 0
    for chart in ("over_time", "kpis", "differences"):
        png = (folder / f"{chart}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
        assert "<svg" in (folder / f"{chart}.svg").read_text(encoding="utf-8")[:2000]
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "paired t-test (scipy.stats.ttest_rel, two-sided)" in md
    for kpi in ("waitlist_mean", "placements_per_year", "cost_per_year_eur"):
        assert f"(`{kpi}`)" in md
    assert "![over_time](over_time.png)" in md and "baseline: **basis**" in md
    assert "| krapte |" in md and "**real**" in md
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<img src='over_time.svg'" in html and "<table>" in html
    csv = pd.read_csv(folder / "comparison.csv")
    assert len(csv) == 3 * 4 and {"mean", "ci_low", "ci_high", "diff", "p_value", "significant"} <= set(csv)


def test_compare_cli_writes_the_report_and_refuses_unknown_baselines(results, tmp_path, capsys):
    out, _ = results
    target = tmp_path / "rep"
    with pytest.raises(SystemExit) as exc:
        cli.main(["compare", str(out), "--baseline", "krapte", "--out", str(target)])
    captured = capsys.readouterr()
    assert exc.value.code == 0, captured.err
    assert "basis-kopie" in captured.out and (target / "report.html").is_file()
    assert "baseline: **krapte**" in (target / "report.md").read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        cli.main(["compare", str(out), "--baseline", "nope", "--out", str(tmp_path / "never")])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and err.startswith("error: --baseline 'nope'") and "'basis'" in err
    assert "\n" not in err and not (tmp_path / "never").exists()
    with pytest.raises(SystemExit) as exc:
        cli.main(["compare", str(tmp_path)])
    assert exc.value.code == 2 and "not a sweep results folder" in capsys.readouterr().err
