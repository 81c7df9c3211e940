"""What the event log costs (issue 12): the same run with and without ``--event-log``.

    uv run python benchmarks/eventlog_overhead.py default --repeats 3
    nice uv run python benchmarks/eventlog_overhead.py nederland --repeats 1

Each measurement is a fresh ``zorgsim run SCENARIO -q --out TMP [--event-log]`` subprocess (so
writing ``events.parquet`` is included), the two variants alternating. Reported per variant: the
median wall time, CPU time (user + sys of that child alone, from ``os.wait4``; steadier than wall
time on a shared machine) and peak RSS, plus the number of events and the size of the log. The
overhead is with/without − 1, of the medians. No assertions: machines are noisy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run_benchmarks import child_env, machine, run_child, warm_up, zorgsim_cmd  # noqa: E402


def one(scenario: str, with_log: bool, env: dict[str, str], years: float | None) -> dict[str, float]:
    import pyarrow.parquet as pq

    out = Path(tempfile.mkdtemp(prefix="zorgsim-eventlog-"))
    try:
        cmd = [*zorgsim_cmd(), "run", scenario, "-q", "--out", str(out)]
        if years is not None:
            cmd += ["--years", f"{years:g}"]
        if with_log:
            cmd.append("--event-log")
        m = run_child(cmd, env)
        m.pop("stdout")
        if with_log:
            m["events"] = pq.ParquetFile(out / "events.parquet").metadata.num_rows
            m["log_mb"] = (out / "events.parquet").stat().st_size / 2**20
        return m
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--years", type=float, default=None)
    args = parser.parse_args(argv)
    env = child_env(cold=False)
    info = machine()
    warm_up(env)
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for _ in range(args.repeats):
        for with_log in (False, True):
            runs[with_log].append(one(args.scenario, with_log, env, args.years))
            print(f"{'with' if with_log else 'without'} log: {runs[with_log][-1]}", file=sys.stderr, flush=True)
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("wall_s", "cpu_s", "maxrss_mb")}
           for k, v in runs.items()}
    print(f"{args.scenario}, {args.years or 'scenario'} years, {args.repeats} repeat(s); commit {info.get('commit')}, "
          f"{info.get('date')}, {info.get('cpu')}, {info.get('cores')} cores, load at start {info['loadavg_start']}")
    print("| | wall s (median) | CPU s (median) | peak RSS MB | events | log MB |")
    print("|---|--:|--:|--:|--:|--:|")
    for with_log in (False, True):
        m, r = med[with_log], runs[with_log][0]
        print(f"| {'with' if with_log else 'without'} `--event-log` | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | "
              f"{m['maxrss_mb']:.0f} | {r.get('events', 0):,} | {r.get('log_mb', 0):.1f} |")
    print(f"overhead: wall {med[True]['wall_s'] / med[False]['wall_s'] - 1:+.1%}, "
          f"CPU {med[True]['cpu_s'] / med[False]['cpu_s'] - 1:+.1%}; walls without "
          f"{[round(r['wall_s'], 2) for r in runs[False]]}, with {[round(r['wall_s'], 2) for r in runs[True]]}; "
          f"CPU without {[round(r['cpu_s'], 2) for r in runs[False]]}, with {[round(r['cpu_s'], 2) for r in runs[True]]}")


if __name__ == "__main__":
    main()
