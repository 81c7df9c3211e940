"""Guard for performance work: the same seed must give the same results before and after a change.

    uv run python benchmarks/check_identical.py record /tmp/ref.json   # before the change
    uv run python benchmarks/check_identical.py compare /tmp/ref.json  # after: exit 1 on any difference

Runs a fixed set of short configurations that between them exercise every branch of the
pathway (per-aanbieder and central lists, push and pull, urgency, no-wrong-door, expertteam
advice and takeover, pooling, exits and procurement under stress, the event log) and stores a
SHA-256 of each run's summary (every KPI, exact floats), of its weekly time series and of its
event log. ``compare`` reruns them and names every configuration whose hash changed, with the
KPIs that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from typing import Any

STRESS = {"uncertainties.staff_availability": 0.6, "uncertainties.incidence_multiplier": 1.6,
          "levers.coordination.procurement_cycle_years": 1, "levers.coordination.procurement_churn_share": 0.5}
EXITS = {"assumptions.cost_ratio": 2.0, "assumptions.exit_reserve_weeks": 0.0,
         "assumptions.initial_reserve_weeks": 0.0}
CONFIGS: list[tuple[str, str, int, float, dict[str, Any]]] = [
    ("klas-s1", "klas", 1, 4, {}),
    ("klas-s2-eventlog", "klas", 2, 3, {"run.event_log": True}),
    ("klas-central-pull-urgent", "klas", 3, 4, {"levers.coordination.queue": "central",
                                                "levers.coordination.allocation": "pull",
                                                "levers.coordination.urgency_priority": True}),
    ("klas-pull-takeover-nwd", "klas", 4, 4, {"levers.coordination.allocation": "pull",
                                              "levers.coordination.expertteam_handling": "takeover",
                                              "levers.coordination.no_wrong_door": True,
                                              "levers.coordination.solidarity_pooling": True,
                                              "levers.coordination.uniform_agreements": True,
                                              "levers.coordination.independent_regisseur": True}),
    ("klas-stress-procurement", "klas", 5, 6, STRESS),
    ("klas-exits", "klas", 1, 3, EXITS),
    ("default-exits-eventlog", "default", 3, 2, {**EXITS, "run.event_log": True, "run.warmup_years": 1}),
    ("klas-mechanisms-off", "klas", 6, 3, {"mechanisms.waiting_hurts": False, "mechanisms.withdrawal": False,
                                           "mechanisms.trust_dynamics": False, "mechanisms.expertteam": False,
                                           "mechanisms.prevention": False, "mechanisms.bouncing": False}),
    ("klas-other-mechanisms-off", "klas", 7, 3, {f"mechanisms.{m}": False for m in (
        "admin_burden", "meeting_fragmentation", "procurement_churn", "budget_pressure", "resource_sharing",
        "aanbieder_finance", "relapse", "capacity_response", "alternative_routes", "baseline_crisis")}),
    ("klas-pull-no-cherry-picking", "klas", 8, 3, {"levers.coordination.allocation": "pull",
                                                   "mechanisms.cherry_picking": False}),
    ("klas-routes-without-capacity", "klas", 9, 4, {"mechanisms.capacity_response": False,
                                                    "uncertainties.staff_availability": 0.8}),
    ("default-s42", "default", 42, 3, {}),
    ("nederland-16wk", "nederland", 42, 16 / 52, {"run.warmup_years": 4 / 52}),
    ("default-central", "default", 7, 2, {"run.warmup_years": 1, "levers.coordination.queue": "central",
                                          "levers.coordination.expertteam_triage": "maatwerk_only"}),
    ("klas-single-stream", "klas", 2, 3, {"run.random_streams": "single"}),
    ("default-10y", "default", 1, 10, {}),
]


def digest(obj: Any) -> str:
    return hashlib.sha256(obj).hexdigest()[:16]


def run_all(only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    from zorgnetwerk_sim import run

    out: dict[str, dict[str, Any]] = {}
    for name, scenario, seed, years, overrides in CONFIGS:
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        res = run(scenario, seed=seed, years=years, overrides=overrides)
        summary = {k: (None if v != v else repr(float(v))) for k, v in sorted(res.summary.items())}
        ts = res.timeseries
        ts_hash = digest(ts.to_csv(index=False).encode())
        ev_hash = digest(res.events.to_csv(index=False).encode()) if res.events is not None else None
        out[name] = {"summary": summary, "summary_hash": digest(json.dumps(summary).encode()),
                     "timeseries_hash": ts_hash, "events_hash": ev_hash,
                     "seconds": round(time.perf_counter() - t0, 2)}
        print(f"{name}: {out[name]['summary_hash']} ts {ts_hash} ev {ev_hash} ({out[name]['seconds']} s)",
              file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("record", "compare"))
    p.add_argument("file")
    p.add_argument("--only", default="", help="comma-separated configuration names")
    args = p.parse_args(argv)
    only = set(filter(None, args.only.split(",")))
    results = run_all(only)
    if args.mode == "record":
        with open(args.file, "w") as f:
            json.dump(results, f, indent=1)
        return
    with open(args.file) as f:
        ref = json.load(f)
    bad = 0
    for name, r in results.items():
        if name not in ref:
            continue
        q = ref[name]
        diffs = [k for k in ("summary_hash", "timeseries_hash", "events_hash") if r[k] != q[k]]
        if diffs:
            bad += 1
            kpis = [k for k in q["summary"] if q["summary"][k] != r["summary"].get(k)]
            print(f"DIFFERENT {name}: {', '.join(diffs)}; KPIs: {', '.join(kpis[:12])}")
        else:
            print(f"same      {name}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
