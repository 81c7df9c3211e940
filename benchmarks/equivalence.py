"""Is it the same model? Headline KPIs of this engine against a reference engine, seed by seed.

    # a reference from another commit's engine (its checkout and environment: engines.py)
    uv run python benchmarks/equivalence.py record --engine ecef12e --scenario klas --seeds 20 \\
        --out benchmarks/reference/klas-ecef12e.json
    # this engine against it: exit 1 when a KPI differs beyond noise
    uv run python benchmarks/equivalence.py check benchmarks/reference/klas-ecef12e.json

``record`` runs ``zorgsim run SCENARIO --seed S`` for seeds 1..N with an engine and stores each
seed's headline KPIs with the engine's commit, the scenario, the years and the date. ``check``
runs this engine with the same scenario, years and seeds (here, through the API) and compares
each KPI's mean with a two-sample test: Welch's t-test (scipy.stats.ttest_ind, unequal
variances). The engines need not draw the same random numbers, so the runs of a seed are not
paired. Over the KPIs the p-values are adjusted with Holm's method; a KPI whose adjusted p-value is
below ``--alpha`` (0.01) fails. Identical results (same engine, or a change that keeps every
draw) pass with p = 1. Reports each KPI's two means, the difference in reference standard
deviations and the adjusted p-value, as Markdown.

A test can fail by chance in one check out of 1/alpha when nothing changed; a real change of
the model moves several KPIs at once, and the larger the seed count, the smaller the change the
check finds (20 seeds: about one standard deviation of the runs).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import label, resolve, zorgsim_of  # noqa: E402

#: The KPIs whose means must agree: waits, the wachtlijst, uithuisplaatsing, crises, care use,
#: cost, the expertteam and trust.
HEADLINE = ("wait_weeks_mean", "waitlist_mean", "placements_per_year", "verblijf_mean", "crisis_per_year",
            "youth_in_care_per_year", "cost_per_year_eur", "expertteam_success_share", "trust_mean",
            "withdrawals_per_year", "doorplaatsingen_per_year")


def run_with(engine: str | None, scenario: str, seed: int, years: float | None) -> dict[str, float]:
    """The summary of one run: this engine through the API, another commit's by its command."""
    if engine is None:
        from zorgnetwerk_sim import run

        return dict(run(scenario, seed=seed, years=years).summary)
    out = Path(tempfile.mkdtemp(prefix="zorgsim-equivalence-"))
    try:
        cmd = [*zorgsim_of(engine), "run", scenario, "-q", "--seed", str(seed), "--out", str(out / "run")]
        if years is not None:
            cmd += ["--years", f"{years:g}"]
        subprocess.run(cmd, check=True, capture_output=True)
        return json.loads((out / "run" / "summary.json").read_text())
    finally:
        shutil.rmtree(out, ignore_errors=True)


def record(engine: str | None, scenario: str, seeds: int, years: float | None) -> dict[str, Any]:
    runs = []
    for seed in range(1, seeds + 1):
        summary = run_with(engine, scenario, seed, years)
        runs.append({k: summary.get(k) for k in HEADLINE})
        print(f"{scenario} seed {seed}: wait {summary['wait_weeks_mean']:.2f}", file=sys.stderr)
    return {"scenario": scenario, "years": years, "seeds": list(range(1, seeds + 1)),
            "engine": resolve(engine) if engine else label(None), "recorded": datetime.now(timezone.utc).isoformat(),
            "kpis": list(HEADLINE), "runs": runs}


def holm(pvalues: list[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (same order as given)."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted = [1.0] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def compare(reference: dict[str, Any], current: list[dict[str, float]], alpha: float) -> tuple[bool, list[str]]:
    """Welch's test per KPI, Holm-adjusted; (all agree, Markdown lines)."""
    from scipy import stats

    rows, pvalues = [], []
    for kpi in reference["kpis"]:
        a = [r[kpi] for r in reference["runs"] if r.get(kpi) is not None and math.isfinite(r[kpi])]
        b = [r[kpi] for r in current if r.get(kpi) is not None and math.isfinite(r[kpi])]
        if len(a) < 2 or len(b) < 2:
            rows.append((kpi, a, b, float("nan")))
            pvalues.append(1.0)
            continue
        if a == b or (max(a) == min(a) and max(b) == min(b) and a[0] == b[0]):
            p = 1.0  # identical (or both constant and equal): nothing to test
        else:
            p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
            p = 1.0 if math.isnan(p) else p
        rows.append((kpi, a, b, p))
        pvalues.append(p)
    adjusted = holm(pvalues)
    lines = ["| KPI | reference mean | this mean | difference (ref. SD) | adjusted p | agrees |",
             "|---|---:|---:|---:|---:|---|"]
    ok = True
    for (kpi, a, b, _), p in zip(rows, adjusted):
        if not a or not b:
            lines.append(f"| {kpi} | – | – | – | – | no values |")
            continue
        ma, mb = sum(a) / len(a), sum(b) / len(b)
        sd = (sum((x - ma) ** 2 for x in a) / (len(a) - 1)) ** 0.5 if len(a) > 1 else 0.0
        diff = (mb - ma) / sd if sd > 0 else (0.0 if mb == ma else math.inf)
        agrees = p >= alpha
        ok &= agrees
        lines.append(f"| {kpi} | {ma:.4g} | {mb:.4g} | {diff:+.2f} | {p:.3g} | {'yes' if agrees else '**no**'} |")
    return ok, lines


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("record", help="run an engine over seeds 1..N and store its headline KPIs")
    r.add_argument("--engine", default=None, help="a commit (default: this checkout)")
    r.add_argument("--scenario", default="klas")
    r.add_argument("--seeds", type=int, default=20)
    r.add_argument("--years", type=float, default=None)
    r.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("check", help="this engine against a recorded reference")
    c.add_argument("reference", type=Path)
    c.add_argument("--seeds", type=int, default=None, help="only the first N seeds of the reference")
    c.add_argument("--alpha", type=float, default=0.01)
    args = p.parse_args(argv)
    if args.mode == "record":
        data = record(args.engine, args.scenario, args.seeds, args.years)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        tmp.replace(args.out)
        return
    reference = json.loads(args.reference.read_text())
    if args.seeds is not None:
        reference["runs"] = reference["runs"][:args.seeds]
        reference["seeds"] = reference["seeds"][:args.seeds]
    current = []
    for s in reference["seeds"]:
        started = time.perf_counter()
        summary = run_with(None, reference["scenario"], s, reference["years"])
        current.append({k: summary.get(k) for k in reference["kpis"]})
        print(f"{reference['scenario']} seed {s}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    ok, lines = compare(reference, current, args.alpha)
    print(f"{reference['scenario']}, {len(reference['seeds'])} seeds, years {reference['years'] or 'default'}: "
          f"{label(None)} against engine {reference['engine'][:7]} (recorded {reference['recorded'][:10]})\n")
    print("\n".join(lines))
    print("\nsame model within noise" if ok else "\nDIFFERENT: at least one KPI differs beyond noise")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
