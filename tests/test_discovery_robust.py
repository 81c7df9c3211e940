"""Scenario discovery (PRIM) and robustness of policies, through experiment file → sweep → report.

As in test_sensitivity.py, analytic functions stand in for the model through the sweep's
``run_fn`` hook, so the planted structure is known exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_sensitivity import KEYS, RANGES, run_cli, toy_experiment, unit
from zorgnetwerk_sim.runner import Experiment
from zorgnetwerk_sim.runner.robust import parse_norm, robustness
from zorgnetwerk_sim.runner.sweep import RunTask, run_output, run_sweep


def planted_rule(task: RunTask) -> object:
    """y is high exactly where u1 > 0.6, u2 < 0.4 and the queue is central (plus a trend in u4 that stays < 5)."""
    u = unit(task)
    central = task.scenario["levers"]["coordination"]["queue"] == "central"
    return run_output(task, {"y": 10.0 * (u[0] > 0.6 and u[1] < 0.4 and central) + u[3]})


@pytest.fixture(scope="module")
def lhs_results(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("prim")
    exp = Experiment.from_toml(toy_experiment(
        tmp, "latin_hypercube", n=500,
        extra='[levers]\n"coordination.queue" = ["per_aanbieder", "central"]\n"coordination.urgency_priority" = '
              '[false, true]\n'))
    out = tmp / "results"
    run_sweep(exp, out, workers=1, run_fn=planted_rule)
    return out


def test_prim_finds_a_planted_rule(lhs_results, tmp_path, capsys):
    report = tmp_path / "discover"
    code, stdout, stderr = run_cli(["discover", str(lhs_results), "--kpi", "y", "--above", "5", "--density", "0.95",
                                    "--out", str(report)], capsys)
    assert code == 0, stderr
    boxes = pd.read_csv(report / "boxes.csv")
    first = boxes[boxes["box"] == 1].set_index("label")
    assert set(first.index) == {"demand_growth_per_year", "staff_availability", "queue"}  # only the planted factors
    assert first.loc["queue", "values"] == "central"
    lo1, hi1 = RANGES["demand_growth_per_year"]
    lo2, hi2 = RANGES["staff_availability"]
    assert first.loc["demand_growth_per_year", "lower"] == pytest.approx(lo1 + 0.6 * (hi1 - lo1), abs=0.05 * (hi1 - lo1))
    assert np.isnan(first.loc["demand_growth_per_year", "upper"])
    assert first.loc["staff_availability", "upper"] == pytest.approx(lo2 + 0.4 * (hi2 - lo2), abs=0.05 * (hi2 - lo2))
    assert first["coverage"].iloc[0] >= 0.9 and first["density"].iloc[0] >= 0.95
    cases = pd.read_csv(report / "cases.csv")
    assert cases["of_interest"].sum() == (cases["y"] > 5).sum() > 0
    trajectory = pd.read_csv(report / "trajectory.csv")
    assert trajectory[trajectory["box"] == 1]["coverage"].is_monotonic_decreasing  # peeling trades coverage
    for name in ("tradeoff.png", "tradeoff.svg", "boxes.png", "boxes.svg", "report.md", "report.html"):
        assert (report / name).is_file(), name
    assert "demand_growth_per_year" in stdout and "coverage" in (report / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, expected", [
    (["--kpi", "y"], "exactly one of --above X or --below X"),
    (["--kpi", "y", "--above", "1", "--below", "2"], "exactly one of --above X or --below X"),
    (["--kpi", "wachtlijst", "--above", "5"], "--kpi wachtlijst: not a KPI"),
    (["--kpi", "y", "--above", "100"], "no design point has y above 100"),
    (["--kpi", "y", "--below", "100"], "every design point has y below 100"),
])
def test_bad_discover_input_is_one_line_exit_2(lhs_results, capsys, args, expected):
    code, _, stderr = run_cli(["discover", str(lhs_results), *args], capsys)
    assert code == 2 and expected in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert not (lhs_results / "discover-y").exists()


# ---------------------------------------------------------------------------------------------
# Robustness
# ---------------------------------------------------------------------------------------------
#: Three policies (prevention share) and their toy wachtlijst in a future with staff level u in [0, 1]:
#: A = 10·u (good when staff is short… in this toy), B = 5 always, C = 7 always (never the best).
POLICY_SHARE = {"A": 0.0, "B": 0.1, "C": 0.05}


def policy_toy(task: RunTask) -> object:
    share = task.scenario["levers"]["prevention"]["budget_share"]
    u = unit(task)[1]
    y = {0.0: 10 * u, 0.1: 5.0, 0.05: 7.0}[share]
    return run_output(task, {"waitlist_mean": y, "cost_vs_budget": 0.9 + 0.2 * (share == 0.05)})


def futures_experiment(tmp_path: Path, n: int = 24) -> Path:
    path = tmp_path / "futures.toml"
    path.write_text(f'name = "futures"\nbase = "klas"\nmaster_seed = 3\nyears = 1\nwarmup_years = 0\n'
                    f'[design]\ntype = "futures"\nn = {n}\n'
                    '[levers]\n"prevention.budget_share" = { values = [0.0, 0.1, 0.05], label = "preventie" }\n'
                    '[uncertainties]\n' + "\n".join(f'{k} = {{ min = {RANGES[k][0]}, max = {RANGES[k][1]} }}'
                                                    for k in KEYS[:2]) + "\n", encoding="utf-8")
    return path


def test_futures_design_crosses_every_policy_with_the_same_futures(tmp_path):
    exp = Experiment.from_toml(futures_experiment(tmp_path, n=5))
    assert len(exp.points) == 3 * 5
    futures = {}
    for p in exp.points:
        futures.setdefault(p.policy, []).append(
            (p.future, {k: v for k, v in p.params.items() if k.startswith("uncertainties.")}))
    assert len(futures) == 3
    assert all(v == futures["preventie=0"] for v in futures.values())  # identical futures for every policy


def test_regret_and_satisficing_of_planted_policies(tmp_path, capsys):
    path = futures_experiment(tmp_path)
    out = tmp_path / "results"
    run_sweep(Experiment.from_toml(path), out, workers=1, run_fn=policy_toy)
    code, stdout, stderr = run_cli(["robust", str(out), "--kpi", "waitlist_mean", "--norm", "waitlist_mean<=6",
                                    "--norm", "cost_vs_budget<=1"], capsys)
    assert code == 0, stderr
    r = robustness(out, ["waitlist_mean"], ["waitlist_mean<=6", "cost_vs_budget<=1"])
    u = np.array([(v - RANGES[KEYS[1]][0]) / (RANGES[KEYS[1]][1] - RANGES[KEYS[1]][0])
                  for v in r.values[r.values["policy"] == "preventie=0"][f"uncertainties.{KEYS[1]}"]])
    s = r.summary.set_index("policy")
    best = np.minimum(10 * u, 5.0)
    assert s.loc["preventie=0", "waitlist_mean:max_regret"] == pytest.approx(np.max(10 * u - best), abs=1e-4)
    assert s.loc["preventie=0.1", "waitlist_mean:max_regret"] == pytest.approx(np.max(5 - best), abs=1e-4)
    assert s.loc["preventie=0.05", "waitlist_mean:max_regret"] == pytest.approx(np.max(7 - best), abs=1e-4)
    assert s.loc["preventie=0.05", "waitlist_mean:best_share"] == 0  # never the best policy
    assert (r.regret["regret"] >= -1e-12).all()
    assert s.loc["preventie=0", "satisficing"] == pytest.approx(np.mean(10 * u <= 6 + 1e-9), abs=1e-9)
    assert s.loc["preventie=0.1", "satisficing"] == 1.0
    assert s.loc["preventie=0.05", "satisficing"] == 0.0  # over budget in every future
    assert s["rank"].idxmax() == "preventie=0.05"  # the policy that is never best ranks last
    report = out / "robust"
    for name in ("robustness.csv", "regret.csv", "regret.png", "regret.svg", "satisficing.png", "report.md"):
        assert (report / name).is_file(), name
    assert "preventie=0.05" in stdout


def test_robust_of_an_experiment_runs_its_sweep_first(tmp_path, capsys):
    path = tmp_path / "robust-klas.toml"
    path.write_text('name = "robust-klas"\nbase = "klas"\nmaster_seed = 5\nyears = 1\nwarmup_years = 0.25\n'
                    'kpis = ["waitlist_mean", "cost_per_year_eur", "wait_over_norm_share", "cost_vs_budget"]\n'
                    '[design]\ntype = "futures"\nn = 2\n[levers]\n"coordination.queue" = ["per_aanbieder", "central"]\n'
                    '[uncertainties]\nstaff_availability = { min = 0.7, max = 1.1 }\n', encoding="utf-8")
    out = tmp_path / "results"
    code, stdout, stderr = run_cli(["robust", str(path), "--results", str(out), "--workers", "1", "--quiet"], capsys)
    assert code == 0, stderr
    assert len(list((out / "runs").glob("*.parquet"))) == 4
    table = pd.read_csv(out / "robust" / "robustness.csv")
    assert set(table["policy"]) == {"queue=per_aanbieder", "queue=central"}
    assert "satisficing" in table.columns  # the default norms are in the kept KPIs
    regret = pd.read_csv(out / "robust" / "regret.csv")
    assert (regret["regret"] >= 0).all()
    assert (regret.groupby(["kpi", "future"])["regret"].min() == 0).all()  # the best policy of a future: no regret


def test_bad_robust_input_is_one_line_exit_2(tmp_path, capsys, lhs_results):
    assert str(parse_norm("cost_vs_budget <= 1")) == "cost_vs_budget <= 1"
    # a Latin hypercube over levers and uncertainties: no two points share a future
    code, _, stderr = run_cli(["robust", str(lhs_results)], capsys)
    assert code == 2 and "0 futures with every policy run" in stderr and 'design.type = "futures"' in stderr
    assert len(stderr.strip().splitlines()) == 1
    path = futures_experiment(tmp_path, n=3)
    out = tmp_path / "results"
    run_sweep(Experiment.from_toml(path), out, workers=1, run_fn=policy_toy)
    for norm, expected in [("waitlist_mean=6", "expected KPI<=VALUE"), ("wachtlijst<=6", "'wachtlijst' is not a KPI")]:
        code, _, stderr = run_cli(["robust", str(out), "--norm", norm], capsys)
        assert code == 2 and expected in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert not (out / "robust").exists()


def test_robust_reads_a_full_factorial_over_levers_and_uncertainties(tmp_path):
    path = tmp_path / "ff.toml"
    path.write_text('base = "klas"\nmaster_seed = 3\nyears = 1\nwarmup_years = 0\n[levers]\n'
                    '"prevention.budget_share" = { values = [0.0, 0.1, 0.05], label = "preventie" }\n'
                    '[uncertainties]\nstaff_availability = [0.5, 1.0, 1.5]\n', encoding="utf-8")
    out = tmp_path / "results"
    run_sweep(Experiment.from_toml(path), out, workers=1, run_fn=policy_toy)
    r = robustness(out, ["waitlist_mean"], [])
    assert r.policies == ["preventie=0", "preventie=0.1", "preventie=0.05"]
    assert r.futures == ["staff_availability=0.5", "staff_availability=1", "staff_availability=1.5"]
    # u = 0, 0.5, 1: A = 0, 5, 10; B = 5; C = 7 → A's regret 0, 0, 5; B's 5, 0, 0; C's 7, 2, 2
    s = r.summary.set_index("policy")
    assert s["waitlist_mean:max_regret"].to_dict() == pytest.approx(
        {"preventie=0": 5.0, "preventie=0.1": 5.0, "preventie=0.05": 7.0})
    assert s.loc["preventie=0.05", "waitlist_mean:mean_regret"] == pytest.approx(11 / 3)
    assert r.norms == [n for n in map(parse_norm, ["cost_vs_budget<=1"])]  # the default norm the results have
