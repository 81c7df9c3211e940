"""One random stream per kind of decision sharpens paired comparisons (common random numbers).

With a single stream, a policy that changes one decision (where a referral goes) shifts every
later draw of every other decision (care durations, escalations, outcomes), so two runs with
the same seed soon differ everywhere. With a stream per kind of decision they differ only where
the policy acts, and the paired difference between them is less noisy.
"""

from __future__ import annotations

import numpy as np
import pytest

from zorgnetwerk_sim import run

SEEDS = range(1, 9)
CENTRAL = {"levers.coordination.queue": "central"}


def paired_se(mode: str, kpi: str = "wait_weeks_mean") -> float:
    diffs = [run("klas", seed=s, years=4, overrides={"run.random_streams": mode, **CENTRAL}).summary[kpi]
             - run("klas", seed=s, years=4, overrides={"run.random_streams": mode}).summary[kpi] for s in SEEDS]
    return float(np.std(diffs, ddof=1) / np.sqrt(len(diffs)))


@pytest.mark.slow
def test_streams_per_decision_make_paired_differences_less_noisy():
    # measured 0.41 vs 0.50 weeks here, and 0.18 vs 0.28 for centrale-wachtlijst vs default
    # (docs/model.md §4.9); the gain is real but modest, so no margin is asserted
    assert paired_se("per_decision") < paired_se("single")


@pytest.mark.parametrize("mode", ["per_decision", "single"])
def test_both_stream_modes_are_deterministic(mode):
    a = run("klas", seed=5, years=2, overrides={"run.random_streams": mode}).summary
    b = run("klas", seed=5, years=2, overrides={"run.random_streams": mode}).summary
    assert a == b


def test_a_policy_leaves_the_stream_of_needs_unchanged():
    a = run("klas", seed=3, years=3).timeseries
    b = run("klas", seed=3, years=3, overrides=CENTRAL).timeseries
    # The same first needs arrive every week (arrivals have their own stream); returns and
    # relapses follow what happened, so they may differ.
    def first_needs(ts):
        return (ts.new_needs - ts.returns - ts.relapses).to_numpy()
    assert (first_needs(a) == first_needs(b)).all()
    assert (a.returns.to_numpy() != b.returns.to_numpy()).any()  # the policy did change something
