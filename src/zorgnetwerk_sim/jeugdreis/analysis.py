"""Process-mining measures of a run's event log (events sorted as ``read_log`` returns them).

The case is the jongere (``case_id``, across returns and relapses); throughput times and cost
are per trajectory (``trajectory_id``: from the signal, return or relapse to its end), because
that is the unit of the run's KPIs (``trajectory_weeks_mean``, ``cost_top20_share``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..eventlog import END_ACTIVITIES, OPENING_ACTIVITIES, START_ACTIVITY, TERUGVERWIJZING, TOEGANG


def _same_case_pairs(ev: pd.DataFrame) -> np.ndarray:
    """Mask over rows 0..n-2: row i and row i+1 belong to the same case."""
    case = ev["case_id"].to_numpy()
    return case[1:] == case[:-1]


def directly_follows(ev: pd.DataFrame) -> pd.DataFrame:
    """The directly-follows graph: per pair of activities (a, b) with b right after a in a case,
    how often (``count``), in how many cases (``cases``) and the median weeks between them."""
    same = _same_case_pairs(ev)
    act = ev["activity"].astype(str).to_numpy()
    week = ev["week"].to_numpy()
    pairs = pd.DataFrame({"source": act[:-1][same], "target": act[1:][same],
                          "case_id": ev["case_id"].to_numpy()[:-1][same], "weeks": (week[1:] - week[:-1])[same]})
    if pairs.empty:
        return pd.DataFrame(columns=["source", "target", "count", "cases", "median_weeks"])
    grouped = pairs.groupby(["source", "target"], sort=False)
    out = grouped.agg(count=("weeks", "size"), cases=("case_id", "nunique"), median_weeks=("weeks", "median"))
    return out.reset_index().sort_values(["cases", "count", "source", "target"], ascending=[False, False, True, True],
                                         ignore_index=True)


def start_end_counts(ev: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Cases per first activity and per last activity."""
    first = ev.drop_duplicates("case_id", keep="first")["activity"].astype(str).value_counts()
    last = ev.drop_duplicates("case_id", keep="last")["activity"].astype(str).value_counts()
    return first, last


def activity_cases(ev: pd.DataFrame) -> pd.Series:
    """In how many cases each activity happens at least once."""
    return ev[["case_id", "activity"]].astype({"activity": str}).drop_duplicates()["activity"].value_counts()


@dataclass
class Variants:
    table: pd.DataFrame   # variant (activities joined by ' → '), length, cases, share, cumulative
    n_variants: int
    n_cases: int
    for_80: int           # variants needed to cover 80% of cases


def variants(ev: pd.DataFrame) -> Variants:
    """The distinct paths (sequences of activities) and how many cases follow each."""
    codes = ev["activity"].astype("category")
    names = [str(c) for c in codes.cat.categories]
    per_case = pd.Series(codes.cat.codes.to_numpy()).groupby(ev["case_id"].to_numpy(), sort=False).agg(tuple)
    counts = per_case.value_counts()
    n_cases = int(counts.sum())
    table = pd.DataFrame({"variant": [" → ".join(names[k] for k in v) for v in counts.index],
                          "length": [len(v) for v in counts.index], "cases": counts.to_numpy()})
    table = table.sort_values(["cases", "length", "variant"], ascending=[False, True, True], ignore_index=True)
    table["share"] = table["cases"] / n_cases if n_cases else np.nan
    table["cumulative"] = table["share"].cumsum()
    for_80 = int(np.searchsorted(table["cumulative"].to_numpy(), 0.8 - 1e-12) + 1) if n_cases else 0
    return Variants(table, len(table), n_cases, for_80)


@dataclass
class Handovers:
    per_case: pd.Series   # handovers per case
    pairs: pd.DataFrame   # from organisation type → to organisation type: count, cases


def handovers(ev: pd.DataFrame) -> Handovers:
    """Handovers: consecutive events of a case at different organisations."""
    same = _same_case_pairs(ev)
    org = (ev["organisation_type"].astype(str) + ":" + ev["organisation"].astype(str)).to_numpy()
    kind = ev["organisation_type"].astype(str).to_numpy()
    moved = same & (org[1:] != org[:-1])
    case = ev["case_id"].to_numpy()
    per_case = pd.Series(moved.astype(np.int64)).groupby(case[1:]).sum()
    per_case = per_case.reindex(pd.unique(case), fill_value=0)
    pairs = pd.DataFrame({"from": kind[:-1][moved], "to": kind[1:][moved], "case_id": case[1:][moved]})
    table = pairs.groupby(["from", "to"]).agg(count=("case_id", "size"), cases=("case_id", "nunique")).reset_index()
    return Handovers(per_case, table.sort_values("count", ascending=False, ignore_index=True))


def trajectories(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per trajectory: gemeente, opening and last activity and week, care type at the
    end, cost at the end, whether it ended (else it was still open at the horizon)."""
    by = ev.groupby("trajectory_id", sort=False)
    first = by.nth(0).set_index("trajectory_id")
    last = by.nth(-1).set_index("trajectory_id")
    out = pd.DataFrame({
        "case_id": first["case_id"], "gemeente": first["gemeente"].astype(str),
        "opening": first["activity"].astype(str), "opened_week": first["week"],
        "last": last["activity"].astype(str), "last_week": last["week"],
        "care_type": last["care_type"].astype(str), "cost_eur": last["cost_eur"]})
    out["ended"] = out["last"].isin(END_ACTIVITIES)
    out["weeks"] = out["last_week"] - out["opened_week"]
    return out


def throughput(traj: pd.DataFrame, by: str) -> pd.DataFrame:
    """Weeks from signal (or return, relapse) to the end of the trajectory, per ``by``
    (``gemeente`` or ``care_type``), for trajectories that ended."""
    done = traj[traj["ended"]]
    table = done.groupby(by)["weeks"].agg(trajectories="size", median_weeks="median", mean_weeks="mean",
                                         p90_weeks=lambda w: float(np.quantile(w, 0.9)))
    still_open = traj[~traj["ended"]].groupby(by).size()
    table["still_open"] = still_open.reindex(table.index, fill_value=0)
    return table.sort_values("trajectories", ascending=False)


def throughput_cross(traj: pd.DataFrame) -> pd.DataFrame:
    """Median weeks signal → end per gemeente (rows) and care type (columns)."""
    done = traj[traj["ended"]]
    return done.pivot_table(index="gemeente", columns="care_type", values="weeks", aggfunc="median")


@dataclass
class CostConcentration:
    n: int                   # trajectories that ended after the warm-up
    top_share: float         # share of their cost in the costliest 20%
    curve: pd.DataFrame      # share of trajectories (costliest first) → share of cost
    threshold_eur: float     # cost of the cheapest trajectory in the top 20%


def cost_concentration(traj: pd.DataFrame, warmup_weeks: int, share: float = 0.2) -> CostConcentration:
    """The costliest ``share`` of trajectories and their share of cost, as the run's KPI
    ``cost_top20_share`` counts them: trajectories that ended at or after the warm-up, each
    with its care cost at the end (metrics.Recorder.trajectory_cost)."""
    done = traj[traj["ended"] & (traj["last_week"] >= warmup_weeks)]
    cost = np.sort(done["cost_eur"].to_numpy())[::-1]
    n, total = len(cost), float(cost.sum())
    if n == 0 or total <= 0:
        return CostConcentration(n, float("nan"), pd.DataFrame({"trajectories": [0.0], "cost": [0.0]}), float("nan"))
    need = share * n
    whole = int(need)
    top = float(cost[:whole].sum()) + (need - whole) * (float(cost[whole]) if whole < n else 0.0)
    cum = np.concatenate([[0.0], np.cumsum(cost) / total])
    curve = pd.DataFrame({"trajectories": np.arange(n + 1) / n, "cost": cum})
    return CostConcentration(n, top / total, curve, float(cost[max(whole - 1, 0)]))


#: Care from an aanbieder (or crisis care): every care start except the wijkteam's own support
SPECIALIST_STARTS = tuple(a for a in START_ACTIVITY if a != START_ACTIVITY[0])


def toegang_to_care_weeks(ev: pd.DataFrame) -> pd.Series:
    """Per trajectory referred on by the toegang: weeks from its first toegang to the first start
    of care by an aanbieder (or crisis care) after it."""
    act = ev["activity"].astype(str)
    toegang = ev[act == TOEGANG].groupby("trajectory_id")[["event_id", "week"]].first()
    starts = ev[act.isin(SPECIALIST_STARTS)][["trajectory_id", "event_id", "week"]]
    merged = starts.merge(toegang, left_on="trajectory_id", right_index=True, suffixes=("", "_toegang"))
    merged = merged[merged["event_id"] > merged["event_id_toegang"]]
    first = merged.groupby("trajectory_id")[["week", "week_toegang"]].first()
    return (first["week"] - first["week_toegang"]).astype(float)


def key_figures(ev: pd.DataFrame, warmup_weeks: int) -> dict[str, float]:
    """The headline figures of one run's process (also the rows of the comparison of two runs)."""
    traj = trajectories(ev)
    var = variants(ev)
    hand = handovers(ev)
    cost = cost_concentration(traj, warmup_weeks)
    act = ev["activity"].astype(str)
    n_traj = len(traj)
    to_care = toegang_to_care_weeks(ev)
    ended = traj[traj["ended"]]
    return {
        "jongeren": float(ev["case_id"].nunique()),
        "trajectories": float(n_traj),
        "events": float(len(ev)),
        "events_per_case": len(ev) / max(ev["case_id"].nunique(), 1),
        "variants": float(var.n_variants),
        "variants_for_80": float(var.for_80),
        "top_variant_share": float(var.table["share"].iloc[0]) if len(var.table) else float("nan"),
        "bounces_per_100_trajectories": 100.0 * float((act == TERUGVERWIJZING).sum()) / max(n_traj, 1),
        "handovers_per_case_mean": float(hand.per_case.mean()),
        "handovers_per_case_median": float(hand.per_case.median()),
        "toegang_to_care_weeks_median": float(to_care.median()) if len(to_care) else float("nan"),
        "toegang_to_care_weeks_mean": float(to_care.mean()) if len(to_care) else float("nan"),
        "throughput_weeks_median": float(ended["weeks"].median()) if len(ended) else float("nan"),
        "throughput_weeks_p90": float(np.quantile(ended["weeks"], 0.9)) if len(ended) else float("nan"),
        "open_at_horizon_share": float((~traj["ended"]).mean()) if n_traj else float("nan"),
        "cost_top20_share": cost.top_share,
    }


__all__ = ["END_ACTIVITIES", "OPENING_ACTIVITIES", "CostConcentration", "Handovers", "Variants", "activity_cases",
           "cost_concentration", "directly_follows", "handovers", "key_figures", "start_end_counts", "throughput",
           "throughput_cross", "toegang_to_care_weeks", "trajectories", "variants"]
