"""Memory over a long run: RSS and live objects sampled once per simulated year.

    uv run python benchmarks/memory_profile.py default --years 30

Runs the scenario through the Python API (``Simulation``) and, after every 52 weeks, records the
process's resident memory (VmRSS), the bytes of the time-series arrays filled so far (the
Recorder preallocates weeks × gemeenten × columns and numpy commits the pages as the weeks are
written), the registered Jongere agents, the Jongere objects still alive anywhere (gc), the
pending calendar events and the entries in all queues (stale entries included). Demand growth
is switched off (``uncertainties.demand_growth_per_year = 0``, unless ``--keep-growth``) so the
caseload is stationary and any growth would be a leak: finished trajectories or history kept
alive. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def recorder_bytes_per_week(rec) -> int:
    per = 0
    for arr in (rec.stocks, rec.flows, rec.costs, rec.region_trust, rec.region_contracts):
        per += arr[0].nbytes
    return per


def queue_entries(model) -> tuple[int, int]:
    """All entries in the wachtlijsten, toegang and expertteam queues, and how many are stale
    (left behind by lazy removal: the jongere moved on and the entry waits to reach the head)."""
    from zorgnetwerk_sim.agents.jongere import AT_EXPERTTEAM, SIGNALLED

    n = stale = 0
    for region in model.regions:
        lists = list(region.central.values())
        for ab in region.aanbieders:
            lists += list(ab.waitlists.values())
        for wl in lists:
            k = sum(len(lane) for lane in wl._lanes)
            n += k
            stale += k - wl.n
    for g in model.gemeenten:
        n += len(g.toegang)
        stale += sum(1 for j, token in g.toegang if j.state != SIGNALLED or j.queue_token != token)
    for team in model.expertteams:
        n += len(team.queue)
        stale += sum(1 for j in team.queue if j.state != AT_EXPERTTEAM)
    return n, stale


def queue_lists(model) -> int:
    return sum(len(r.central) + sum(len(a.waitlists) for a in r.aanbieders) for r in model.regions) \
        + len(model.gemeenten) + len(model.expertteams)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("scenario", nargs="?", default="default")
    p.add_argument("--years", type=int, default=30)
    p.add_argument("--keep-growth", action="store_true", help="keep the scenario's demand growth")
    p.add_argument("--from-year", type=int, default=5, help="flatness is judged from this year on")
    args = p.parse_args(argv)

    from zorgnetwerk_sim import Simulation
    from zorgnetwerk_sim.agents import Jongere
    from zorgnetwerk_sim.scenario import load_scenario

    overrides = {} if args.keep_growth else {"uncertainties.demand_growth_per_year": 0.0}
    sim = Simulation(load_scenario(args.scenario, overrides, years=args.years))
    model = sim.model
    per_week = recorder_bytes_per_week(model.recorder)
    samples = []

    def sample(year: int) -> None:
        gc.collect()
        objects = sum(1 for o in gc.get_objects() if type(o) is Jongere)
        entries, stale = queue_entries(model)
        samples.append({
            "year": year, "rss_mb": rss_mb(), "recorder_mb": model.week * per_week / 2**20,
            "jongeren": len(model.agents_by_type[Jongere]) if Jongere in model.agents_by_type else 0,
            "jongere_objects": objects, "calendar": model.calendar.pending(), "queue_entries": entries,
            "queue_stale": stale,
        })

    sample(0)
    for year in range(1, args.years + 1):
        sim.step(52)
        sample(year)
    # Judge up to three years before the end: near the end the calendar empties (events beyond
    # the horizon are never stored; a withdrawal is drawn ~2.5 years ahead on average), which
    # would flatter the end point.
    first = next(s for s in samples if s["year"] == min(args.from_year, args.years))
    last = next((s for s in samples if s["year"] == args.years - 3 and s["year"] > first["year"]), samples[-1])
    rss_growth = last["rss_mb"] - first["rss_mb"]
    rec_growth = last["recorder_mb"] - first["recorder_mb"]
    other = rss_growth - rec_growth
    # finished trajectories still referenced (by pending stale events or stale queue entries)
    retained = {s["year"]: s["jongere_objects"] - s["jongeren"] for s in samples}
    retained_growth = retained[last["year"]] / max(retained[first["year"]], 1) - 1.0
    live_growth = last["jongeren"] / max(first["jongeren"], 1) - 1.0
    n_lists = queue_lists(model)
    stale_ok = last["queue_stale"] <= (last["queue_entries"] - last["queue_stale"]) + 32 * n_lists
    # Finished trajectories may only be held by stale queue entries (bounded by compaction, above),
    # plus a small allowance (2% of the live ones) for other stale events (e.g. a care end after a
    # doorplaatsing): wait events are cancelled when a wait ends, so nothing else should hold them.
    retained_explained = retained[last["year"]] <= last["queue_stale"] + 0.02 * last["jongeren"]
    flat = other < max(10.0, 0.05 * first["rss_mb"]) and retained_explained and stale_ok
    json.dump({"scenario": args.scenario, "years": args.years, "demand_growth": args.keep_growth,
               "from_year": first["year"], "to_year": last["year"], "recorder_bytes_per_week": per_week,
               "samples": samples, "rss_growth_mb": rss_growth, "recorder_growth_mb": rec_growth,
               "other_growth_mb": other, "retained_growth": retained_growth, "live_growth": live_growth,
               "stale_bounded": bool(stale_ok), "retained_explained": bool(retained_explained), "queue_lists": n_lists,
               "flat": bool(flat)}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
