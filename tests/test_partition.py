"""A scenario in independent parts (partition.py): the partition, the merge, and the same bytes for any --workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import assert_one_error_line, cli  # noqa: F401 - the fixture
from zorgnetwerk_sim import Simulation, run
from zorgnetwerk_sim.api import run_scenario
from zorgnetwerk_sim.metrics import summarize_years
from zorgnetwerk_sim.model import ZorgnetwerkModel
from zorgnetwerk_sim.partition import PartsModel, part_seed, partition, sub_scenario
from zorgnetwerk_sim.scenario import load_scenario

#: Three small regions and two expertise networks; the first and the last region share one, so
#: the parts' gemeenten interleave in the scenario's order (part 0: Noord and Zuid, part 1: Midden).
TRIO = """
name = "trio"
seed = 11

[run]
years = 0.6
warmup_years = 0.1

[[network.expertteams]]
name = "Net Een"
hours_per_week = 6

[[network.expertteams]]
name = "Net Twee"

[[network.regions]]
name = "Noord"
expertteam = "Net Een"
n_generated_aanbieders = 4
gemeenten = [{ name = "Noordstad", inhabitants = 30000 }, { name = "Noorddorp", inhabitants = 8000 }]

[[network.regions]]
name = "Midden"
expertteam = "Net Twee"
n_generated_aanbieders = 4
gemeenten = [{ name = "Middenstad", inhabitants = 25000 }, { name = "Middendorp", inhabitants = 9000 }]

[[network.regions]]
name = "Zuid"
expertteam = "Net Een"
n_generated_aanbieders = 4
gemeenten = [{ name = "Zuidstad", inhabitants = 20000 }, { name = "Zuiddorp", inhabitants = 7000 }]
"""


@pytest.fixture
def trio(tmp_path):
    path = tmp_path / "trio.toml"
    path.write_text(TRIO, encoding="utf-8")
    return path


def test_partition_of_the_shipped_scenarios():
    national = partition(load_scenario("nederland"))
    assert len(national) == 8
    assert sorted(i for part in national for i in part) == list(range(42))  # every region once
    assert partition(load_scenario("default")) == [[0, 1]]  # two regions that name no expertteam: one part
    assert partition(load_scenario("klas")) == [[0]]


def test_partition_and_sub_scenarios_of_trio(trio):
    spec = load_scenario(trio)
    parts = partition(spec)
    assert parts == [[0, 2], [1]]
    subs = [sub_scenario(spec, p, k) for k, p in enumerate(parts)]
    assert [r.name for r in subs[0].network.regions] == ["Noord", "Zuid"]
    assert [t.name for t in subs[0].network.expertteams] == ["Net Een"]
    assert [t.name for t in subs[1].network.expertteams] == ["Net Twee"]
    assert [s.seed for s in subs] == [part_seed(11, 0), part_seed(11, 1)]
    assert len({part_seed(11, 0), part_seed(11, 1), part_seed(12, 0)}) == 3
    assert all(0 <= part_seed(2**63 - 1, k) <= 2**63 - 1 for k in range(3))


def test_single_part_scenarios_run_one_model(short):
    sim = Simulation("klas", overrides=short)
    assert isinstance(sim.model, ZorgnetwerkModel)
    assert isinstance(Simulation("default", overrides=short).model, ZorgnetwerkModel)


def _part_runs(spec):
    """Each part run on its own as a plain model (what the merge must reproduce)."""
    out = []
    for k, part in enumerate(partition(spec)):
        sim = Simulation(sub_scenario(spec, part, k))
        out.append((sim.run(), sim.model))
    return out


def test_merged_run_equals_its_parts(trio):
    spec = load_scenario(trio, {"run.event_log": True})
    merged = run(spec)
    parts = _part_runs(spec)
    # additive KPIs: the sum over parts
    for kpi in ("new_needs_per_year", "placements_per_year", "cost_per_year_eur", "youth_population",
                "waitlist_mean", "expertteam_cases_per_year"):
        assert merged.summary[kpi] == pytest.approx(sum(r.summary[kpi] for r, _ in parts), rel=1e-12), kpi
    assert merged.summary["new_needs_per_year"] > 0
    # a quantile from the merged histogram, not a mean of the parts' quantiles
    hist = sum(m.recorder.wait_hist.sum(axis=(0, 1)) for _, m in parts)
    assert hist.sum() > 0
    p90 = float(np.searchsorted(np.cumsum(hist), 0.9 * hist.sum(), side="left"))
    assert merged.summary["wait_weeks_p90"] == p90
    # expertteams short of time: weekly, the share of both teams (one per part)
    w0, w1 = spec.warmup_weeks, spec.weeks
    short = sum(m.recorder.team_short[w0:w1] * len(m.expertteams) for _, m in parts) / 2
    assert merged.summary["expertteam_short_of_time_share"] == pytest.approx(short.mean(), abs=1e-15)
    # the time series: week-major, gemeenten in the scenario's order, each row its part's own
    ts = merged.timeseries
    names = ["Noordstad", "Noorddorp", "Middenstad", "Middendorp", "Zuidstad", "Zuiddorp"]
    assert len(ts) == spec.weeks * 6
    assert list(ts["gemeente"].astype(str)[:6]) == names
    assert list(ts["week"][:12]) == [0] * 6 + [1] * 6
    for result, _ in parts:
        own = result.timeseries
        mine = ts[ts["gemeente"].astype(str).isin(set(own["gemeente"].astype(str)))].reset_index(drop=True)
        for col in own.columns:
            if col in ("gemeente", "region", "size_class"):
                assert list(mine[col].astype(str)) == list(own[col].astype(str)), col
            else:
                np.testing.assert_array_equal(mine[col].to_numpy(), own[col].to_numpy(), err_msg=col)
    # the event log: the parts' events one after another, ids unique
    ev = merged.events
    assert len(ev) == sum(len(r.events) for r, _ in parts)
    assert list(ev["event_id"]) == list(range(len(ev)))
    seen_cases: set[int] = set()
    seen_traj: set[int] = set()
    start = 0
    for r, _ in parts:
        own = r.events
        chunk = ev.iloc[start:start + len(own)]
        start += len(own)
        assert list(chunk["activity"].astype(str)) == list(own["activity"].astype(str))
        assert list(chunk["gemeente"].astype(str)) == list(own["gemeente"].astype(str))
        # the same cases and trajectories, renumbered by a shift
        assert (chunk["case_id"].to_numpy() - own["case_id"].to_numpy()).std() == 0
        cases, trajs = set(chunk["case_id"]), set(chunk["trajectory_id"])
        assert len(cases) == own["case_id"].nunique() and len(trajs) == own["trajectory_id"].nunique()
        assert not cases & seen_cases and not trajs & seen_traj
        seen_cases |= cases
        seen_traj |= trajs


def test_simulation_steps_all_parts_like_run(trio):
    spec = load_scenario(trio, {"run.event_log": True})
    by_run = run(spec)
    sim = Simulation(spec)
    assert isinstance(sim.model, PartsModel)
    sim.step(7)
    assert sim.model.week == 7
    assert len(sim.model.recorder.timeseries()) == 7 * 6
    by_steps = sim.run()
    assert json.dumps(by_steps.summary, sort_keys=True) == json.dumps(by_run.summary, sort_keys=True)
    pd.testing.assert_frame_equal(by_steps.timeseries, by_run.timeseries)
    pd.testing.assert_frame_equal(by_steps.events, by_run.events)
    # what the sweeps and the validation read of the model
    years = summarize_years(sim.model.recorder)
    assert len(years) == 1 and years[0]["new_needs_per_year"] == pytest.approx(by_run.summary["new_needs_per_year"])
    assert [g.name for g in sim.model.gemeenten][:3] == ["Noordstad", "Noorddorp", "Middenstad"]
    assert [g.region.index for g in sim.model.gemeenten] == [0, 0, 1, 1, 2, 2]
    assert sim.model.n_entered - sim.model.n_left == sim.model.jongeren_active > 0


def test_parts_run_one_after_another_hold_one_model_at_a_time(trio, monkeypatch):
    """With one worker, a part's model is freed before the next part's is built (peak memory)."""
    import weakref

    import zorgnetwerk_sim.model as model_module

    built: list[weakref.ref] = []
    alive_at_start: list[int] = []
    real_init = model_module.ZorgnetwerkModel.__init__

    def init(self, *args, **kwargs):
        alive_at_start.append(sum(r() is not None for r in built))
        built.append(weakref.ref(self))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(model_module.ZorgnetwerkModel, "__init__", init)
    run_scenario(load_scenario(trio), 1)
    assert alive_at_start == [0, 0]


def _outputs(folder):
    return {name: (folder / name).read_bytes() for name in ("summary.json", "timeseries.parquet", "scenario.toml",
                                                             "events.parquet") if (folder / name).exists()}


def test_cli_workers_1_and_2_write_the_same_bytes(cli, trio, tmp_path):  # noqa: F811
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        code, _, err = cli("run", trio, "--workers", str(workers), "--event-log", "--out", out, "--quiet")
        assert code == 0, err
        outs.append(_outputs(out))
    assert set(outs[0]) == {"summary.json", "timeseries.parquet", "scenario.toml", "events.parquet"}
    assert outs[0] == outs[1]
    assert json.loads(outs[0]["summary.json"])["new_needs_per_year"] > 0


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_cli_rejects_bad_workers(cli, trio, tmp_path, value):  # noqa: F811
    code, out, err = cli("run", trio, "--workers", value, "--out", tmp_path / "x", "--quiet")
    assert_one_error_line(code, out, err)
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_national_workers_1_and_2_write_the_same_bytes(cli, tmp_path):  # noqa: F811
    """nederland for 6 weeks (8 parts): the same files with one and with two processes."""
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        code, _, err = cli("run", "nederland", "--years", "0.12", "--warmup-years", "0.04", "--workers", str(workers),
                           "--out", out, "--quiet")
        assert code == 0, err
        outs.append(_outputs(out))
    assert outs[0] == outs[1]
    ts = pd.read_parquet(tmp_path / "w1" / "timeseries.parquet")
    assert ts["gemeente"].nunique() == 342 and ts["region"].nunique() == 42
    spec = load_scenario("nederland")
    assert list(ts["gemeente"].astype(str)[:342]) == [g.name for r in spec.network.regions for g in r.gemeenten]



def test_an_unnamed_region_whose_own_team_others_name_joins_their_part(tmp_path):
    """A region without ``expertteam`` gets "Expertteam <region>"; when another region names that
    team, the model gives them one team, so they are one part."""
    text = (TRIO.replace('name = "Net Twee"', 'name = "Expertteam Midden"')
            .replace('expertteam = "Net Twee"\n', "")
            .replace('name = "Zuid"\nexpertteam = "Net Een"', 'name = "Zuid"\nexpertteam = "Expertteam Midden"'))
    path = tmp_path / "shared.toml"
    path.write_text(text, encoding="utf-8")
    spec = load_scenario(path)
    assert spec.network.regions[1].expertteam is None
    assert partition(spec) == [[0], [1, 2]]
    model = ZorgnetwerkModel(sub_scenario(spec, [1, 2], 1))
    assert [t.name for t in model.expertteams] == ["Expertteam Midden"]


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_ctrl_c_stops_the_workers(tmp_path):
    """Ctrl-C during ``zorgsim run nederland --workers 2``: exit 130, no traceback, no process left, no outputs."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "zorgnetwerk_sim.cli", "run", "nederland", "--workers", "2",
                             "--out", str(out), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True,
                            # a shell that starts the tests in the background ignores SIGINT, and children inherit it
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while len(_group(proc.pid)) < 3:  # the command and its two workers (and multiprocessing's tracker)
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    time.sleep(2.0)  # the workers are running their parts
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    deadline = time.monotonic() + 30
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group(proc.pid) == []
    assert not (out / "summary.json").exists()
