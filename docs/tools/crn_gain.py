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
import os
from typing import Any

from policy_table import paired, run_all, series

VARIANTS: dict[str, tuple[str, str, dict[str, Any], float]] = {
    "centrale-wachtlijst": ("default", "centrale-wachtlijst", {}, 6.0),
    "vertrouwen": ("default", "vertrouwen", {}, 6.0),
    "functioneel": ("default", "functioneel", {}, 6.0),
    "ondernemend": ("default", "ondernemend", {}, 6.0),
    "klas, central list": ("klas", "klas", {"levers.coordination.queue": "central"}, 4.0),
}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modes", default="single,per_trajectory", help="values of run.random_streams, comma-separated")
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    modes = args.modes.split(",")
    runs = {}
    for mode in modes:
        for name, (base, variant, overrides, years) in VARIANTS.items():
            common = {"run.random_streams": mode, "run.years": years}
            runs[f"{name}|{mode}|base"] = (base, common)
            runs[f"{name}|{mode}|variant"] = (variant, {**common, **overrides})
    results = run_all(runs, args.seeds, args.workers)
    print(f"seeds 1–{args.seeds}; standard error of the paired difference from the base scenario")
    print("| variant | random_streams | Δ wait (wk) | SE | Δ cost (M€) | SE |")
    print("|---|---|---:|---:|---:|---:|")
    for mode in modes:
        for name in VARIANTS:
            cells = []
            for kpi, scale in (("wait_weeks_mean", 1.0), ("cost_per_year_eur", 1e-6)):
                mean, se = paired(series(results, f"{name}|{mode}|base", kpi),
                                  series(results, f"{name}|{mode}|variant", kpi))
                cells.append(f"{mean * scale:+.2f} | {se * scale:.2f}")
            print(f"| {name} | {mode} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
