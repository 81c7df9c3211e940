"""Measure the README's policy-variant table and docs/model.md's baseline-stability table.

    uv run python docs/tools/policy_table.py                 # the policy table (248 runs, ~15 min on 2 cores)
    uv run python docs/tools/policy_table.py --stability     # default over 5 / 10 / 15 years
    uv run python docs/tools/policy_table.py --seeds 4 --workers 2 --json /tmp/table.json
    uv run python docs/tools/policy_table.py --scenario klas --seeds 2 --years 4   # a quick check of the tool

Every variant runs the same seeds as ``default`` (1..N), ``years`` simulated years with the
scenario's own warm-up, so each Δ is a paired difference (common random numbers: every
trajectory draws from numbers of its own), shown ± 2 standard errors. Every number is the mean over
the years after warm-up (the header says which: "mean over years 1–8 after warm-up"); because
effects change over time, Δ wait and Δ cost are also given in years 2, 5 and 10 after warm-up
(those the run covers), from the KPIs each run computes per year (``metrics.summarize_years``).
The runs go through the runner's process pool (``calibrate.replicate``). The last column repeats
the Δ wait at 5% fewer and 5% more staff (``uncertainties.staff_availability``), and the notes give
the Δ at the ends of the sourced admin range and with a smaller prevention effect: the numbers a
reader needs to see what a result rests on. Prints Markdown; no timestamps in the table itself.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tomllib
from datetime import datetime, timezone
from typing import Any

from zorgnetwerk_sim.calibrate import replicate
from zorgnetwerk_sim.runner.compare import HORIZON_YEARS
from zorgnetwerk_sim.scenario import available_scenarios, load_scenario

VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    ("default", "default", {}),
    ("centrale-wachtlijst", "centrale-wachtlijst", {}),
    ("preventie-5pct", "preventie-5pct", {}),
    ("vertrouwen", "vertrouwen", {}),
    ("functioneel", "functioneel", {}),
    ("ondernemend", "ondernemend", {}),
    ("transactioneel", "default", {"levers.coordination.collaboration_form": "transactioneel"}),
]
KPIS = ("waitlist_mean", "wait_weeks_mean", "wait_all_leavers_weeks_mean", "wait_weeks_p90", "placements_per_year",
        "crisis_per_year", "cost_per_year_eur", "trust_mean", "bounces_per_year", "expertteam_success_share",
        "youth_in_care_share", "verblijf_per_1000_youth")
STAFF = "uncertainties.staff_availability"
ADMIN = "uncertainties.admin_share_per_contract"
PREVENTION = "assumptions.prevention_max_reduction"
#: Sensitivity settings: (label, overrides); each is run for default and the variants it concerns.
SETTINGS: list[tuple[str, dict[str, Any], tuple[str, ...] | None]] = [
    ("base", {}, None),
    ("staff 0.95", {STAFF: 0.95}, None),
    ("staff 1.05", {STAFF: 1.05}, None),
    ("admin 0", {ADMIN: 0.0}, ("default", "functioneel", "ondernemend", "transactioneel")),
    ("admin 0.008", {ADMIN: 0.008}, ("default", "functioneel", "ondernemend", "transactioneel")),
    ("prevention 0.10", {PREVENTION: 0.10}, ("default", "preventie-5pct")),
]


#: One run's summary (every KPI, and under "years" the KPIs of each year after warm-up), by label and seed.
Results = dict[str, dict[int, dict[str, Any]]]


def run_all(runs: dict[str, tuple[str, dict[str, Any]]], seeds: int, workers: int) -> Results:
    """Every labelled (scenario, overrides) with seeds 1..N, in the runner's process pool; the
    same seeds for every label (common random numbers)."""
    specs = {label: load_scenario(scenario, overrides=overrides) for label, (scenario, overrides) in runs.items()}
    print(f"{len(specs) * seeds} runs on {workers} worker(s) ...", file=sys.stderr)
    outputs = replicate(specs, list(range(1, seeds + 1)), workers=workers)
    return {label: {int(o.row["seed"]): {**o.row, "years": o.years or []} for o in outs}
            for label, outs in outputs.items()}


def paired(base: list[float], variant: list[float]) -> tuple[float, float]:
    """Mean and standard error of the paired differences variant − base (same seeds)."""
    d = [y - x for x, y in zip(base, variant)]
    se = statistics.stdev(d) / math.sqrt(len(d)) if len(d) > 1 else math.nan
    return statistics.fmean(d), se


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def signed(x: float, digits: int = 1) -> str:
    return f"{x:+.{digits}f}".replace("+-", "-")


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def variant_settings(name: str) -> dict[str, Any]:
    """A shipped variant of default as key paths (its levers, uncertainties, …), to lay over another base."""
    raw = tomllib.loads(available_scenarios()[name].read_text(encoding="utf-8"))
    flat: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk({k: v for k, v in raw.items() if k not in ("base", "name", "description")}, "")
    return flat


def policy_table(seeds: int, years: float, workers: int, base: str = "default") -> Results:
    """Every variant and setting. ``base`` (default: 'default') is the scenario they are laid over:
    another base (klas) runs each variant's settings on it, a quick check of this tool."""
    runs = {}
    for setting, extra, only in SETTINGS:
        for name, scenario, overrides in VARIANTS:
            if only is None or name in only:
                if base == "default":
                    runs[f"{setting}|{name}"] = (scenario, {**overrides, **extra, "run.years": years})
                else:
                    own = variant_settings(scenario) if scenario != "default" else {}
                    runs[f"{setting}|{name}"] = (base, {**own, **overrides, **extra, "run.years": years})
    return run_all(runs, seeds, workers)


def series(results: Results, label: str, kpi: str) -> list[float]:
    runs = results[label]
    return [runs[s][kpi] for s in sorted(runs)]


def year_series(results: Results, label: str, kpi: str, year: int) -> list[float]:
    """The KPI in one year after warm-up of each run (seed order); NaN where a run lacks that year."""
    runs = results[label]
    out = []
    for s in sorted(runs):
        row = next((y for y in runs[s].get("years", []) if int(y["year"]) == year), None)
        out.append(float(row[kpi]) if row is not None else math.nan)
    return out


def horizons(results: Results) -> list[int]:
    """The years of HORIZON_YEARS that every run covers in full (52 weeks after warm-up)."""
    covered = None
    for runs in results.values():
        for run in runs.values():
            full = {int(y["year"]) for y in run.get("years", []) if y["years_measured"] >= 1 - 1e-9}
            covered = full if covered is None else covered & full
    return [h for h in HORIZON_YEARS if h in (covered or set())]


def whole(results: Results) -> str:
    """'mean over years 1–8 after warm-up' (from the runs' years_measured)."""
    measured = round(statistics.fmean(series(results, "base|default", "years_measured")), 6)
    span = f"years 1–{int(measured)}" if float(measured).is_integer() else f"the {measured:g} years"
    return f"mean over {span} after warm-up"


def render(results: Results, seeds: int, years: float) -> str:
    def mean(label: str, kpi: str) -> float:
        return statistics.fmean(series(results, label, kpi))

    def delta(setting: str, name: str, kpi: str, scale: float = 1.0) -> tuple[float, float]:
        m, se = paired(series(results, f"{setting}|default", kpi), series(results, f"{setting}|{name}", kpi))
        return m * scale, 2.0 * se * scale  # ± 2 standard errors

    shown = horizons(results)

    def by_year(name: str, kpi: str, scale: float = 1.0) -> str:
        if not shown:
            return "–"
        parts = []
        for h in shown:
            m, e = paired(year_series(results, "base|default", kpi, h), year_series(results, f"base|{name}", kpi, h))
            parts.append(f"{signed(m * scale)} ± {2 * e * scale:.1f}")
        return " / ".join(parts)

    span = whole(results)
    years_head = " / ".join(str(h) for h in shown) or "–"
    head = (f"| scenario | waiting (mean) | wait mean (wk) | Δ wait vs default, {span} (±2 SE) "
            f"| Δ wait in year {years_head} after warm-up (±2 SE) | time on list, all leavers (wk) "
            f"| wait p90 (wk) | placements / yr | crisis / yr | cost / yr (M€) | Δ cost (M€), {span} (±2 SE) "
            f"| Δ cost (M€) in year {years_head} after warm-up (±2 SE) | mean trust "
            "| bounces / yr | expertteam succesvol | Δ wait at staff 0.95 / 1.00 / 1.05 |")
    lines = [head, "|---|" + "---:|" * 15]
    for name, _, _ in VARIANTS:
        b = f"base|{name}"
        if name == "default":
            dwait = dcost = dwait_years = dcost_years = "–"
            staff = " / ".join(f"{fmt(mean(f'{s}|default', 'wait_weeks_mean'))} wk"
                               for s in ("staff 0.95", "base", "staff 1.05"))
        else:
            m, e = delta("base", name, "wait_weeks_mean")
            dwait = f"{signed(m)} ± {e:.1f}"
            m, e = delta("base", name, "cost_per_year_eur", 1e-6)
            dcost = f"{signed(m)} ± {e:.1f}"
            dwait_years = by_year(name, "wait_weeks_mean")
            dcost_years = by_year(name, "cost_per_year_eur", 1e-6)
            staff = " / ".join(signed(delta(s, name, "wait_weeks_mean")[0]) for s in ("staff 0.95", "base", "staff 1.05"))
        lines.append(
            f"| {name} | {fmt(mean(b, 'waitlist_mean'), 0)} | {fmt(mean(b, 'wait_weeks_mean'))} | {dwait} "
            f"| {dwait_years} | {fmt(mean(b, 'wait_all_leavers_weeks_mean'))} | {fmt(mean(b, 'wait_weeks_p90'), 0)} "
            f"| {fmt(mean(b, 'placements_per_year'), 0)} | {fmt(mean(b, 'crisis_per_year'), 0)} "
            f"| {fmt(mean(b, 'cost_per_year_eur') / 1e6)} | {dcost} | {dcost_years} | {mean(b, 'trust_mean'):.2f} "
            f"| {fmt(mean(b, 'bounces_per_year'), 0)} | {mean(b, 'expertteam_success_share'):.0%} | {staff} |")
    notes = ["", f"Sensitivity of the Δ wait / Δ cost (M€), {span}, to the two unsourced or uncertain numbers:", ""]
    for name in ("functioneel", "ondernemend", "transactioneel"):
        parts = []
        for s in ("admin 0", "base", "admin 0.008"):
            m, e = delta(s, name, "wait_weeks_mean")
            parts.append(f"{s.replace('base', 'admin 0.004')}: {signed(m)} ± {e:.1f} wk")
        notes.append(f"- {name}: " + "; ".join(parts))
    for s in ("base", "prevention 0.10"):
        m, e = delta(s, "preventie-5pct", "wait_weeks_mean")
        c, ce = delta(s, "preventie-5pct", "cost_per_year_eur", 1e-6)
        notes.append(f"- preventie-5pct, {s.replace('base', 'prevention_max_reduction 0.25')}: "
                     f"{signed(m)} ± {e:.1f} wk, {signed(c)} ± {ce:.1f} M€/yr")
    b = "base|default"
    notes.append(f"- default: youth in care {mean(b, 'youth_in_care_share'):.1%} of youth, verblijf "
                 f"{mean(b, 'verblijf_per_1000_youth'):.1f} per 1,000; crises at staff 0.95 / 1.05: "
                 f"{fmt(mean('staff 0.95|default', 'crisis_per_year'), 0)} / "
                 f"{fmt(mean('staff 1.05|default', 'crisis_per_year'), 0)} per year")
    stamp = (f"Measured with {years:g} simulated years (scenario warm-up), seeds 1–{seeds}, commit {commit()}, "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs. Every number is the "
             f"{span} unless its column names a year.")
    return "\n".join([stamp, "", *lines, *notes])


def stability(seeds: int, workers: int) -> str:
    results = run_all({f"{y}": ("default", {"run.years": float(y)}) for y in (5, 10, 15)}, seeds, workers)
    lines = ["| run length | wait mean (wk) | time on list, all leavers (wk) | waiting (mean) | crisis / yr "
             "| places added / yr | cost / yr (M€) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for y in (5, 10, 15):
        def m(kpi: str) -> float:
            return statistics.fmean(series(results, f"{y}", kpi))
        lines.append(f"| {y} years | {m('wait_weeks_mean'):.1f} | {m('wait_all_leavers_weeks_mean'):.1f} "
                     f"| {m('waitlist_mean'):,.0f} | {m('crisis_per_year'):.0f} | {m('places_added_per_year'):.0f} "
                     f"| {m('cost_per_year_eur') / 1e6:.1f} |")
    return (f"default, seeds 1–{seeds}, commit {commit()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n\n"
            + "\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--years", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--scenario", default="default",
                   help="the scenario in place of 'default' (a quick check of the tool: klas)")
    p.add_argument("--stability", action="store_true", help="the baseline over 5 / 10 / 15 years instead")
    p.add_argument("--json", default=None, help="also write every run's summary here")
    p.add_argument("--from-json", default=None, help="render the table from such a file instead of running")
    args = p.parse_args(argv)
    if args.stability:
        print(stability(args.seeds, args.workers))
        return
    if args.from_json:
        with open(args.from_json) as f:
            results = {label: {int(seed): summary for seed, summary in runs.items()}
                       for label, runs in json.load(f).items()}
    else:
        results = policy_table(args.seeds, args.years, args.workers, args.scenario)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f)
    print(render(results, args.seeds, args.years))


if __name__ == "__main__":
    main()
