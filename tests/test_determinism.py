"""Reproducibility: a scenario and a seed fix the results, wherever and however the run happens."""

from __future__ import annotations

import math
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from zorgnetwerk_sim import Simulation, load_scenario, run

# Short klas, plus settings that reach the rarer paths (exits, re-tendering, doorplaatsingen,
# generated portfolios are not involved): their order of events must be reproducible too.
STRESS = {"levers.coordination.procurement_cycle_years": 1, "levers.coordination.procurement_churn_share": 0.5,
          "assumptions.cost_ratio": 2.0, "assumptions.exit_reserve_weeks": 0.0,
          "assumptions.initial_reserve_weeks": 0.0, "run.years": 60 / 52, "run.warmup_years": 0.25}


def assert_same_summary(a: dict[str, float], b: dict[str, float]) -> None:
    assert a.keys() == b.keys()
    different = {k: (a[k], b[k]) for k in a if not (a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])))}
    assert not different, different


def summaries_differ(a: dict[str, float], b: dict[str, float]) -> bool:
    return any(not (a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k]))) for k in a)


@pytest.mark.parametrize("extra", [{}, {"run.event_log": True}, STRESS], ids=["klas", "event-log", "stress"])
def test_same_scenario_and_seed_give_identical_results(short, extra):
    spec = load_scenario("klas", {**short, **extra}, seed=11)
    first, second = Simulation(spec).run(), Simulation(spec).run()
    assert_same_summary(first.summary, second.summary)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries, check_exact=True)
    if first.events is not None:
        pd.testing.assert_frame_equal(first.events, second.events, check_exact=True)


def test_loading_again_gives_the_same_run(short):
    """Nothing in the loaded Scenario or the module state carries over between runs."""
    a = run("klas", seed=5, overrides=short)
    run("klas", seed=6, overrides={**short, "levers.coordination.queue": "central"})  # something else between
    b = run("klas", seed=5, overrides=short)
    assert_same_summary(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)


def test_different_seeds_give_different_results(short):
    results = [run("klas", seed=seed, overrides=short) for seed in (1, 2, 3)]
    for i in range(len(results)):
        for j in range(i + 1, len(results)):
            assert summaries_differ(results[i].summary, results[j].summary), (i, j)
            assert not results[i].timeseries.equals(results[j].timeseries)


def test_seed_argument_equals_seed_in_scenario(short):
    by_argument = Simulation(load_scenario("klas", short), seed=21).run()
    by_scenario = Simulation(load_scenario("klas", {**short, "seed": 21})).run()
    assert by_argument.scenario.seed == by_scenario.scenario.seed == 21
    assert_same_summary(by_argument.summary, by_scenario.summary)


def test_stepping_week_by_week_equals_running_through(short):
    spec = load_scenario("klas", short, seed=4)
    through = Simulation(spec).run()
    stepped = Simulation(spec)
    while not stepped.done:
        stepped.step(1)
    in_chunks = Simulation(spec)
    for n in (1, 5, 13, 100):
        in_chunks.step(n)
    for other in (stepped.result(), in_chunks.result()):
        assert_same_summary(through.summary, other.summary)
        pd.testing.assert_frame_equal(through.timeseries, other.timeseries, check_exact=True)


def test_results_do_not_depend_on_global_random_state(short):
    spec = load_scenario("klas", {**short, **STRESS}, seed=9)
    random.seed(1)
    np.random.seed(1)
    first = Simulation(spec).run()
    random.seed(987654)
    np.random.seed(4242)
    random.random(), np.random.random(1000)  # move the global generators on
    second = Simulation(spec).run()
    assert_same_summary(first.summary, second.summary)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries, check_exact=True)


def test_model_does_not_draw_from_global_generators(short):
    """A run leaves Python's and numpy's global random state exactly where it was."""
    random.seed(3)
    np.random.seed(3)
    py_state, np_state = random.getstate(), np.random.get_state()
    run("klas", seed=2, overrides={**short, **STRESS})
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert after[0] == np_state[0] and (after[1] == np_state[1]).all() and after[2:] == np_state[2:]


def test_separate_process_gives_the_same_results(short):
    """A fresh interpreter (spawn: new hash seed, nothing shared) reproduces the run."""
    kwargs = {"seed": 13, "overrides": {**short, **STRESS}}
    here = run("klas", **kwargs)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = pool.submit(run, "klas", **kwargs).result(timeout=300)
    assert there.scenario == here.scenario
    assert_same_summary(here.summary, there.summary)
    pd.testing.assert_frame_equal(here.timeseries, there.timeseries, check_exact=True)
