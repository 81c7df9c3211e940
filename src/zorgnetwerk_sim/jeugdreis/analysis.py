"""Process-mining measures of a run's event log, computed bucket by bucket (log.RunLog.buckets).

The case is the jongere (``case_id``, across returns and relapses); throughput times and cost
are per trajectory (``trajectory_id``: from the signal, return or relapse to its end), because
that is the unit of the run's KPIs (``trajectory_weeks_mean``, ``cost_top20_share``).

Each measure is a part per bucket (a bucket holds whole cases, sorted as ``read_log`` sorts
them) and a combination of the parts: counts add, cases per pair add (the buckets' cases are
disjoint), medians of whole weeks come from the counts per value, per-case and per-trajectory
rows are concatenated in case order. :class:`Parts` collects the parts of every measure,
:func:`measures` is the one-bucket case; the functions of a DataFrame (``directly_follows``,
``variants``, ...) are that case for one measure.
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


def _add(parts: list[pd.Series]) -> pd.Series:
    """Counts per key added over the parts; the keys in order of first appearance."""
    return pd.concat(parts).groupby(level=list(range(parts[0].index.nlevels)), sort=False).sum()


def _value_counts(parts: list[pd.Series]) -> pd.Series:
    """``value_counts()`` of the whole from the parts' ``value_counts(sort=False)``: the same sort
    of the same keys in the same order (ties as ``value_counts`` leaves them)."""
    return _add(parts).sort_values(ascending=False)


def _median_of_counts(counts: pd.Series) -> pd.Series:
    """Per group (all index levels but the last): the median of the last level's values, each
    taken as often as ``counts`` says; exactly pandas' median of the values themselves."""
    counts = counts.sort_index()
    groups = list(range(counts.index.nlevels - 1))
    n = counts.groupby(level=groups, sort=False).transform("sum").to_numpy()
    end = counts.groupby(level=groups, sort=False).cumsum().to_numpy()
    begin = end - counts.to_numpy()
    value = counts.index.get_level_values(-1).to_numpy().astype(np.float64)
    keys = counts.index.droplevel(-1)

    def at(k: np.ndarray) -> pd.Series:  # the value at 0-based position k of its group, sorted
        holds = (begin <= k) & (k < end)
        return pd.Series(value[holds], index=keys[holds])

    return (at((n - 1) // 2) + at(n // 2)) / 2


def _dfg_part(ev: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per (source, target, weeks between): how often; per (source, target): in how many cases."""
    same = _same_case_pairs(ev)
    act = ev["activity"].astype(str).to_numpy()
    week = ev["week"].to_numpy()
    pairs = pd.DataFrame({"source": act[:-1][same], "target": act[1:][same],
                          "case_id": ev["case_id"].to_numpy()[:-1][same], "weeks": (week[1:] - week[:-1])[same]})
    return (pairs.groupby(["source", "target", "weeks"], sort=False).size(),
            pairs.groupby(["source", "target"], sort=False)["case_id"].nunique())


def _dfg(parts: list[tuple[pd.Series, pd.Series]]) -> pd.DataFrame:
    weeks = _add([w for w, _ in parts])
    if weeks.empty:
        return pd.DataFrame(columns=["source", "target", "count", "cases", "median_weeks"])
    count = weeks.groupby(level=[0, 1], sort=False).sum()
    out = pd.DataFrame({"count": count, "cases": _add([c for _, c in parts]).reindex(count.index),
                        "median_weeks": _median_of_counts(weeks).reindex(count.index)})
    return out.reset_index().sort_values(["cases", "count", "source", "target"], ascending=[False, False, True, True],
                                         ignore_index=True)


def directly_follows(ev: pd.DataFrame) -> pd.DataFrame:
    """The directly-follows graph: per pair of activities (a, b) with b right after a in a case,
    how often (``count``), in how many cases (``cases``) and the median weeks between them."""
    return _dfg([_dfg_part(ev)])


def _start_end_part(ev: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return (ev.drop_duplicates("case_id", keep="first")["activity"].astype(str).value_counts(sort=False),
            ev.drop_duplicates("case_id", keep="last")["activity"].astype(str).value_counts(sort=False))


def start_end_counts(ev: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Cases per first activity and per last activity."""
    first, last = _start_end_part(ev)
    return _value_counts([first]), _value_counts([last])


def _activity_cases_part(ev: pd.DataFrame) -> pd.Series:
    return ev[["case_id", "activity"]].astype({"activity": str}).drop_duplicates()["activity"].value_counts(sort=False)


def activity_cases(ev: pd.DataFrame) -> pd.Series:
    """In how many cases each activity happens at least once."""
    return _value_counts([_activity_cases_part(ev)])


def _kind_part(ev: pd.DataFrame) -> pd.Series:
    """Events per (activity, organisation type), in order of first appearance."""
    return ev.groupby([ev["activity"].astype(str), ev["organisation_type"].astype(str)], sort=False).size()


def _usual_kind(parts: list[pd.Series]) -> pd.Series:
    """Per activity the organisation type that performs it most often (ties as ``value_counts``)."""
    return _add(parts).groupby(level=0).agg(lambda s: s.droplevel(0).sort_values(ascending=False).index[0])


def _layer_part(ev: pd.DataFrame) -> pd.Series:
    """Cases per (activity, position in the case's path where it first occurs)."""
    position = pd.DataFrame({"activity": ev["activity"].astype(str), "case_id": ev["case_id"],
                             "pos": ev.groupby("case_id", sort=False).cumcount()})
    return position.drop_duplicates(["case_id", "activity"]).groupby(["activity", "pos"]).size()


@dataclass
class Variants:
    table: pd.DataFrame   # variant (activities joined by ' → '), length, cases, share, cumulative
    n_variants: int
    n_cases: int
    for_80: int           # variants needed to cover 80% of cases


def _variants_part(ev: pd.DataFrame) -> pd.DataFrame:
    """Per path (activities joined by ' → ') its length and how many cases follow it."""
    codes = ev["activity"].astype("category")
    names = [str(c) for c in codes.cat.categories]
    per_case = pd.Series(codes.cat.codes.to_numpy()).groupby(ev["case_id"].to_numpy(), sort=False).agg(tuple)
    counts = per_case.value_counts(sort=False)
    return pd.DataFrame({"variant": [" → ".join(names[k] for k in v) for v in counts.index],
                         "length": [len(v) for v in counts.index], "cases": counts.to_numpy()})


def _variants(parts: list[pd.DataFrame]) -> Variants:
    table = pd.concat(parts, ignore_index=True).groupby(["variant", "length"], sort=False)["cases"].sum().reset_index()
    n_cases = int(table["cases"].sum())
    table = table.sort_values(["cases", "length", "variant"], ascending=[False, True, True], ignore_index=True)
    table["share"] = table["cases"] / n_cases if n_cases else np.nan
    table["cumulative"] = table["share"].cumsum()
    for_80 = int(np.searchsorted(table["cumulative"].to_numpy(), 0.8 - 1e-12) + 1) if n_cases else 0
    return Variants(table, len(table), n_cases, for_80)


def variants(ev: pd.DataFrame) -> Variants:
    """The distinct paths (sequences of activities) and how many cases follow each."""
    return _variants([_variants_part(ev)])


@dataclass
class Handovers:
    per_case: pd.Series   # handovers per case
    pairs: pd.DataFrame   # from organisation type → to organisation type: count, cases


def _handovers_part(ev: pd.DataFrame) -> Handovers:
    same = _same_case_pairs(ev)
    org = (ev["organisation_type"].astype(str) + ":" + ev["organisation"].astype(str)).to_numpy()
    kind = ev["organisation_type"].astype(str).to_numpy()
    moved = same & (org[1:] != org[:-1])
    case = ev["case_id"].to_numpy()
    per_case = pd.Series(moved.astype(np.int64)).groupby(case[1:]).sum()
    per_case = per_case.reindex(pd.unique(case), fill_value=0)
    pairs = pd.DataFrame({"from": kind[:-1][moved], "to": kind[1:][moved], "case_id": case[1:][moved]})
    return Handovers(per_case, pairs.groupby(["from", "to"]).agg(count=("case_id", "size"),
                                                                 cases=("case_id", "nunique")).reset_index())


def _handovers(parts: list[Handovers]) -> Handovers:
    pairs = pd.concat([p.pairs for p in parts], ignore_index=True)
    table = pairs.groupby(["from", "to"])[["count", "cases"]].sum().reset_index()
    return Handovers(pd.concat([p.per_case for p in parts]),
                     table.sort_values("count", ascending=False, ignore_index=True))


def handovers(ev: pd.DataFrame) -> Handovers:
    """Handovers: consecutive events of a case at different organisations."""
    return _handovers([_handovers_part(ev)])


def trajectories_part(ev: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`trajectories` with the texts still categorical (compact while the
    buckets are gathered; :func:`concat_trajectories` makes them text)."""
    by = ev.groupby("trajectory_id", sort=False)
    first = by.nth(0).set_index("trajectory_id")
    last = by.nth(-1).set_index("trajectory_id")
    out = pd.DataFrame({
        "case_id": first["case_id"], "gemeente": first["gemeente"], "opening": first["activity"],
        "opened_week": first["week"], "last": last["activity"], "last_week": last["week"],
        "care_type": last["care_type"], "cost_eur": last["cost_eur"]})
    out["ended"] = out["last"].isin(END_ACTIVITIES)
    out["weeks"] = out["last_week"] - out["opened_week"]
    return out


def concat_trajectories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts of :func:`trajectories_part` (or some of their columns) as one table. The texts
    become Python strings (object columns: one shared string per distinct value, a third of the
    memory of a string column on a national log)."""
    out = pd.concat(parts)
    return out.astype({c: object for c in ("gemeente", "opening", "last", "care_type") if c in out.columns})


def trajectories(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per trajectory: gemeente, opening and last activity and week, care type at the
    end, cost at the end, whether it ended (else it was still open at the horizon)."""
    return concat_trajectories([trajectories_part(ev)])


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
    merged = starts.merge(toegang.reset_index(), on="trajectory_id", suffixes=("", "_toegang"))
    merged = merged[merged["event_id"] > merged["event_id_toegang"]]
    first = merged.groupby("trajectory_id")[["week", "week_toegang"]].first()
    return (first["week"] - first["week_toegang"]).astype(float)


@dataclass
class Measures:
    """What the report says of a set of cases, combined over the buckets they were read in."""

    n_events: int
    n_cases: int
    n_bounces: int              # terugverwijzingen
    trajectories: pd.DataFrame  # as trajectories()
    dfg: pd.DataFrame           # as directly_follows()
    first: pd.Series            # cases per first activity
    last: pd.Series             # cases per last activity
    activity_cases: pd.Series   # as activity_cases()
    usual_kind: pd.Series       # per activity the organisation type that performs it most often
    layer: pd.Series            # per activity the median position (0, 1, ...) in a path where it first occurs
    variants: Variants
    handovers: Handovers
    to_care: pd.Series          # as toegang_to_care_weeks(), by trajectory


#: The event-log texts the measures other than the per-trajectory rows use as strings
TEXT_COLUMNS = ("activity", "organisation", "organisation_type")


class Parts:
    """The parts of every measure, one per bucket of whole cases (add them in case order)."""

    def __init__(self) -> None:
        self.n_events = self.n_cases = self.n_bounces = 0
        self.parts: dict[str, list] = {k: [] for k in ("traj", "dfg", "ends", "act", "kind", "layer", "var", "hand",
                                                       "care")}

    def add(self, ev: pd.DataFrame) -> None:
        if ev.empty:
            return
        self.n_events += len(ev)
        self.n_cases += int(ev["case_id"].nunique())
        # The per-trajectory rows keep the compact categoricals; the other measures compare and
        # group the texts as strings, made once per bucket here (each measure's own conversion of
        # a string column is then a cheap pass instead of a categorical's).
        self.parts["traj"].append(trajectories_part(ev))
        text = ev.astype({c: str for c in TEXT_COLUMNS if c in ev.columns})
        self.n_bounces += int((text["activity"] == TERUGVERWIJZING).sum())
        for key, part in (("dfg", _dfg_part), ("ends", _start_end_part), ("act", _activity_cases_part),
                          ("kind", _kind_part), ("layer", _layer_part), ("var", _variants_part),
                          ("hand", _handovers_part), ("care", toegang_to_care_weeks)):
            self.parts[key].append(part(text))

    def combine(self) -> Measures:
        p = self.parts
        if not p["traj"]:
            raise ValueError("no events")
        return Measures(
            self.n_events, self.n_cases, self.n_bounces, concat_trajectories(p["traj"]), _dfg(p["dfg"]),
            _value_counts([f for f, _ in p["ends"]]), _value_counts([e for _, e in p["ends"]]),
            _value_counts(p["act"]), _usual_kind(p["kind"]), _median_of_counts(_add(p["layer"])),
            _variants(p["var"]), _handovers(p["hand"]), pd.concat(p["care"]).sort_index(kind="stable"))


def measures(ev: pd.DataFrame) -> Measures:
    """The measures of ``ev`` (sorted as ``read_log`` sorts it) as one bucket."""
    parts = Parts()
    parts.add(ev)
    return parts.combine()


def key_figures(m: Measures, warmup_weeks: int) -> dict[str, float]:
    """The headline figures of one run's process (also the rows of the comparison of two runs)."""
    traj, var, hand = m.trajectories, m.variants, m.handovers
    cost = cost_concentration(traj, warmup_weeks)
    n_traj = len(traj)
    to_care = m.to_care
    ended = traj[traj["ended"]]
    return {
        "jongeren": float(m.n_cases),
        "trajectories": float(n_traj),
        "events": float(m.n_events),
        "events_per_case": m.n_events / max(m.n_cases, 1),
        "variants": float(var.n_variants),
        "variants_for_80": float(var.for_80),
        "top_variant_share": float(var.table["share"].iloc[0]) if len(var.table) else float("nan"),
        "bounces_per_100_trajectories": 100.0 * float(m.n_bounces) / max(n_traj, 1),
        "handovers_per_case_mean": float(hand.per_case.mean()),
        "handovers_per_case_median": float(hand.per_case.median()),
        "toegang_to_care_weeks_median": float(to_care.median()) if len(to_care) else float("nan"),
        "toegang_to_care_weeks_mean": float(to_care.mean()) if len(to_care) else float("nan"),
        "throughput_weeks_median": float(ended["weeks"].median()) if len(ended) else float("nan"),
        "throughput_weeks_p90": float(np.quantile(ended["weeks"], 0.9)) if len(ended) else float("nan"),
        "open_at_horizon_share": float((~traj["ended"]).mean()) if n_traj else float("nan"),
        "cost_top20_share": cost.top_share,
    }


__all__ = ["END_ACTIVITIES", "OPENING_ACTIVITIES", "CostConcentration", "Handovers", "Measures", "Parts", "Variants",
           "activity_cases", "measures",
           "cost_concentration", "directly_follows", "handovers", "key_figures", "start_end_counts", "throughput",
           "throughput_cross", "toegang_to_care_weeks", "trajectories", "variants"]
