"""Benchmarks for issue #5 (national scale): wall time, memory, throughput, scaling, flat memory.

    uv run python benchmarks/run_benchmarks.py                 # full: 3 repeats, nederland 10 years
    uv run python benchmarks/run_benchmarks.py --quick         # 1 repeat, nederland 2 years, short checks
    uv run python benchmarks/run_benchmarks.py --json out.json # also write every measurement as JSON

Every timed run is a fresh subprocess running the real command line (``zorgsim run <scenario>
-q --out <tmpdir>``), so interpreter start-up, imports, scenario validation, building the network,
the run and writing the results are all included. Peak memory is the child's ``ru_maxrss``
(from ``os.wait4``, so each run is measured on its own). Throughput is reported as

* youth-weeks per second: youth population × simulated weeks / wall time, and
* active-trajectory-weeks per second: Σ over weeks of the jongeren with an active trajectory
  (waiting_toegang + waiting_expertteam + waiting_list + in_care, from timeseries.parquet) /
  wall time.

Besides the three shipped scenarios it checks:

* start-up: ``python -c "import zorgnetwerk_sim.cli"`` on its own;
* linear scaling: ``default`` with every gemeente's inhabitants doubled (a temporary TOML)
  against ``default`` itself, same years and seed; target: at most 2 × run time (+15%);
* a 30-year ``default`` run through the Python API in a subprocess, sampling RSS, agents,
  pending calendar events and live Jongere objects once per simulated year
  (``benchmarks/memory_profile.py``); the profile must be flat;
* the naive plain-Mesa reference (``benchmarks/naive_reference.py``) against our model on
  the same scenario and horizon, both timed in-process in fresh subprocesses, and as full
  command-line-style wall time.

Bytecode cache: by default the children run with ``PYTHONDONTWRITEBYTECODE`` removed and
``PYTHONPYCACHEPREFIX`` pointing at a cache folder outside the repository, so imports use
cached bytecode as in any normal installation (without writing into the repo or the venv).
``--cold`` keeps the caller's environment instead (in this sandbox that means every import
is compiled from source: about 2 s more start-up).

Benchmarks run one after another, never in parallel. No assertions: machines are noisy; the
table says which targets are met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PYCACHE = Path(tempfile.gettempdir()) / "zorgsim-bench-pycache"

TARGETS = {
    "default_wall_s": 3.0,       # default, 10 years, from the command line
    "nederland_wall_s": 60.0,    # nederland, 10 years
    "nederland_rss_mb": 2048.0,  # nederland peak memory
    "scaling_ratio": 2.0 * 1.15,  # doubling the population at most doubles run time (+15%)
}
STOCK_COLUMNS = ("waiting_toegang", "waiting_expertteam", "waiting_list", "in_care")


# ------------------------------------------------------------------------------------------------
# running children
# ------------------------------------------------------------------------------------------------
def child_env(cold: bool) -> dict[str, str]:
    env = dict(os.environ)
    if not cold:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_child(cmd: list[str], env: dict[str, str], timeout: float = 900.0) -> dict[str, Any]:
    """Run ``cmd``; wall time, CPU time and peak RSS of that child alone (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=REPO)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024.0,
            "stdout": stdout}


def zorgsim_cmd() -> list[str]:
    script = Path(sys.executable).parent / "zorgsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "zorgnetwerk_sim.cli"]


def cli_run(scenario: str, env: dict[str, str], years: float | None = None) -> dict[str, Any]:
    """One command-line run; throughput from the files it wrote."""
    import pyarrow.parquet as pq

    out = Path(tempfile.mkdtemp(prefix="zorgsim-bench-"))
    try:
        cmd = [*zorgsim_cmd(), "run", scenario, "-q", "--out", str(out)]
        if years is not None:
            cmd += ["--years", f"{years:g}"]
        m = run_child(cmd, env)
        summary = json.loads((out / "summary.json").read_text())
        table = pq.read_table(out / "timeseries.parquet", columns=["week", *STOCK_COLUMNS])
        weeks = int(max(table.column("week").to_pylist())) + 1
        active = sum(int(sum(table.column(c).to_pylist())) for c in STOCK_COLUMNS)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    m.pop("stdout")
    youth = float(summary["youth_population"])
    m.update(youth=youth, weeks=weeks, active_weeks=active,
             youth_weeks_per_s=youth * weeks / m["wall_s"], active_weeks_per_s=active / m["wall_s"])
    return m


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("wall_s", "cpu_s", "maxrss_mb", "youth_weeks_per_s", "active_weeks_per_s")
    out = {k: statistics.median(r[k] for r in runs) for k in keys}
    out.update({k: runs[0][k] for k in ("youth", "weeks", "active_weeks")})
    out["walls"] = [round(r["wall_s"], 3) for r in runs]
    out["repeats"] = len(runs)
    return out


def warm_up(env: dict[str, str]) -> None:
    """Fill the bytecode cache (and the OS file cache) before anything is timed."""
    run_child([sys.executable, "-c", "import zorgnetwerk_sim.cli, pyarrow.parquet"], env)
    out = tempfile.mkdtemp(prefix="zorgsim-bench-")
    try:
        run_child([*zorgsim_cmd(), "run", "klas", "-q", "--years", "2", "--out", out], env)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# the checks
# ------------------------------------------------------------------------------------------------
def bench_startup(env: dict[str, str], repeats: int) -> dict[str, Any]:
    runs = [run_child([sys.executable, "-c", "import zorgnetwerk_sim.cli"], env) for _ in range(repeats)]
    return {"wall_s": statistics.median(r["wall_s"] for r in runs),
            "maxrss_mb": statistics.median(r["maxrss_mb"] for r in runs)}


def doubled_scenario(name: str, folder: Path, factor: int = 2) -> Path:
    """The scenario with every gemeente's inhabitants multiplied, as a temporary TOML file."""
    import tomli_w

    from zorgnetwerk_sim.scenario.loader import read_scenario_file, resolve_path

    raw = read_scenario_file(resolve_path(name))
    for region in raw["network"]["regions"]:
        for g in region["gemeenten"]:
            g["inhabitants"] = int(g["inhabitants"]) * factor
    raw["name"] = f"{name}-x{factor}"
    path = folder / f"{name}-x{factor}.toml"
    path.write_bytes(tomli_w.dumps(raw).encode())
    return path


def bench_scaling(env: dict[str, str], scenario: str, years: float | None, repeats: int,
                  startup_s: float) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="zorgsim-bench-scale-"))
    try:
        x2 = doubled_scenario(scenario, folder)
        base, big = [], []
        for _ in range(repeats):  # interleaved, so drifting machine load hits both alike
            base.append(cli_run(scenario, env, years))
            big.append(cli_run(str(x2), env, years))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    b, d = median_of(base), median_of(big)
    return {
        "scenario": scenario, "years": years, "base": b, "doubled": d,
        "wall_ratio": d["wall_s"] / b["wall_s"],
        "cpu_ratio": d["cpu_s"] / b["cpu_s"],
        "sim_ratio": (d["wall_s"] - startup_s) / max(b["wall_s"] - startup_s, 1e-9),
        "active_weeks_ratio": d["active_weeks"] / b["active_weeks"],
        "per_active_week_ratio": (d["wall_s"] / d["active_weeks"]) / (b["wall_s"] / b["active_weeks"]),
    }


def bench_memory(env: dict[str, str], years: int) -> dict[str, Any]:
    m = run_child([sys.executable, str(BENCH / "memory_profile.py"), "default", "--years", str(years)], env)
    return json.loads(m["stdout"])


def bench_naive(env: dict[str, str], scenario: str, years: float, repeats: int) -> dict[str, Any]:
    script = str(BENCH / "naive_reference.py")
    res: dict[str, Any] = {"scenario": scenario, "years": years}
    for kind in ("ours", "naive"):
        runs = []
        for _ in range(repeats):
            m = run_child([sys.executable, script, scenario, "--years", f"{years:g}", "--model", kind], env)
            r = json.loads(m["stdout"])
            r["process_wall_s"] = m["wall_s"]
            r["maxrss_mb"] = m["maxrss_mb"]
            runs.append(r)
        best = sorted(runs, key=lambda r: r["total_s"])[len(runs) // 2]  # the median run
        best["total_s_all"] = [round(r["total_s"], 3) for r in runs]
        res[kind] = best
    o, n = res["ours"], res["naive"]
    res["speedup_in_process"] = n["total_s"] / o["total_s"]
    res["speedup_process_wall"] = n["process_wall_s"] / o["process_wall_s"]
    res["youth_weeks_ratio"] = o["youth_weeks_per_s"] / n["youth_weeks_per_s"]
    return res


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        import mesa

        info["mesa"] = mesa.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except OSError:
        pass
    info["cores"] = os.cpu_count()
    try:
        mem_kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        info["ram_gb"] = round(mem_kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    info["loadavg_start"] = os.getloadavg()
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True, cwd=REPO)
        info["commit"] = rev.stdout.strip() + (" + uncommitted changes in src/" if dirty.stdout.strip() else "")
    except OSError:
        pass
    info["date"] = time.strftime("%Y-%m-%d %H:%M")
    return info


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------
def fmt_rate(x: float) -> str:
    return f"{x / 1e6:,.2f} M" if x >= 1e6 else f"{x / 1e3:,.0f} k"


def table_head(*columns: str, numeric_from: int = 1, text_last: int = 0) -> list[str]:
    """A Markdown table's header and alignment rows: numbers (right-aligned) from column
    ``numeric_from`` on, except the last ``text_last`` columns."""
    numeric = range(numeric_from, len(columns) - text_last)
    align = ["---:" if i in numeric else "---" for i in range(len(columns))]
    return ["| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|"]


def report(res: dict[str, Any]) -> str:
    lines: list[str] = []
    m = res["machine"]
    lines.append(f"## Benchmarks ({'quick' if res['quick'] else 'full'}, "
                 f"{'cold bytecode' if res['cold'] else 'bytecode cache'}, repeats {res['repeats']})")
    lines.append("")
    lines.append(f"Machine: {m.get('cpu', '?')}, {m.get('cores')} cores, {m.get('ram_gb')} GB RAM; "
                 f"Python {m['python']}, Mesa {m.get('mesa', '?')}; load average at start "
                 f"{m['loadavg_start'][0]:.2f}, at end {res['loadavg_end'][0]:.2f}; {m.get('date', '')}, "
                 f"commit {m.get('commit', '?')}.")
    lines.append("")
    st = res.get("startup")
    if st:
        lines.append(f"Start-up (`import zorgnetwerk_sim.cli`): {st['wall_s']:.2f} s, {st['maxrss_mb']:.0f} MB.")
        lines.append("")
    lines += table_head("scenario", "years", "youth", "wall s (median)", "CPU s", "peak RSS MB", "youth-weeks/s",
                        "active-trajectory-weeks/s", "target", "met", text_last=2)
    for name, r in res["scenarios"].items():
        target, met = "", ""
        years = r["weeks"] / 52
        if name == "default" and years >= 10:
            target = f"< {TARGETS['default_wall_s']:g} s"
            met = "yes" if r["wall_s"] < TARGETS["default_wall_s"] else \
                f"no (+{r['wall_s'] / TARGETS['default_wall_s'] - 1:.0%})"
        if name == "nederland":
            target = f"< {TARGETS['nederland_wall_s']:g} s (10 y), < {TARGETS['nederland_rss_mb'] / 1024:g} GB"
            ok_mem = r["maxrss_mb"] < TARGETS["nederland_rss_mb"]
            if years >= 10:
                ok_t = r["wall_s"] < TARGETS["nederland_wall_s"]
                met = "yes" if ok_t and ok_mem else f"time {'ok' if ok_t else 'no'}, memory {'ok' if ok_mem else 'no'}"
            else:
                met = f"({years:g} y only) memory {'ok' if ok_mem else 'no'}"
        lines.append(f"| {name} | {years:g} | {r['youth']:,.0f} | {r['wall_s']:.2f} ({', '.join(map(str, r['walls']))})"
                     f" | {r['cpu_s']:.2f} | {r['maxrss_mb']:.0f} | {fmt_rate(r['youth_weeks_per_s'])} "
                     f"| {fmt_rate(r['active_weeks_per_s'])} | {target} | {met} |")
    lines.append("")
    sc = res.get("scaling")
    if sc:
        ok = sc["wall_ratio"] <= TARGETS["scaling_ratio"]
        lines.append(f"### Linear scaling: `{sc['scenario']}` with every gemeente's inhabitants doubled "
                     f"({sc['years'] or 'scenario'} years)")
        lines.append("")
        lines += table_head("run", "wall s", "CPU s", "peak RSS MB", "active-trajectory-weeks")
        for label, key in (("×1", "base"), ("×2", "doubled")):
            r = sc[key]
            lines.append(f"| {label} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['maxrss_mb']:.0f} | {r['active_weeks']:,} |")
        lines.append("")
        lines.append(f"Ratio ×2/×1: wall {sc['wall_ratio']:.2f}, CPU {sc['cpu_ratio']:.2f}, without start-up "
                     f"{sc['sim_ratio']:.2f}; caseload {sc['active_weeks_ratio']:.2f}; time per active-trajectory-week "
                     f"{sc['per_active_week_ratio']:.2f}. Target ≤ {TARGETS['scaling_ratio']:.2f}: "
                     f"{'met' if ok else 'missed'}.")
        lines.append("")
    nv = res.get("naive")
    if nv:
        o, n = nv["ours"], nv["naive"]
        lines.append(f"### Naive plain-Mesa reference: `{nv['scenario']}`, {nv['years']:g} years")
        lines.append("")
        lines += table_head("model", "build s", "run s", "total s (in process)", "process wall s", "youth-weeks/s",
                            "agents at end", "peak RSS MB")
        for label, r in (("event-driven (ours)", o), ("naive: every youth stepped weekly", n)):
            lines.append(f"| {label} | {r['build_s']:.2f} | {r['run_s']:.2f} | {r['total_s']:.2f} "
                         f"| {r['process_wall_s']:.2f} | {fmt_rate(r['youth_weeks_per_s'])} | {r['agents_at_end']:,} "
                         f"| {r['maxrss_mb']:.0f} |")
        lines.append("")
        lines.append(f"Speed ratio ours : naive = **{nv['speedup_in_process']:.0f}×** in process (youth-weeks/s "
                     f"{nv['youth_weeks_ratio']:.0f}×), {nv['speedup_process_wall']:.1f}× as whole processes "
                     f"(start-up included).")
        lines.append("")
        lines += table_head("KPI (after warm-up)", "ours", "naive")
        for k in o["summary"]:
            lines.append(f"| {k} | {o['summary'][k]:,.1f} | {n['summary'][k]:,.1f} |")
        lines.append("")
    mem = res.get("memory")
    if mem:
        lines.append(f"### Memory over a {mem['years']}-year `default` run (Python API, sampled once a simulated year)")
        lines.append("")
        lines += table_head("year", "RSS MB", "recorder MB written", "RSS − recorder MB", "Jongere agents",
                            "live Jongere objects", "calendar events", "queue entries (stale)", numeric_from=0)
        for row in mem["samples"]:
            if row["year"] in (0, 1, 2, 5) or row["year"] % 5 == 0 or row["year"] == mem["years"]:
                lines.append(f"| {row['year']} | {row['rss_mb']:.1f} | {row['recorder_mb']:.1f} "
                             f"| {row['rss_mb'] - row['recorder_mb']:.1f} | {row['jongeren']:,} "
                             f"| {row['jongere_objects']:,} | {row['calendar']:,} | {row['queue_entries']:,} "
                             f"({row['queue_stale']:,}) |")
        lines.append("")
        lines.append(f"From year {mem['from_year']} to {mem['to_year']} (demand growth "
                     f"{'on' if mem['demand_growth'] else 'off'}): RSS {mem['rss_growth_mb']:+.1f} MB, of which the "
                     f"time series (preallocated, filled week by week) {mem['recorder_growth_mb']:+.1f} MB, other "
                     f"{mem['other_growth_mb']:+.1f} MB; active trajectories {mem['live_growth']:+.0%}; "
                     f"stale queue entries bounded: {'yes' if mem['stale_bounded'] else 'NO'}; finished "
                     f"trajectories still referenced only by those stale entries: "
                     f"{'yes' if mem.get('retained_explained') else 'NO'}. "
                     f"Flat: **{'yes' if mem['flat'] else 'NO'}**.")
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="zorgnetwerk_sim benchmarks (issue #5)")
    p.add_argument("--quick", action="store_true", help="1 repeat, nederland 2 years, shorter checks")
    p.add_argument("--repeats", type=int, default=None, help="runs per measurement (median; default 3, quick 1)")
    p.add_argument("--json", type=Path, default=None, help="also write all measurements to this file")
    p.add_argument("--scenarios", default="klas,default,nederland", help="comma-separated")
    p.add_argument("--nederland-years", type=float, default=None, help="default 10 (quick: 2)")
    p.add_argument("--nederland-repeats", type=int, default=None, help="default: --repeats")
    p.add_argument("--skip", default="", help="comma-separated: startup,scaling,memory,naive")
    p.add_argument("--cold", action="store_true", help="no bytecode cache (the caller's environment as is)")
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    skip = set(filter(None, args.skip.split(",")))
    env = child_env(args.cold)
    res: dict[str, Any] = {"quick": args.quick, "cold": args.cold, "repeats": repeats, "machine": machine(),
                           "targets": TARGETS, "scenarios": {}}
    log("warming up (bytecode and file caches)...")
    warm_up(env)
    startup = 0.0
    if "startup" not in skip:
        res["startup"] = bench_startup(env, max(repeats, 3))
        startup = res["startup"]["wall_s"]
        log(f"start-up {startup:.2f} s")
    for name in filter(None, args.scenarios.split(",")):
        years = None
        if name == "nederland":
            years = args.nederland_years or (2.0 if args.quick else None)
        runs = []
        n = (args.nederland_repeats or repeats) if name == "nederland" else repeats
        for i in range(n):
            runs.append(cli_run(name, env, years))
            log(f"{name} run {i + 1}/{n}: {runs[-1]['wall_s']:.2f} s, {runs[-1]['maxrss_mb']:.0f} MB")
        res["scenarios"][name] = median_of(runs)
    if "scaling" not in skip:
        log("scaling check (default ×1 vs ×2)...")
        res["scaling"] = bench_scaling(env, "default", 4.0 if args.quick else None, repeats, startup)
        log(f"scaling wall ratio {res['scaling']['wall_ratio']:.2f}")
    if "naive" not in skip:
        log("naive reference (klas)...")
        res["naive"] = bench_naive(env, "klas", 2.0, repeats)
        log(f"naive ratio {res['naive']['speedup_in_process']:.1f}x")
    if "memory" not in skip:
        years = 10 if args.quick else 30
        log(f"memory profile ({years} years default)...")
        res["memory"] = bench_memory(env, years)
    res["loadavg_end"] = os.getloadavg()
    text = report(res)
    print(text)
    if args.json is not None:
        args.json.write_text(json.dumps(res, indent=2, default=float))
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
