"""Sensitivity analysis (Morris, Sobol') through the real pipeline: experiment file → sweep → sensitivity.

Analytic test functions stand in for the model through the sweep's documented test hook, its
``run_fn`` (a module-level function that turns a run's task into a stored result); everything
else — the experiment file, the SALib design mapped onto the factors' ranges, the store, resume
and the analysis — is the real code. The last tests run the real model on ``klas``.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zorgnetwerk_sim import cli
from zorgnetwerk_sim.runner import Experiment, load_runs
from zorgnetwerk_sim.runner.sensitivity import analyse
from zorgnetwerk_sim.runner.sweep import RunTask, run_output, run_sweep

#: Four real numeric uncertainties with their ranges in the toy experiments.
RANGES = {
    "demand_growth_per_year": (-0.02, 0.06),
    "staff_availability": (0.5, 1.5),
    "incidence_multiplier": (0.5, 2.0),
    "tariff_inflation_per_year": (0.0, 0.06),
}
KEYS = list(RANGES)


def unit(task: RunTask) -> list[float]:
    """The task's factor values scaled back to [0, 1] over the toy ranges."""
    values = task.scenario["uncertainties"]
    return [(values[k] - lo) / (hi - lo) for k, (lo, hi) in RANGES.items()]


def linear_toy(task: RunTask) -> object:
    """y = 8·u1 + 4·u2 + 1·u3 + 0·u4, plus noise from the run's seed: μ* ranks u1 > u2 > u3 > u4."""
    u = unit(task)
    noise = np.random.default_rng(task.seed).normal(0, 0.01)
    return run_output(task, {"y": 8 * u[0] + 4 * u[1] + 1 * u[2] + 0 * u[3] + noise})


def ishigami_toy(task: RunTask) -> object:
    """The Ishigami function (a = 7, b = 0.1) of the first three factors mapped onto [−π, π]."""
    x = [-math.pi + 2 * math.pi * u for u in unit(task)[:3]]
    y = math.sin(x[0]) + 7 * math.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * math.sin(x[0])
    return run_output(task, {"y": y})


def toy_experiment(tmp_path: Path, design: str, n: int, reps: int = 1, keys: list[str] = KEYS,
                   extra: str = "") -> Path:
    factors = "\n".join(f'{k} = {{ min = {RANGES[k][0]}, max = {RANGES[k][1]} }}' for k in keys)
    path = tmp_path / f"toy-{design}.toml"
    path.write_text(f'name = "toy-{design}"\nbase = "klas"\nmaster_seed = 7\nreplications = {reps}\n'
                    f'years = 1\nwarmup_years = 0\n{extra}\n[design]\ntype = "{design}"\nn = {n}\n'
                    f'[uncertainties]\n{factors}\n', encoding="utf-8")
    return path


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    captured = capsys.readouterr()
    return exc.value.code, captured.out, captured.err


def test_morris_reproduces_the_known_ranking_of_a_toy_function(tmp_path, capsys):
    exp = Experiment.from_toml(toy_experiment(tmp_path, "morris", n=10, reps=2))
    assert exp.n_runs == 10 * (len(KEYS) + 1) * 2
    out = tmp_path / "results"
    run_sweep(exp, out, workers=1, run_fn=linear_toy)
    code, stdout, stderr = run_cli(["sensitivity", str(out)], capsys)
    assert code == 0, stderr
    assert "uncertainties.demand_growth_per_year" in stdout  # the ranking is printed
    table = pd.read_csv(out / "sensitivity" / "sensitivity.csv")
    ranking = table.sort_values("rank")["factor"].tolist()
    assert ranking == [f"uncertainties.{k}" for k in KEYS]
    mu = table.set_index("factor")["mu_star"]
    # a linear function: every elementary effect of u_i is its coefficient, so μ* = |coefficient|
    assert mu["uncertainties.demand_growth_per_year"] == pytest.approx(8, abs=0.05)
    assert mu["uncertainties.staff_availability"] == pytest.approx(4, abs=0.05)
    assert mu["uncertainties.tariff_inflation_per_year"] < 0.05
    for name in ("report.md", "report.html", "morris_y.png", "morris_y.svg", "report.json"):
        assert (out / "sensitivity" / name).is_file(), name
    assert "morris_y.svg" in (out / "sensitivity" / "report.html").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # the staged folder is gone


def test_morris_and_sobol_designs_map_the_unit_sample_onto_the_factors(tmp_path):
    path = toy_experiment(tmp_path, "morris", n=3, keys=KEYS[:2],
                          extra='[levers]\n"coordination.queue" = ["per_aanbieder", "central"]\n'
                                '"coordination.overlegtafels" = { min = 2, max = 12 }\n')
    exp = Experiment.from_toml(path)
    assert Experiment.from_toml(path).fingerprint == exp.fingerprint  # the sample is seeded: same design
    for p in exp.points:
        u = dict(zip([f.key for f in exp.factors], p.unit))
        assert p.params["levers.coordination.queue"] == ("central" if u["levers.coordination.queue"] >= 0.5
                                                         else "per_aanbieder")
        assert isinstance(p.params["levers.coordination.overlegtafels"], int)
        lo, hi = RANGES[KEYS[0]]
        assert p.params[f"uncertainties.{KEYS[0]}"] == pytest.approx(lo + u[f"uncertainties.{KEYS[0]}"] * (hi - lo))
    # one factor moves per Morris step, and with 4 levels every step changes the factor's value
    for a, b in zip(exp.points, exp.points[1:]):
        if a.name.rsplit("-", 1)[0] == b.name.rsplit("-", 1)[0]:
            changed = [k for k in a.params if a.params[k] != b.params[k]]
            assert len(changed) == 1
    sobol = Experiment.from_toml(toy_experiment(tmp_path, "sobol", n=16))
    assert len(sobol.points) == 16 * (len(KEYS) + 2)
    seeds = {r.seed for r in sobol.runs()}
    assert len(seeds) == 1  # common random numbers: every point of replication 0 has the same seed


def test_sobol_indices_of_ishigami_within_tolerance(tmp_path):
    exp = Experiment.from_toml(toy_experiment(tmp_path, "sobol", n=256, keys=KEYS[:3]))
    out = tmp_path / "results"
    run_sweep(exp, out, workers=1, run_fn=ishigami_toy)
    s = analyse(out)
    t = s.table.set_index("factor")
    keys = [f"uncertainties.{k}" for k in KEYS[:3]]
    # analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990)
    for key, s1, st in zip(keys, (0.314, 0.442, 0.0), (0.558, 0.442, 0.244)):
        assert t.loc[key, "S1"] == pytest.approx(s1, abs=0.06), key
        assert t.loc[key, "ST"] == pytest.approx(st, abs=0.06), key
    assert t.loc[keys[0], "ST_conf"] > 0


def _stop_after(n: int):
    """A run function that stops the sweep (as Ctrl-C would) after ``n`` runs of this process."""
    state = {"left": n}

    def run(task: RunTask) -> object:
        if state["left"] == 0:
            raise KeyboardInterrupt
        state["left"] -= 1
        return linear_toy(task)

    return run


def test_a_stopped_sensitivity_sweep_resumes_to_the_same_analysis(tmp_path):
    exp = Experiment.from_toml(toy_experiment(tmp_path, "morris", n=4, reps=2))
    out = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(exp, out, workers=1, run_fn=_stop_after(13))
    assert len(load_runs(out)) == 13
    result = run_sweep(exp, out, workers=1, run_fn=linear_toy)
    assert (result.already_done, result.ran) == (13, exp.n_runs - 13)
    whole = tmp_path / "whole"
    run_sweep(exp, whole, workers=1, run_fn=linear_toy)
    pd.testing.assert_frame_equal(analyse(out).table, analyse(whole).table)


def test_an_incomplete_sweep_is_analysed_on_its_complete_replications(tmp_path):
    exp = Experiment.from_toml(toy_experiment(tmp_path, "morris", n=4, reps=2))
    out = tmp_path / "partial"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(exp, out, workers=1, run_fn=_stop_after(len(exp.points) + 3))
    s = analyse(out)
    assert s.replications == [0]
    assert s.ranking("y")["factor"].iloc[0] == "uncertainties.demand_growth_per_year"


MORRIS_KLAS = """
name = "morris-klas"
base = "klas"
master_seed = 11
replications = 1
years = 1.5
warmup_years = 0.5
kpis = ["waitlist_mean", "wait_weeks_mean", "placements_per_year", "crisis_per_year", "cost_per_year_eur"]

[design]
type = "morris"
n = 2

[levers]
"coordination.queue" = ["per_aanbieder", "central"]
"prevention.budget_share" = { min = 0.0, max = 0.08 }

[uncertainties]
staff_availability = { min = 0.6, max = 1.2 }
"""


def test_morris_on_klas_killed_resumes_and_ranks(tmp_path, capsys):
    """The real model: a Morris sweep of klas is killed (kill -9), resumed, and analysed."""
    from test_sweep import _stamps, _wait_for_first_run

    path = tmp_path / "morris-klas.toml"
    path.write_text(MORRIS_KLAS, encoding="utf-8")
    out = tmp_path / "results"
    proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for_first_run(proc, out)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    before = _stamps(out)
    exp = Experiment.from_toml(path)
    assert 1 <= len(before) <= exp.n_runs
    code, _, stderr = run_cli(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"], capsys)
    assert code == 0, stderr
    assert f"({len(before)} done, {exp.n_runs - len(before)} to run)" in stderr
    assert sorted(p.stem for p in (out / "runs").glob("*.parquet")) == sorted(r.run_id for r in exp.runs())
    code, stdout, stderr = run_cli(["sensitivity", str(out), "--out", str(tmp_path / "report")], capsys)
    assert code == 0, stderr
    table = pd.read_csv(tmp_path / "report" / "sensitivity.csv")
    assert set(table["kpi"]) <= {"waitlist_mean", "wait_weeks_mean", "placements_per_year", "crisis_per_year",
                                 "cost_per_year_eur"}
    wait = table[table["kpi"] == "waitlist_mean"].sort_values("rank")
    # staff availability from 0.6 to 1.2 changes capacity by half: it must move the wachtlijst more than the
    # prevention share, whose effect starts only after its delay
    assert wait.iloc[0]["factor"] == "uncertainties.staff_availability"
    assert (wait["mu_star"] >= 0).all() and wait.iloc[0]["mu_star"] > 0
    assert (tmp_path / "report" / "morris_waitlist_mean.png").is_file()
    assert "waitlist_mean" in stdout


# ---------------------------------------------------------------------------------------------
# Bad input: one line, exit status 2, nothing written
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("factor, expected", [
    ("staff_availability = [0.8]", "needs a range"),
    ("staff_availability = { min = 0.8 }", "needs both min and max"),
])
def test_a_factor_without_a_range_is_one_line_exit_2(tmp_path, capsys, factor, expected):
    path = tmp_path / "bad.toml"
    path.write_text(f'base = "klas"\nmaster_seed = 1\n[design]\ntype = "morris"\nn = 2\n[uncertainties]\n'
                    f'{factor}\nincidence_multiplier = {{ min = 0.5, max = 2.0 }}\n', encoding="utf-8")
    code, _, stderr = run_cli(["sweep", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert expected in stderr and "staff_availability" in stderr and str(path) in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("design, expected", [
    ('type = "sobol"\nn = 12', "power of 2"),
    ('type = "morris"\nn = 2\nlevels = 3', "must be even"),
    ('type = "morris"', "needs n"),
    ('type = "full_factorial"\nlevels = 4', "only a morris design takes levels"),
])
def test_bad_sensitivity_designs_are_one_line(tmp_path, capsys, design, expected):
    path = tmp_path / "bad.toml"
    path.write_text(f'base = "klas"\nmaster_seed = 1\n[design]\n{design}\n[uncertainties]\n'
                    'staff_availability = { min = 0.5, max = 1.5, levels = 2 }\n', encoding="utf-8")
    code, _, stderr = run_cli(["sweep", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and expected in stderr and len(stderr.strip().splitlines()) == 1, stderr


@pytest.fixture
def factorial_results(tmp_path) -> Path:
    path = tmp_path / "ff.toml"
    path.write_text('base = "klas"\nmaster_seed = 1\nyears = 1\nwarmup_years = 0\n[uncertainties]\n'
                    'staff_availability = [0.8, 1.2]\n', encoding="utf-8")
    out = tmp_path / "ff-results"
    run_sweep(Experiment.from_toml(path), out, workers=1, run_fn=linear_toy_partial)
    return out


def linear_toy_partial(task: RunTask) -> object:
    return run_output(task, {"y": task.scenario["uncertainties"]["staff_availability"]})


def test_sensitivity_of_a_non_morris_folder_unknown_kpi_and_no_folder(tmp_path, capsys, factorial_results):
    code, _, stderr = run_cli(["sensitivity", str(factorial_results)], capsys)
    assert code == 2 and "full_factorial design" in stderr and "morris or sobol" in stderr
    assert len(stderr.strip().splitlines()) == 1
    exp = Experiment.from_toml(toy_experiment(tmp_path, "morris", n=2))
    out = tmp_path / "m"
    run_sweep(exp, out, workers=1, run_fn=linear_toy)
    code, _, stderr = run_cli(["sensitivity", str(out), "--kpi", "wachtlijst"], capsys)
    assert code == 2 and "--kpi wachtlijst: not a KPI" in stderr and "allowed: y" in stderr
    assert not (out / "sensitivity").exists()
    code, _, stderr = run_cli(["sensitivity", str(tmp_path / "nowhere")], capsys)
    assert code == 2 and "not a folder" in stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, stderr = run_cli(["sensitivity", str(out), "--out", str(tmp_path / "busy")], capsys)
    assert code == 2 and "is not a zorgsim report" in stderr
    assert (tmp_path / "busy" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_missing_salib_is_one_line_naming_the_extra(tmp_path, capsys, monkeypatch):
    exp = Experiment.from_toml(toy_experiment(tmp_path, "morris", n=2))
    out = tmp_path / "m"
    run_sweep(exp, out, workers=1, run_fn=linear_toy)
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "SALib", None)
    code, _, stderr = run_cli(["sensitivity", str(out)], capsys)
    assert code == 2 and "uv sync --extra analyse" in stderr and len(stderr.strip().splitlines()) == 1
    code, _, stderr = run_cli(["sweep", str(toy_experiment(tmp_path, "sobol", n=4)), "--out",
                               str(tmp_path / "s")], capsys)
    assert code == 2 and "uv sync --extra analyse" in stderr


def _leaves(model, prefix: str) -> set[str]:
    from pydantic import BaseModel

    out: set[str] = set()
    for name, f in model.model_fields.items():
        sub = f.annotation if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel) else None
        out |= _leaves(sub, f"{prefix}{name}.") if sub is not None else {f"{prefix}{name}"}
    return out


def test_gevoeligheid_screens_every_lever_and_uncertainty_of_the_schema():
    from zorgnetwerk_sim.scenario.schema import Levers, Uncertainties

    exp = Experiment.load("gevoeligheid")
    assert exp.spec.design.type == "morris" and exp.base_raw["name"] == "default"
    screened = {f.key for f in exp.factors}
    expected = _leaves(Levers, "levers.") | _leaves(Uncertainties, "uncertainties.")
    # the collaboration-form preset only sets coordination levers that are factors themselves (a factor wins)
    assert screened == expected - {"levers.coordination.collaboration_form"}
    defaults = exp.base_scenario
    for f in exp.factors:  # every range contains the default region's value
        node = defaults
        for part in f.key.split("."):
            node = getattr(node, part)
        if f.values is not None:
            assert node in f.values, f.key
        else:
            assert f.low <= node <= f.high, f.key
    quick = Experiment.load("gevoeligheid", design_n=2)  # zorgsim sweep gevoeligheid --design-n 2
    assert len(quick.points) == 2 * (len(exp.factors) + 1) and quick.fingerprint != exp.fingerprint
    klas = Experiment.load("gevoeligheid-klas")
    assert [f.describe() for f in klas.factors] == [f.describe() for f in exp.factors]  # the same screen
    sobol = Experiment.load("gevoeligheid-sobol")
    assert sobol.spec.design.type == "sobol" and {f.key for f in sobol.factors} < screened
    robust = Experiment.load("robuustheid")
    assert robust.spec.design.type == "futures" and len({p.policy for p in robust.points}) == 5


def noisy_toy(task: RunTask) -> object:
    """y = 8·u1 + noise that changes with every run (not common to a replication): u2…u4 have no effect."""
    u = unit(task)
    rng = np.random.default_rng([task.seed, int(task.run_id, 16)])
    return run_output(task, {"y": 8 * u[0] + rng.normal(0, 0.5)})


def test_morris_noise_level_separates_real_effects_from_noise(tmp_path):
    exp = Experiment.from_toml(toy_experiment(tmp_path, "morris", n=12, reps=2))
    out = tmp_path / "results"
    run_sweep(exp, out, workers=1, run_fn=noisy_toy)
    s = analyse(out)
    noise = s.noise["y"]
    # noise of sd 0.5 in each run: the mean of 2 runs has sd 0.35, an elementary effect (a difference over
    # Δ = 2/3) about 0.35·√2·1.5·√(2/π) ≈ 0.6 in absolute value
    assert 0.2 < noise < 1.5
    mu = s.ranking("y").set_index("factor")["mu_star"]
    assert mu["uncertainties.demand_growth_per_year"] > 5 * noise
    for key in KEYS[1:]:
        assert mu[f"uncertainties.{key}"] < 2.5 * noise, key
