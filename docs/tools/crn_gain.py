"""Measure what common random numbers gain: the standard error of paired differences per mode.

    uv run python docs/tools/crn_gain.py                          # both modes, 8 seeds (~4 min on 2 cores)
    uv run python docs/tools/crn_gain.py --modes single --seeds 4

For each shipped variant (and ``klas`` with a central list) and each value of
``run.random_streams``, runs the variant and its base scenario with seeds 1..N and prints the
mean and the standard error of the paired differences in ``wait_weeks_mean`` and
``cost_per_year_eur`` (the table of docs/model.md §4.9).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from typing import Any

VARIANTS: dict[str, tuple[str, str, dict[str, Any], float]] = {
    "centrale-wachtlijst": ("default", "centrale-wachtlijst", {}, 6.0),
    "vertrouwen": ("default", "vertrouwen", {}, 6.0),
    "functioneel": ("default", "functioneel", {}, 6.0),
    "ondernemend": ("default", "ondernemend", {}, 6.0),
    "klas, central list": ("klas", "klas", {"levers.coordination.queue": "central"}, 4.0),
}


def one_run(task: tuple[str, int, dict[str, Any], float]) -> tuple[float, float]:
    from zorgnetwerk_sim import run

    scenario, seed, overrides, years = task
    summary = run(scenario, seed=seed, years=years, overrides=overrides).summary
    return float(summary["wait_weeks_mean"]), float(summary["cost_per_year_eur"])


def standard_error(values: list[float]) -> float:
    return statistics.stdev(values) / math.sqrt(len(values))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modes", default="single,per_trajectory", help="values of run.random_streams, comma-separated")
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    keys, tasks = [], []
    for mode in args.modes.split(","):
        for name, (base, variant, overrides, years) in VARIANTS.items():
            for seed in range(1, args.seeds + 1):
                keys.append((name, mode))
                tasks.append(((base, seed, {"run.random_streams": mode}, years),
                              (variant, seed, {"run.random_streams": mode, **overrides}, years)))
    flat = [t for pair in tasks for t in pair]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(one_run, flat, chunksize=2))
    diffs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for i, key in enumerate(keys):
        (wb, cb), (wv, cv) = results[2 * i], results[2 * i + 1]
        diffs.setdefault(key, []).append((wv - wb, (cv - cb) / 1e6))
    print(f"seeds 1–{args.seeds}; standard error of the paired difference from the base scenario")
    print("| variant | random_streams | Δ wait (wk) | SE | Δ cost (M€) | SE |")
    print("|---|---|---:|---:|---:|---:|")
    for (name, mode), d in diffs.items():
        w, c = [x[0] for x in d], [x[1] for x in d]
        print(f"| {name} | {mode} | {statistics.fmean(w):+.2f} | {standard_error(w):.2f} "
              f"| {statistics.fmean(c):+.2f} | {standard_error(c):.2f} |")


if __name__ == "__main__":
    main()
