"""Batch experiments: parameter sweeps, replications and scenario comparison.

    from zorgnetwerk_sim.runner import Experiment, compare
    exp = Experiment.load("solidariteit", replications=4)
    runs = exp.run(workers=2, out="results/solidariteit")   # one row per run; resumes a stopped sweep
    table = compare(runs, baseline=exp.baseline)              # mean, 95% CI, paired Δ and p per KPI

The command line does the same: ``zorgsim sweep EXPERIMENT`` and ``zorgsim compare RESULTS``
(docs/experiments.md).
"""

from .compare import compare, write_report
from .experiment import (Experiment, ExperimentError, available_experiments, experiments_dir,
                         resolve_experiment)
from .seeds import replication_seed
from .sweep import Sweep, SweepError, SweepResult, load_runs, run_sweep

__all__ = ["Experiment", "ExperimentError", "Sweep", "SweepError", "SweepResult", "available_experiments",
           "compare", "experiments_dir", "load_runs", "replication_seed", "resolve_experiment", "run_sweep",
           "write_report"]
