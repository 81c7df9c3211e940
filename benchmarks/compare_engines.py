"""This engine against another commit's, by the whole command, alternating, in one session.

    uv run python benchmarks/compare_engines.py --ref 00719ec --scenarios klas,default,nederland \\
        --repeats 3 --nederland-repeats 1 --json benchmarks/results/engines.json
    uv run python benchmarks/compare_engines.py --ref 00719ec --scenarios nederland --args "--workers 2"

Each measurement is ``zorgsim run SCENARIO -q --out TMP`` in a fresh process (start-up, imports,
validation, warm start and writing the outputs included), timed on its own with ``os.wait4``
(wall, CPU, peak RSS), after one untimed short run per engine that fills its bytecode cache
(as a normal installation has it). Runs alternate between the engines — this one first in even repeats, the
other first in odd ones — so that a drift in the machine's speed falls on both alike. ``--args``
adds options to this engine's command only (``--workers 2``). Prints a Markdown table with the
median and range per engine and the ratio of the medians (other / this: how many times faster
this engine is). The other commit's checkout and environment are prepared by ``engines.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import label, zorgsim_of  # noqa: E402
from run_benchmarks import child_env, run_child  # noqa: E402


def measure(engine: tuple[list[str], list[str]], scenario: str, years: float | None,
            env: dict[str, str]) -> dict[str, float]:
    """One run of ``zorgsim run`` of an engine (its command, its extra options)."""
    cmd, extra = engine
    out = Path(tempfile.mkdtemp(prefix="zorgsim-engines-"))
    try:
        full = [*cmd, "run", scenario, "-q", "--out", str(out / "run"), *extra]
        if years is not None:
            full += ["--years", f"{years:g}"]
        m = run_child(full, env, timeout=1800)
        m.pop("stdout")
        return m
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ref", default="00719ec", help="the other engine's commit (default: 00719ec)")
    p.add_argument("--scenarios", default="klas,default,nederland")
    p.add_argument("--years", type=float, default=None, help="simulated years (default: the scenario's)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--nederland-repeats", type=int, default=1)
    p.add_argument("--args", default="", help="extra options for this engine's `zorgsim run` (e.g. '--workers 2')")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    env = child_env(cold=False)
    engines = {"this": (zorgsim_of(None), shlex.split(args.args)), "ref": (zorgsim_of(args.ref), [])}
    names = {"this": label(None) + (f" {args.args}" if args.args else ""), "ref": label(args.ref)}
    for engine in engines.values():  # untimed: fills each engine's bytecode cache
        measure(engine, "klas", 1.1, env)
    started = datetime.now(timezone.utc)
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    for scenario in args.scenarios.split(","):
        repeats = args.nederland_repeats if scenario == "nederland" else args.repeats
        results[scenario] = {"this": [], "ref": []}
        for r in range(repeats):
            order = ("this", "ref") if r % 2 == 0 else ("ref", "this")
            for engine in order:
                m = measure(engines[engine], scenario, args.years, env)
                results[scenario][engine].append(m)
                print(f"{scenario} {engine}: {m['wall_s']:.2f} s, {m['maxrss_mb']:.0f} MB", file=sys.stderr)
    load = os.getloadavg()
    lines = [f"{started:%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores, load average at the end {load[0]:.2f}; this engine: {names['this']}; "
             f"other: {names['ref']}.", "",
             "| scenario | engine | wall s (median; runs) | CPU s | peak RSS | other / this |",
             "|---|---|---|---:|---:|---:|"]
    for scenario, by in results.items():
        med = {e: statistics.median(m["wall_s"] for m in by[e]) for e in by}
        for engine in ("this", "ref"):
            runs = ", ".join(f"{m['wall_s']:.2f}" for m in by[engine])
            cpu = statistics.median(m["cpu_s"] for m in by[engine])
            rss = max(m["maxrss_mb"] for m in by[engine])
            ratio = f"**{med['ref'] / med['this']:.2f}×**" if engine == "this" else ""
            lines.append(f"| {scenario} | {names[engine]} | {med[engine]:.2f} ({runs}) | {cpu:.2f} | "
                         f"{rss:.0f} MB | {ratio} |")
    print("\n".join(lines))
    if args.json is not None:
        tmp = args.json.with_suffix(".tmp")
        tmp.write_text(json.dumps({"started": started.isoformat(), "engines": names, "ref": args.ref,
                                   "load_end": load, "results": results, "time": time.time()}, indent=1))
        tmp.replace(args.json)


if __name__ == "__main__":
    main()
