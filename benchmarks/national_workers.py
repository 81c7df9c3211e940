"""Wall time and peak memory of ``zorgsim run SCENARIO --workers N`` for several N, alternating.

    uv run python benchmarks/national_workers.py                       # nederland, workers 1 and 2, 3 rounds
    uv run python benchmarks/national_workers.py --workers 1,2,4 --rounds 2 --years 2

Each run is the whole command in a fresh subprocess (start-up, spawning the workers and writing
the outputs included); the rounds alternate the worker counts so that a change in the machine's
load hits all of them alike. Prints the load average before and after, each run's wall time and
peak RSS (of the largest process: ``RUSAGE_CHILDREN``), the medians, and whether every run wrote
the same files as the first. Measure only on an idle machine.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = ("summary.json", "timeseries.parquet", "scenario.toml")


def one_run(scenario: str, workers: int, out: Path, years: float | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command in a fresh child (a fresh child per run, so
    RUSAGE_CHILDREN's maximum is this run's)."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "zorgnetwerk_sim.cli", "run", scenario, "-q",
           "--workers", str(workers), "--out", str(out)]
    if years is not None:  # a short run: a quarter of it warm-up
        cmd += ["--years", str(years), "--warmup-years", str(min(1.0, years / 4))]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[4:])}: {done.stderr.strip()[-500:]}")
    wall, rss = done.stdout.split()
    return float(wall), float(rss)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", default="nederland")
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--years", type=float, default=None)
    args = p.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    print(f"load average before: {os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    times: dict[int, list[float]] = {w: [] for w in counts}
    peaks: dict[int, list[float]] = {w: [] for w in counts}
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        first: Path | None = None
        for r in range(args.rounds):
            for w in counts:
                out = Path(tmp) / f"r{r}-w{w}"
                wall, rss = one_run(args.scenario, w, out, args.years)
                times[w].append(wall)
                peaks[w].append(rss)
                print(f"round {r + 1} workers {w}: {wall:.1f} s, peak RSS {rss:.0f} MB", flush=True)
                if first is None:
                    first = out
                else:
                    same &= all(filecmp.cmp(first / f, out / f, shallow=False) for f in FILES)
    print(f"load average after: {os.getloadavg()}")
    for w in counts:
        print(f"workers {w}: median {statistics.median(times[w]):.1f} s ({', '.join(f'{t:.1f}' for t in times[w])}), "
              f"peak RSS {max(peaks[w]):.0f} MB")
    print("identical outputs for every run:", same)


if __name__ == "__main__":
    main()
