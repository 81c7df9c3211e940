"""Sweep benchmarks: throughput (runs/min, parallel efficiency) and memory vs number of runs.

    uv run python benchmarks/sweep_bench.py throughput            # beleidsvergelijking, cut down
    uv run python benchmarks/sweep_bench.py memory                # tiny klas sweeps: 100 vs 1,000 runs
    uv run python benchmarks/sweep_bench.py all --json out.json   # both
    uv run python benchmarks/sweep_bench.py throughput --years 4 --repeats 3   # runs of ~1 s, median of 3

Throughput runs the same cut-down ``beleidsvergelijking`` (by default 2 of its 5 variants, so
2 × 3 × 3 = 18 design points, 1 replication, 3 years of which 1 warm-up) serially and with
``--workers`` processes, each into a fresh folder, and reports runs per minute and the parallel
efficiency T_serial / (workers × T_parallel), wall clock including the pool's start-up.

Memory runs a tiny klas experiment (0.3 years) with 100 and with 1,000 runs, each in a fresh
Python process, and reports the peak resident memory (ru_maxrss) of the sweep process and of its
largest worker. See docs/performance-sweeps.md for results.

Where the environment sets PYTHONDONTWRITEBYTECODE (this sandbox does), the script re-runs itself
with a bytecode cache outside the repository (PYTHONPYCACHEPREFIX), as run_benchmarks.py does:
otherwise every spawned worker compiles numpy, pandas, Mesa and the model from source (about 3 s
of CPU each), which no normal installation does. ``--cold`` measures the environment as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmarks import child_env  # noqa: E402

TINY = """
name = "tiny-memory"
base = "klas"
master_seed = 1
replications = {reps}
years = 0.3
warmup_years = 0.1
kpis = ["waitlist_mean", "placements_per_year", "cost_per_year_eur"]
series = true

[levers]
"prevention.budget_share" = [0.00, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09]
"""


def _cut_beleidsvergelijking(variants: int, replications: int, years: float, warmup: float) -> Any:
    from zorgnetwerk_sim.runner import Experiment
    from zorgnetwerk_sim.runner.experiment import resolve_experiment

    path = resolve_experiment("beleidsvergelijking")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["variants"] = data["variants"][:variants]
    data.update(replications=replications, years=years, warmup_years=warmup)
    data.pop("baseline", None)
    return Experiment.from_dict(data, str(path), path.parent)


def _cpu() -> float:
    """CPU seconds of this process plus its waited-for children (the pool's workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def throughput(workers: int, variants: int, replications: int, years: float, warmup: float) -> dict[str, Any]:
    from zorgnetwerk_sim.runner import run_sweep

    exp = _cut_beleidsvergelijking(variants, replications, years, warmup)
    out: dict[str, Any] = {"experiment": repr(exp), "runs": exp.n_runs, "years": years, "warmup_years": warmup}
    frames = {}
    for label, n in (("serial", 1), ("parallel", workers)):
        with tempfile.TemporaryDirectory(prefix="zorgsim-bench-") as folder:
            cpu0 = _cpu()
            load0 = os.getloadavg()[0]
            started = time.perf_counter()
            result = run_sweep(exp, folder, workers=n)
            wall = time.perf_counter() - started
            cpu = _cpu() - cpu0  # this process and its (finished) workers, start-up included
            df = result.runs()
        frames[label] = df
        out[label] = {"workers": n, "wall_s": round(wall, 2), "runs_per_min": round(exp.n_runs / wall * 60, 1),
                      "run_s_mean": round(float(df["elapsed_s"].mean()), 3),
                      "run_s_sum": round(float(df["elapsed_s"].sum()), 1),
                      "run_cpu_s_sum": round(float(df["cpu_s"].sum()), 1),
                      # share of the workers' wall time spent computing runs (1.0: no idle, no waiting)
                      "busy_share": round(float(df["cpu_s"].sum()) / (n * wall), 3),
                      "cpu_total_s": round(cpu, 1), "load_before": round(load0, 2),
                      "load_after": round(os.getloadavg()[0], 2)}
        print(f"{label:8s} {n} worker(s): {wall:7.1f} s  {exp.n_runs / wall * 60:6.1f} runs/min  "
              f"mean run {df['elapsed_s'].mean():.2f} s wall, {df['cpu_s'].mean():.2f} s CPU · "
              f"workers busy {out[label]['busy_share']:.0%} · load {os.getloadavg()[0]:.1f}", flush=True)
    speedup = out["serial"]["wall_s"] / out["parallel"]["wall_s"]
    out["speedup"] = round(speedup, 2)
    out["efficiency"] = round(speedup / workers, 3)
    # What parallelism costs in CPU (spawn-and-import of the workers, pickling, IPC): on an otherwise
    # idle machine with `workers` cores the wall-clock efficiency cannot exceed this.
    out["cpu_efficiency"] = round(out["serial"]["cpu_total_s"] / out["parallel"]["cpu_total_s"], 3)
    cols = [c for c in frames["serial"].columns if c not in ("elapsed_s", "cpu_s")]
    same = frames["serial"][cols].sort_values("run_id").reset_index(drop=True).equals(
        frames["parallel"][cols].sort_values("run_id").reset_index(drop=True))
    out["identical_results"] = bool(same)
    print(f"speed-up {speedup:.2f} on {workers} workers: parallel efficiency {speedup / workers:.0%} (wall clock); "
          f"CPU serial {out['serial']['cpu_total_s']} s vs parallel {out['parallel']['cpu_total_s']} s: "
          f"CPU efficiency {out['cpu_efficiency']:.0%}; identical results: {same}", flush=True)
    return out


def memory_child(runs: int, workers: int) -> dict[str, Any]:
    """One sweep in this (fresh) process; peak memory of this process and of its largest worker."""
    from zorgnetwerk_sim.runner import Experiment, run_sweep

    with tempfile.TemporaryDirectory(prefix="zorgsim-mem-") as folder:
        path = Path(folder) / "tiny.toml"
        path.write_text(TINY.format(reps=runs // 10), encoding="utf-8")
        exp = Experiment.from_toml(path)
        baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        result = run_sweep(exp, Path(folder) / "out", workers=workers)
        wall = time.perf_counter() - started
        peak_sweep = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        df = result.runs()
        series = result.series()
        read_s = time.perf_counter() - started
        files = sum(1 for _ in (Path(folder) / "out").rglob("*.parquet"))
        disk = sum(p.stat().st_size for p in (Path(folder) / "out").rglob("*.parquet"))
    peak_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"runs": len(df), "series_rows": 0 if series is None else len(series), "workers": workers,
            "wall_s": round(wall, 1), "read_s": round(read_s, 2), "files": files, "disk_kib": round(disk / 1024),
            "sweep_process_before_kib": baseline_kib, "sweep_process_peak_kib": peak_sweep,
            "after_reading_dataset_kib": peak_read, "largest_worker_peak_kib": peak_child}


def memory(sizes: list[int], workers: int) -> list[dict[str, Any]]:
    rows = []
    for runs in sizes:
        cmd = [sys.executable, __file__, "memory-child", "--runs", str(runs), "--workers", str(workers)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['runs']:6d} runs: {row['wall_s']:6.1f} s · sweep process peak "
              f"{row['sweep_process_peak_kib'] / 1024:6.1f} MiB (before the sweep "
              f"{row['sweep_process_before_kib'] / 1024:.1f} MiB; after reading the dataset "
              f"{row['after_reading_dataset_kib'] / 1024:.1f} MiB in {row['read_s']} s) · largest worker "
              f"{row['largest_worker_peak_kib'] / 1024:6.1f} MiB · {row['files']} files, "
              f"{row['disk_kib']} KiB", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["throughput", "memory", "all", "memory-child"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", type=int, default=2, help="beleidsvergelijking variants to keep (of 5)")
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--warmup-years", type=float, default=1.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="memory: runs per sweep")
    parser.add_argument("--runs", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--repeats", type=int, default=1, help="throughput: repeat serial+parallel, report the median")
    parser.add_argument("--cold", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE as it is (every worker compiles every import from source)")
    args = parser.parse_args()
    if not args.cold and os.environ.get("PYTHONDONTWRITEBYTECODE") and args.what != "memory-child":
        # Like run_benchmarks.py (same environment and cache): measure an installation that caches
        # bytecode, as a normal one does; spawned workers inherit the setting.
        env = child_env(cold=False)
        subprocess.run([sys.executable, "-c", "import zorgnetwerk_sim.cli, zorgnetwerk_sim.runner.sweep"],
                       env=env, check=True)  # warm the cache once, outside any measurement
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    if args.what == "memory-child":
        print(json.dumps(memory_child(args.runs, args.workers)))
        return
    report: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                              "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    if args.what in ("throughput", "all"):
        repeats = [throughput(args.workers, args.variants, args.replications, args.years, args.warmup_years)
                   for _ in range(max(1, args.repeats))]
        ranked = sorted(repeats, key=lambda r: r["efficiency"])
        report["throughput"] = ranked[len(ranked) // 2]  # the median repeat by efficiency
        report["throughput_repeats"] = repeats
        if len(repeats) > 1:
            print("efficiency per repeat: " + ", ".join(f"{r['efficiency']:.0%}" for r in repeats)
                  + f"; median {report['throughput']['efficiency']:.0%}", flush=True)
    if args.what in ("memory", "all"):
        report["memory"] = memory(args.sizes, args.workers)
    report["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
