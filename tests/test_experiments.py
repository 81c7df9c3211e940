"""Experiment files: parsing, designs, run ids, seeds, and every kind of bad input (exit 2, one line)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from zorgnetwerk_sim import cli
from zorgnetwerk_sim.runner import Experiment, ExperimentError, available_experiments, replication_seed
from zorgnetwerk_sim.runner.experiment import run_id_for

TINY = """
name = "{name}"
base = "klas"
master_seed = {seed}
replications = {reps}
years = 1.5
warmup_years = 0.5
kpis = ["waitlist_mean", "placements_per_year", "cost_per_year_eur"]
"""


def write(tmp_path: Path, body: str, name: str = "exp", seed: int = 1, reps: int = 2, header: bool = True) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text((TINY.format(name=name, seed=seed, reps=reps) if header else "") + body, encoding="utf-8")
    return path


def cli_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the CLI, expect exit status 2 and return the single error line."""
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    captured = capsys.readouterr()
    assert exc.value.code == 2, captured
    err = captured.err.strip()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    assert err.startswith("error: ") and "\n" not in err, err
    return err


# ---------------------------------------------------------------------------------------------
# The shipped experiments
# ---------------------------------------------------------------------------------------------
def test_shipped_experiments_parse_with_readable_unique_names():
    shipped = available_experiments()
    assert {"beleidsvergelijking", "preventie-tijdpad", "expertteam-triage", "solidariteit"} <= set(shipped)
    for name in shipped:
        exp = Experiment.load(name)
        names = [p.name for p in exp.points]
        assert len(set(names)) == len(names) and all(names)
        assert exp.baseline in names
        ids = [r.run_id for r in exp.runs()]
        assert len(ids) == exp.n_runs == len(set(ids))
        assert exp.kpis is not None and "waitlist_mean" in exp.kpis


def test_beleidsvergelijking_crosses_forms_with_trust_and_prevention():
    exp = Experiment.load("beleidsvergelijking")
    assert len(exp.points) == 5 * 3 * 3
    assert {f.key for f in exp.factors} == {"levers.trust.informal_contacts_per_year",
                                            "levers.prevention.budget_share"}
    assert all(f.group == "levers" for f in exp.factors)
    point = exp.point("ondernemend · contacten=12 · preventie=0.06")
    scenario = exp.scenario(point)
    assert scenario.levers.coordination.collaboration_form == "ondernemend"
    assert scenario.levers.coordination.joint_kpis is True  # the preset is applied
    assert scenario.levers.trust.informal_contacts_per_year == 12  # the factor wins over the preset
    assert scenario.levers.prevention.budget_share == 0.06
    assert exp.base_scenario.name == "default"


def test_solidariteit_and_expertteam_triage_designs():
    sol = Experiment.load("solidariteit")
    assert [p.name for p in sol.points][:3] == ["pooling=nee, macht=0", "pooling=nee, macht=1", "pooling=nee, macht=2"]
    assert {"small_overspent_share", "small_prevention_cut_share", "small_cost_per_youth_eur"} <= set(sol.kpis)
    et = Experiment.load("expertteam-triage")
    assert et.scenario("alleen maatwerk").levers.coordination.expertteam_triage == "maatwerk_only"
    assert et.scenario("meer uren + wekelijks").levers.coordination.expertteam_meeting_interval_weeks == 1
    assert set(et.series) == {"wachtlijst", "uithuisplaatsingen", "kosten"}
    assert Experiment.load("preventie-tijdpad").years == 15


# ---------------------------------------------------------------------------------------------
# Designs
# ---------------------------------------------------------------------------------------------
def test_full_factorial_with_ranges_levels_and_integer_rounding(tmp_path):
    path = write(tmp_path, """
[levers]
coordination.queue = ["per_aanbieder", "central"]
"coordination.overlegtafels" = { min = 2, max = 9, levels = 3, label = "tafels" }
[uncertainties]
staff_availability = { min = 0.6, max = 1.0, levels = 3 }
""")
    exp = Experiment.from_toml(path)
    assert len(exp.points) == 2 * 3 * 3
    tables = sorted({p.params["levers.coordination.overlegtafels"] for p in exp.points})
    assert tables == [2, 6, 9] and all(isinstance(t, int) for t in tables)  # 5.5 rounds to 6
    staff = sorted({p.params["uncertainties.staff_availability"] for p in exp.points})
    assert staff == pytest.approx([0.6, 0.8, 1.0])
    assert exp.points[0].name == "queue=per_aanbieder, tafels=2, staff_availability=0.6"
    assert [f.group for f in exp.factors] == ["levers", "levers", "uncertainties"]  # XLRM kept apart


def test_latin_hypercube_is_stratified_deterministic_and_seeded(tmp_path):
    body = """
[design]
type = "latin_hypercube"
n = 10
[levers]
"prevention.budget_share" = { min = 0.0, max = 0.1 }
"coordination.overlegtafels" = { min = 0, max = 9 }
coordination.queue = ["per_aanbieder", "central"]
[uncertainties]
demand_growth_per_year = { min = -0.02, max = 0.03 }
"""
    exp = Experiment.from_toml(write(tmp_path, body, seed=5))
    assert [p.name for p in exp.points][:2] == ["lhs-01", "lhs-02"]
    share = np.array([p.params["levers.prevention.budget_share"] for p in exp.points])
    assert sorted(np.floor(share / 0.1 * 10).astype(int).clip(0, 9)) == list(range(10))  # one per stratum
    tables = sorted(p.params["levers.coordination.overlegtafels"] for p in exp.points)
    assert tables == list(range(10))  # integers 0..9: each exactly once
    queues = [p.params["levers.coordination.queue"] for p in exp.points]
    assert queues.count("central") == queues.count("per_aanbieder") == 5
    again = Experiment.from_toml(write(tmp_path, body, seed=5))
    assert [p.params for p in again.points] == [p.params for p in exp.points]
    other = Experiment.from_toml(write(tmp_path, body, name="other", seed=6))
    assert [p.params for p in other.points] != [p.params for p in exp.points]


def test_variants_crossed_with_factors(tmp_path):
    exp = Experiment.from_toml(write(tmp_path, """
baseline = "nu · staff_availability=1"
[design]
type = "variants"
[[variants]]
name = "nu"
[[variants]]
name = "centraal"
levers = { coordination.queue = "central", coordination.allocation = "pull" }
[uncertainties]
staff_availability = [1.0, 0.8]
"""))
    assert [p.name for p in exp.points] == ["nu · staff_availability=1", "nu · staff_availability=0.8",
                                            "centraal · staff_availability=1", "centraal · staff_availability=0.8"]
    assert exp.baseline == "nu · staff_availability=1"
    assert set(exp.factor_keys) == {"uncertainties.staff_availability", "levers.coordination.queue",
                                    "levers.coordination.allocation"}
    assert exp.scenario(3).levers.coordination.allocation == "pull"


# ---------------------------------------------------------------------------------------------
# Run ids and seeds
# ---------------------------------------------------------------------------------------------
def test_seeds_come_from_the_master_seed_via_seedsequence_and_are_shared_by_design_points(tmp_path):
    exp = Experiment.from_toml(write(tmp_path, "[uncertainties]\nstaff_availability = [0.8, 1.0]\n", seed=99, reps=3))
    children = np.random.SeedSequence(99).spawn(3)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1) for c in children]
    assert exp.seeds() == expected == [replication_seed(99, r) for r in range(3)]
    assert len(set(expected)) == 3
    for run in exp.runs():
        assert run.seed == expected[run.replication]  # common random numbers across design points
        assert exp.scenario(run.point_index, run.replication).seed == run.seed
    more = Experiment.from_toml(write(tmp_path, "[uncertainties]\nstaff_availability = [0.8, 1.0]\n", name="more",
                                      seed=99, reps=5))
    assert more.seeds()[:3] == expected  # adding replications keeps the earlier ones


def test_run_ids_are_stable_hashes_of_point_and_replication(tmp_path):
    body = "[uncertainties]\nstaff_availability = [0.8, 1.0]\n"
    a = Experiment.from_toml(write(tmp_path, body))
    copy_dir = tmp_path / "elsewhere"
    copy_dir.mkdir()
    b = Experiment.from_toml(shutil.copy(write(tmp_path, body), copy_dir / "exp.toml"))
    assert [r.run_id for r in a.runs()] == [r.run_id for r in b.runs()]
    assert a.fingerprint == b.fingerprint  # the file's location does not matter
    ids = [r.run_id for r in a.runs()]
    assert len(set(ids)) == len(ids) == 4 and all(len(i) == 16 for i in ids)
    assert run_id_for(a.points[0], 0) != run_id_for(a.points[0], 1)
    c = Experiment.from_toml(write(tmp_path, "[uncertainties]\nstaff_availability = [0.7, 1.0]\n"))
    assert [r.run_id for r in c.runs()][1] == ids[1] and [r.run_id for r in c.runs()][0] != ids[0]
    assert c.fingerprint != a.fingerprint
    d = Experiment.from_toml(write(tmp_path, body, seed=2))
    assert d.fingerprint != a.fingerprint


def test_overrides_and_horizon_apply_to_every_run(tmp_path):
    exp = Experiment.from_toml(write(tmp_path, """
[overrides]
"mechanisms.relapse" = false
levers.coordination.joint_kpis = true
[levers]
"prevention.budget_share" = [0.01, 0.05]
"""), replications=4, years=2.0)
    for point in exp.points:
        s = exp.scenario(point)
        assert s.mechanisms.relapse is False and s.levers.coordination.joint_kpis is True
        assert s.run.years == 2.0 and s.run.warmup_years == 0.5
    assert exp.n_runs == 8


# ---------------------------------------------------------------------------------------------
# Bad input: one line, exit status 2, nothing written
# ---------------------------------------------------------------------------------------------
BAD_CASES = {
    "unknown-factor": ('[levers]\n"coordination.quue" = ["central"]\n',
                       ["factor levers.coordination.quue", "unknown factor", "queue"]),
    "unknown-uncertainty": ("[uncertainties]\nstaff = [0.5, 1.0]\n",
                            ["factor uncertainties.staff", "staff_availability"]),
    "bad-level": ('[levers]\n"coordination.queue" = ["central", "random"]\n',
                  ["levers.coordination.queue", "'per_aanbieder' or 'central'", "random"]),
    "out-of-range": ("[uncertainties]\nstaff_availability = [0.1, 1.0]\n",
                     ["uncertainties.staff_availability", "greater than or equal to 0.3"]),
    "lhs-categorical-range": ('[design]\ntype = "latin_hypercube"\nn = 4\n[levers]\n'
                              '"coordination.queue" = { min = 0, max = 1 }\n',
                              ["levers.coordination.queue", "categorical", "values = [...]", "'central'"]),
    "lhs-without-n": ('[design]\ntype = "latin_hypercube"\n[levers]\n"prevention.budget_share" = { min = 0, max = 0.1 }\n',
                      ["design.n", "latin_hypercube design needs n"]),
    "factorial-range-without-levels": ('[levers]\n"prevention.budget_share" = { min = 0, max = 0.1 }\n',
                                       ["levers.prevention.budget_share", "levels"]),
    "factorial-without-factors": ("", ["full_factorial design needs at least one factor"]),
    "variants-without-variants": ('[design]\ntype = "variants"\n', ["needs at least one [[variants]]"]),
    "unknown-design": ('[design]\ntype = "taguchi"\n[levers]\n"prevention.budget_share" = [0.01]\n',
                       ["design.type", "'variants', 'morris', 'sobol' or 'futures'", "taguchi"]),
    "unknown-top-key": ('replicatons = 3\n[levers]\n"prevention.budget_share" = [0.01]\n',
                        ["replicatons: unknown key", "replications"]),
    "unknown-kpi": ('[levers]\n"prevention.budget_share" = [0.01]\n',
                    ["kpis: 'wachtlijst' is not a KPI", "waitlist_mean"]),
    "unknown-series": ('series = ["wachtlijst", "waiting_lst"]\n[levers]\n"prevention.budget_share" = [0.01]\n',
                       ["series.waiting_lst", "waiting_list"]),
    "scalar-factor": ('[levers]\n"prevention.budget_share" = 0.05\n', ["levers.prevention.budget_share", "[overrides]"]),
    "variant-unknown-key": ('[design]\ntype = "variants"\n[[variants]]\nname = "a"\nlevers = { coordination.qeue = "central" }\n',
                            ["variants[0] (a)", "levers.coordination.qeue", "queue"]),
    "warmup-too-long": ('[levers]\n"prevention.budget_share" = [0.01]\n',
                        ["run", "warmup_years (2.0) must be shorter than years (1.5)"]),
    "unknown-base": ('[levers]\n"prevention.budget_share" = [0.01]\n', ["base:", "unknown scenario", "klas"]),
    "bad-baseline": ('baseline = "nope"\n[levers]\n"prevention.budget_share" = [0.01, 0.02]\n',
                     ["baseline: 'nope' is not a design point", "budget_share=0.01"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_experiment_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    body, expected = BAD_CASES[case]
    path = write(tmp_path, body)
    text = path.read_text(encoding="utf-8")
    if case == "unknown-kpi":
        text = text.replace('"waitlist_mean", "placements', '"wachtlijst", "placements')
    if case == "warmup-too-long":
        text = text.replace("warmup_years = 0.5", "warmup_years = 2.0")
    if case == "unknown-base":
        text = text.replace('base = "klas"', 'base = "klass"')
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    err = cli_error(["sweep", str(path), "--out", str(out), "--workers", "1"], capsys)
    assert str(path) in err, err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert not out.exists()


def test_zero_replications_and_bad_cli_options(tmp_path, capsys):
    path = write(tmp_path, '[levers]\n"prevention.budget_share" = [0.01]\n')
    out = tmp_path / "out"
    err = cli_error(["sweep", str(path), "--out", str(out), "--replications", "0"], capsys)
    assert "replications" in err and "greater than or equal to 1" in err
    err = cli_error(["sweep", str(path), "--out", str(out), "--scheduler", "tcp://127.0.0.1:8786"], capsys)
    assert "--scheduler needs --executor dask" in err
    err = cli_error(["sweep", str(path), "--out", str(out), "--executor", "slurm"], capsys)
    assert "allowed: local, dask" in err
    err = cli_error(["sweep", str(path), "--out", str(out), "--workers", "0"], capsys)
    assert "--workers" in err
    err = cli_error(["sweep", "no-such-experiment", "--out", str(out)], capsys)
    assert "unknown experiment" in err and "beleidsvergelijking" in err
    assert not out.exists()


def test_output_folder_of_another_experiment_or_other_files_is_refused(tmp_path, capsys):
    first = write(tmp_path, '[levers]\n"prevention.budget_share" = [0.01]\n', name="first", reps=1)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", str(first), "--out", str(out), "--workers", "1", "--quiet"])
    assert exc.value.code == 0
    capsys.readouterr()
    before = sorted((p.name, p.stat().st_mtime_ns) for p in out.rglob("*"))
    second = write(tmp_path, '[levers]\n"prevention.budget_share" = [0.01]\n', name="first", seed=2, reps=1)
    err = cli_error(["sweep", str(second), "--out", str(out), "--workers", "1"], capsys)
    assert "different experiment" in err and str(out) in err
    assert sorted((p.name, p.stat().st_mtime_ns) for p in out.rglob("*")) == before  # untouched
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    err = cli_error(["sweep", str(first), "--out", str(other), "--workers", "1"], capsys)
    assert "holds no sweep results" in err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_python_api_raises_experiment_error_with_one_line(tmp_path):
    path = write(tmp_path, '[levers]\n"coordination.quue" = ["central"]\n')
    with pytest.raises(ExperimentError) as exc:
        Experiment.from_toml(path)
    assert "\n" not in str(exc.value) and "levers.coordination.quue" in str(exc.value)


def test_dask_executor_without_dask_installed_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # import distributed → ImportError
    path = write(tmp_path, '[levers]\n"prevention.budget_share" = [0.01]\n')
    out = tmp_path / "out"
    err = cli_error(["sweep", str(path), "--out", str(out), "--executor", "dask"], capsys)
    assert "--executor dask needs dask[distributed]" in err and "uv sync --extra dask" in err
    assert not out.exists()
