"""cProfile the command line and print the top functions as Markdown tables.

    uv run python benchmarks/profile_runs.py default --years 10
    uv run python benchmarks/profile_runs.py nederland --years 2 --top 25 --keep /tmp/nederland.prof

Runs ``python -m cProfile -o <file> -m zorgnetwerk_sim.cli run <scenario> -q`` in a subprocess
(the same bytecode-cache environment as run_benchmarks.py) and prints the top functions by
cumulative and by own (tottime) time. cProfile adds a roughly constant cost per Python call, so
it inflates call-heavy code (2-3× here): read the shares, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmarks import REPO, child_env  # noqa: E402


def short(path: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python3.12/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


#: Wrappers around the run (command line, runpy, Mesa's step wrapper) that only repeat the total.
WRAPPERS = ("typer/", "runpy", "<string>", "cli.py", "api.py", "mesa/model.py:20", "mesa/model.py:23",
            "mesa/time/", "builtins.exec", "<frozen", "builtins.__import__", "(<module>)", "<module>")


def table(stats: pstats.Stats, key: str, top: int, total: float) -> str:
    stats.sort_stats(key)
    rows = ["| function | calls | tottime s | cumtime s | cum % |", "|---|---:|---:|---:|---:|"]
    shown = 0
    for func in stats.fcn_list:  # type: ignore[attr-defined]
        cc, nc, tt, ct, _ = stats.stats[func]  # type: ignore[attr-defined]
        file, line, name = func
        where = f"{file}:{line} {name}"
        if key == "cumulative" and any(w in where for w in WRAPPERS):  # (imports: see start-up)
            continue
        shown += 1
        if shown > top:
            break
        label = f"`{short(file)}:{line}({name})`" if file != "~" else f"`{name}`"
        rows.append(f"| {label} | {nc:,} | {tt:.2f} | {ct:.2f} | {100 * ct / total:.0f}% |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("--years", type=float, default=None)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--keep", type=Path, default=None, help="keep the .prof file here")
    p.add_argument("--from-prof", type=Path, default=None, help="only print the tables of an existing .prof file")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="zorgsim-prof-"))
    prof = args.from_prof or args.keep or work / "run.prof"
    try:
        cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "zorgnetwerk_sim.cli", "run",
               args.scenario, "-q", "--out", str(work / "out")]
        if args.years is not None:
            cmd += ["--years", f"{args.years:g}"]
        if args.from_prof is None:
            subprocess.run(cmd, check=True, env=child_env(cold=False), cwd=REPO)
        stats = pstats.Stats(str(prof))
        total = stats.total_tt  # type: ignore[attr-defined]
        years = f"{args.years:g} years" if args.years else "scenario years"
        print(f"### cProfile: `{args.scenario}`, {years} (total {total:.1f} s under the profiler)\n")
        print(f"Top {args.top} by cumulative time:\n")
        print(table(stats, "cumulative", args.top, total))
        print(f"\nTop {args.top} by own time (tottime):\n")
        print(table(stats, "tottime", args.top, total))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
