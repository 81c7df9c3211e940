"""KPIs (docs/model.md §4.11): weekly counters per gemeente, the time series, and the run summary.

Agents add to plain Python lists on their Gemeente (cheap per event); once a week the recorder
copies them into a preallocated numpy array. Wait times and trajectory costs go into fixed
histograms, one per year after warm-up, so memory stays flat however long the run is.

:func:`summarize` gives the run's KPIs over all weeks after warm-up; :func:`summarize_years`
gives the same KPIs, by the same code, for each year after warm-up; :func:`yearly_kind`
says how the whole-run value follows from the yearly ones (:data:`YEARLY_KIND`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .caretypes import N_CARE_TYPES, PROVIDER_CARE

if TYPE_CHECKING:
    from .model import ZorgnetwerkModel

#: Stocks: how many jongeren are in a state, per gemeente (kept up to date by transitions).
STOCKS = ("waiting_toegang", "waiting_expertteam", "waiting_list", "in_care", "in_verblijf", "in_crisis")
#: Flows: counts (and sums) per gemeente per week.
FLOWS = ("new_needs", "assessments", "waitlist_entries", "care_starts", "placements", "crisis",
         "escalations", "withdrawals", "returns", "relapses", "bounces", "doorplaatsingen", "completed",
         "afschalingen", "aged_out", "lost_from_view", "waits_completed", "wait_weeks_sum", "waits_over_norm",
         "youth_in_care", "youth_in_specialist_care", "trajectories_ended", "trajectory_weeks_sum", "expertteam_cases",
         "expertteam_success", "expertteam_partial", "expertteam_fail", "expertteam_weeks_sum", "expertteam_weeks_success_sum", "expertteam_overdue",
         "expertteam_cases_maatwerk", "expertteam_fail_maatwerk",
         "resource_sharing", "diverted_to_wijkteam", "baseline_crises", "waits_left_uncompleted",
         "waits_left_weeks_sum")
COSTS = ("cost_care", "cost_extra_capacity", "cost_toegang", "cost_admin", "cost_coordination", "cost_prevention",
         "cost_trust")

S = {name: i for i, name in enumerate(STOCKS)}
F = {name: i for i, name in enumerate(FLOWS)}
C = {name: i for i, name in enumerate(COSTS)}

WAIT_BINS = 521  # wait weeks 0..520 (longer waits land in the last bin)
COST_EDGES = np.concatenate([[0.0], np.logspace(1, 8, 281)])  # trajectory cost, EUR, log bins
_COST_EDGES_LIST = COST_EDGES.tolist()  # the same edges for bisect (per trajectory, no numpy call)


class Recorder:
    def __init__(self, model: "ZorgnetwerkModel") -> None:
        self.model = model
        g = len(model.gemeenten)
        weeks = model.spec.weeks
        self.stocks = np.zeros((weeks, g, len(STOCKS)), dtype=np.int32)
        self.flows = np.zeros((weeks, g, len(FLOWS)), dtype=np.float64)
        self.costs = np.zeros((weeks, g, len(COSTS)), dtype=np.float64)
        self.region_trust = np.zeros((weeks, len(model.regions)))
        self.region_contracts = np.zeros((weeks, len(model.regions)))
        # The histograms are filled once per wait and per trajectory, so they are Python lists
        # (updating one numpy element costs ~10x more); wait_hist, cost_hist and cost_hist_sum
        # give them as numpy arrays. Each has one slot per year after warm-up (the year a wait or
        # trajectory ended in), so that a year's KPIs can be computed like the whole run's.
        self._warmup_weeks = model.spec.warmup_weeks  # read per event; the property rounds each time
        n_years = max(1, math.ceil((weeks - self._warmup_weeks) / 52))
        # wait weeks by year, size class (0 small, 1 large) and kind (0 standard, 1 urgent, 2 maatwerk)
        self._wait_counts = [[[[0] * WAIT_BINS for _ in range(3)] for _ in range(2)] for _ in range(n_years)]
        self._cost_counts = [[0] * len(COST_EDGES) for _ in range(n_years)]
        self._cost_sums = [[0.0] * len(COST_EDGES) for _ in range(n_years)]
        self.overspent = np.zeros((math.ceil(weeks / 52) + 1, g), dtype=bool)
        self.prevention_cut = np.zeros((math.ceil(weeks / 52) + 1, g), dtype=bool)
        self.judged = np.zeros(math.ceil(weeks / 52) + 1, dtype=bool)  # years whose budgets were judged
        self.churn_events = 0
        self.exits = 0
        self.places_added = 0.0     # places contracted extra after the warm-up (capacity response)
        self.places_released = 0.0  # ... and given back
        # Per care type: jongeren on its wachtlijsten now, weekly, and the time each stay on a
        # list lasted, whatever ended it (for Little's law and the all-leavers wait).
        self.list_stock = [0] * N_CARE_TYPES
        self.list_stocks = np.zeros((weeks, N_CARE_TYPES), dtype=np.int32)
        self.team_short = np.zeros(weeks)  # share of expertteams short of time, weekly
        self._list_n = [[0] * N_CARE_TYPES for _ in range(n_years)]
        self._list_weeks = [[0] * N_CARE_TYPES for _ in range(n_years)]

    # -- called from the pathway -------------------------------------------------------------
    def wait_completed(self, large: bool, kind: int, weeks: int) -> None:
        week = self.model.week
        if week >= self._warmup_weeks:
            year = (week - self._warmup_weeks) // 52
            self._wait_counts[year][1 if large else 0][kind][min(weeks, WAIT_BINS - 1)] += 1

    def list_left(self, care: int, weeks: int) -> None:
        self.list_stock[care] -= 1
        week = self.model.week
        if week >= self._warmup_weeks:
            year = (week - self._warmup_weeks) // 52
            self._list_n[year][care] += 1
            self._list_weeks[year][care] += weeks

    def trajectory_cost(self, eur: float) -> None:
        week = self.model.week
        if week >= self._warmup_weeks:
            # bisect_right on the same edges = np.searchsorted(..., side="right"), without
            # numpy's per-call overhead (once per trajectory)
            i = bisect_right(_COST_EDGES_LIST, eur) - 1
            year = (week - self._warmup_weeks) // 52
            self._cost_counts[year][i] += 1
            self._cost_sums[year][i] += eur

    def _years_of(self, start: int | None, end: int | None) -> slice:
        """The yearly histogram slots of the weeks start..end (whole years after warm-up)."""
        w0 = self._warmup_weeks
        if start is None or end is None:
            return slice(None)
        return slice((start - w0) // 52, math.ceil((end - w0) / 52))

    def wait_hist_in(self, start: int | None = None, end: int | None = None) -> np.ndarray:
        """Completed waits in weeks start..end: [size class (0 small, 1 large), kind, weeks waited]."""
        return np.array(self._wait_counts[self._years_of(start, end)], dtype=np.int64).reshape(
            -1, 2, 3, WAIT_BINS).sum(axis=0)

    @property
    def wait_hist(self) -> np.ndarray:
        """Completed waits after warm-up: [size class (0 small, 1 large), kind, weeks waited]."""
        return self.wait_hist_in()

    def cost_hist_in(self, start: int | None = None, end: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Trajectories finished in weeks start..end per cost bin (COST_EDGES), and their summed cost (EUR)."""
        years = self._years_of(start, end)
        counts = np.array(self._cost_counts[years], dtype=np.int64).reshape(-1, len(COST_EDGES)).sum(axis=0)
        sums = np.array(self._cost_sums[years], dtype=np.float64).reshape(-1, len(COST_EDGES)).sum(axis=0)
        return counts, sums

    @property
    def cost_hist(self) -> np.ndarray:
        """Finished trajectories per cost bin (COST_EDGES)."""
        return self.cost_hist_in()[0]

    @property
    def cost_hist_sum(self) -> np.ndarray:
        """Their summed cost per bin (EUR)."""
        return self.cost_hist_in()[1]

    def list_left_in(self, start: int | None = None, end: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per care type: stays on a wachtlijst that ended in weeks start..end, and their summed weeks."""
        years = self._years_of(start, end)
        n = np.array(self._list_n[years], dtype=np.int64).reshape(-1, N_CARE_TYPES).sum(axis=0)
        weeks = np.array(self._list_weeks[years], dtype=np.int64).reshape(-1, N_CARE_TYPES).sum(axis=0)
        return n, weeks

    # -- weekly ------------------------------------------------------------------------------
    def close_week(self, week: int) -> None:
        gems = self.model.gemeenten
        self.stocks[week] = [g.stock for g in gems]
        self.flows[week] = [g.flow for g in gems]
        self.costs[week] = [g.cost for g in gems]
        for g in gems:
            g.flow = [0] * len(FLOWS)
            g.cost = [0.0] * len(COSTS)
        self.list_stocks[week] = self.list_stock
        teams = self.model.expertteams
        self.team_short[week] = sum(t.short_of_time for t in teams) / len(teams) if teams else 0.0
        for i, region in enumerate(self.model.regions):
            self.region_trust[week, i] = region.trust.mean_of_relations([g.org_id for g in region.gemeenten],
                                                                       [a.org_id for a in region.aanbieders])
            self.region_contracts[week, i] = region.contracts_per_aanbieder()

    # -- outputs -----------------------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        """One row per week per gemeente."""
        weeks_done = self.model.week
        gems = self.model.gemeenten
        n_g = len(gems)
        week_idx = np.repeat(np.arange(weeks_done), n_g)
        data: dict[str, object] = {
            "week": week_idx.astype(np.int32),
            "year": (week_idx // 52).astype(np.int16),
            "gemeente": pd.Categorical(np.tile([g.name for g in gems], weeks_done)),
            "region": pd.Categorical(np.tile([g.region.name for g in gems], weeks_done)),
            "size_class": pd.Categorical(np.tile(["groot" if g.large else "klein" for g in gems], weeks_done)),
            "youth": np.tile([g.youth for g in gems], weeks_done).astype(np.int32),
        }
        for i, name in enumerate(STOCKS):
            data[name] = self.stocks[:weeks_done, :, i].reshape(-1)
        for i, name in enumerate(FLOWS):
            col = self.flows[:weeks_done, :, i].reshape(-1)
            data[name] = col if name.endswith("_sum") else col.astype(np.int32)
        for i, name in enumerate(COSTS):
            data[name] = self.costs[:weeks_done, :, i].reshape(-1)
        data["cost_total"] = self.costs[:weeks_done].sum(axis=2).reshape(-1)
        region_of = np.array([g.region.index for g in gems])
        data["trust_mean"] = self.region_trust[:weeks_done][:, region_of].reshape(-1)
        return pd.DataFrame(data)

    def summary(self) -> dict[str, float]:
        return summarize(self)


def _quantile_from_hist(hist: np.ndarray, q: float) -> float:
    total = hist.sum()
    if total == 0:
        return float("nan")
    return float(np.searchsorted(np.cumsum(hist), q * total, side="left"))


def _mean_from_hist(hist: np.ndarray) -> float:
    total = hist.sum()
    return float((hist * np.arange(len(hist))).sum() / total) if total else float("nan")


def _top_share(counts: np.ndarray, sums: np.ndarray, share: float) -> float:
    """Share of cost in the costliest ``share`` of trajectories (from the log-binned histogram)."""
    total_n, total_cost = counts.sum(), sums.sum()
    if total_n == 0 or total_cost <= 0:
        return float("nan")
    need = share * total_n
    taken_cost = 0.0
    for i in range(len(counts) - 1, -1, -1):
        if counts[i] == 0:
            continue
        take = min(counts[i], need)
        taken_cost += sums[i] * take / counts[i]
        need -= take
        if need <= 0:
            break
    return float(taken_cost / total_cost)


def summarize(rec: Recorder) -> dict[str, float]:
    """The run's KPIs over the weeks after warm-up (flat: name → number)."""
    return _summarize(rec, rec.model.spec.warmup_weeks, rec.model.week)[0]


def summarize_years(rec: Recorder) -> list[dict[str, float]]:
    """The KPIs of each year after warm-up, by the code of :func:`summarize`, one dict per year.

    Year k covers weeks warm-up + 52(k − 1) … warm-up + 52k (the last year may be shorter:
    ``years_measured`` is its length in years). Each dict has ``year`` (1, 2, …) and, for the
    KPIs that are ratios, ``weight:<kpi>``: the count the ratio is over in that year (see
    :data:`YEARLY_KIND`). KPIs counted over the whole run only are NaN.
    """
    w0, w1 = rec.model.spec.warmup_weeks, rec.model.week
    out = []
    for k, start in enumerate(range(w0, w1, 52)):
        values, weights = _summarize(rec, start, min(start + 52, w1), whole=False)
        row = {"year": float(k + 1), **values}
        row.update({f"{WEIGHT_PREFIX}{kpi}": w for kpi, w in weights.items()})
        out.append(row)
    return out


#: Prefix of the yearly weight columns (``weight:wait_weeks_mean``).
WEIGHT_PREFIX = "weight:"
#: How a KPI's whole-run value follows from its yearly values (summarize_years). "mean": it is the
#: mean of the yearly values weighted by the length of each year (``years_measured``) or, for a
#: ratio, by the yearly count it is over (``weight:<kpi>``). "own": each year has its own value,
#: but the whole run's is not a mean of them (quantiles, shares of the costliest trajectories, the
#: value at the end, yearly budget verdicts). "run": counted over the whole run only; no yearly
#: values. KPIs not listed are "mean".
YEARLY_KIND: dict[str, str] = {
    "years_measured": "run", "wait_weeks_median": "own", "wait_weeks_p90": "own", "cost_top20_share": "own",
    "trust_end": "own", "places_added_per_year": "run", "places_released_per_year": "run", "churn_events": "run",
    "aanbieder_exits": "run", "small_overspent_share": "own", "large_overspent_share": "own",
    "small_prevention_cut_share": "own", "large_prevention_cut_share": "own",
}


def yearly_kind(kpi: str) -> str:
    """"mean", "own" or "run": see :data:`YEARLY_KIND`."""
    return YEARLY_KIND.get(kpi, "mean")


def _summarize(rec: Recorder, w0: int, w1: int, whole: bool = True) -> tuple[dict[str, float], dict[str, float]]:
    """The KPIs over weeks w0..w1 and the weights of the ratio KPIs (``whole``: the whole run after
    warm-up, which also has the KPIs counted over the whole run only)."""
    model = rec.model
    years = max((w1 - w0) / 52.0, 1e-9)
    st = rec.stocks[w0:w1]
    fl = rec.flows[w0:w1]
    co = rec.costs[w0:w1]
    youth = np.array([g.youth for g in model.gemeenten], dtype=float)
    large = np.array([g.large for g in model.gemeenten])
    per1000 = 1000.0 / youth.sum()

    def flow(name: str, mask: np.ndarray | None = None) -> float:
        x = fl[:, :, F[name]]
        return float(x[:, mask].sum() if mask is not None else x.sum())

    def stock_mean(name: str, mask: np.ndarray | None = None) -> float:
        x = st[:, :, S[name]]
        return float(x[:, mask].sum(axis=1).mean() if mask is not None else x.sum(axis=1).mean())

    wait_hist = rec.wait_hist_in(w0, w1)
    hist = wait_hist.sum(axis=(0, 1))
    by_kind = wait_hist.sum(axis=0)
    waits = flow("waits_completed")
    cost_by = {name: float(co[:, :, i].sum()) / years for i, name in enumerate(COSTS)}
    cost_year = sum(cost_by.values())
    # the budgets of the measured weeks (they follow tariffs and their own real growth)
    budget = sum(g.budget_eur_per_year for g in model.gemeenten) * sum(
        model.budget_growth(52 * (w // 52)) for w in range(w0, w1)) / 52.0 / years
    et_cases = flow("expertteam_cases")
    ended = flow("trajectories_ended")
    cost_counts, cost_sums = rec.cost_hist_in(w0, w1)
    list_n, list_weeks = rec.list_left_in(w0, w1)
    out: dict[str, float] = {
        "years_measured": years,
        "youth_population": float(youth.sum()),
        # wachtlijst
        "waitlist_mean": stock_mean("waiting_list") + stock_mean("waiting_expertteam"),
        "waitlist_aanbieder_mean": stock_mean("waiting_list"),
        "toegang_queue_mean": stock_mean("waiting_toegang"),
        "waiting_total_mean": stock_mean("waiting_list") + stock_mean("waiting_expertteam")
        + stock_mean("waiting_toegang"),
        "waitlist_per_1000_youth": (stock_mean("waiting_list") + stock_mean("waiting_expertteam")) * per1000,
        "waitlist_entries_per_year": flow("waitlist_entries") / years,
        "wait_weeks_mean": _mean_from_hist(hist),
        "wait_weeks_median": _quantile_from_hist(hist, 0.5),
        "wait_weeks_p90": _quantile_from_hist(hist, 0.9),
        # everyone who left a referral's wait, served or not (withdrawn, crisis, aged out, …)
        "wait_all_leavers_weeks_mean": ((flow("wait_weeks_sum") + flow("waits_left_weeks_sum"))
                                        / (waits + flow("waits_left_uncompleted"))
                                        if waits + flow("waits_left_uncompleted") else float("nan")),
        "waits_left_unserved_per_year": flow("waits_left_uncompleted") / years,
        "wait_over_norm_share": flow("waits_over_norm") / waits if waits else float("nan"),
        "standard_wait_weeks_mean": _mean_from_hist(by_kind[0]),
        "urgent_wait_weeks_mean": _mean_from_hist(by_kind[1]),
        "maatwerk_wait_weeks_mean": _mean_from_hist(by_kind[2]),
        "withdrawals_per_year": flow("withdrawals") / years,
        "returns_per_year": flow("returns") / years,
        "bounces_per_year": flow("bounces") / years,
        "escalations_per_year": flow("escalations") / years,
        # uithuisplaatsing
        "placements_per_year": flow("placements") / years,
        "placements_per_1000_youth": flow("placements") / years * per1000,
        "verblijf_mean": stock_mean("in_verblijf"),
        "verblijf_per_1000_youth": stock_mean("in_verblijf") * per1000,
        "crisis_per_year": flow("crisis") / years,
        "baseline_crisis_per_year": flow("baseline_crises") / years,
        # care use
        "youth_in_care_per_year": flow("youth_in_care") / years,
        "youth_in_care_share": flow("youth_in_care") / years / youth.sum(),
        "youth_in_specialist_care_per_year": flow("youth_in_specialist_care") / years,
        "youth_in_specialist_care_share": flow("youth_in_specialist_care") / years / youth.sum(),
        "in_care_mean": stock_mean("in_care"),
        "new_needs_per_year": flow("new_needs") / years,
        "care_starts_per_year": flow("care_starts") / years,
        "doorplaatsingen_per_year": flow("doorplaatsingen") / years,
        "relapses_per_year": flow("relapses") / years,
        "afschalingen_per_year": flow("afschalingen") / years,
        "diverted_to_wijkteam_per_year": flow("diverted_to_wijkteam") / years,
        "places_added_per_year": rec.places_added / years if whole else float("nan"),
        "places_released_per_year": rec.places_released / years if whole else float("nan"),
        "trajectory_weeks_mean": flow("trajectory_weeks_sum") / ended if ended else float("nan"),
        # kosten
        "cost_per_year_eur": cost_year,
        **{f"{name}_per_year_eur": value for name, value in cost_by.items()},
        "cost_per_youth_eur": cost_year / youth.sum(),
        # in the prices of the run's first year (tariff inflation taken out), comparable across
        # horizons and with a figure of one year
        "cost_per_youth_start_prices_eur": float(
            (co.sum(axis=(1, 2)) / (1.0 + model.spec.uncertainties.tariff_inflation_per_year)
             ** (np.arange(w0, w1) / 52.0)).sum()) / years / youth.sum(),
        "cost_vs_budget": cost_year / budget if budget else float("nan"),
        "cost_top20_share": _top_share(cost_counts, cost_sums, 0.2),
        # expertteam
        "expertteam_cases_per_year": et_cases / years,
        "expertteam_success_share": flow("expertteam_success") / et_cases if et_cases else float("nan"),
        "expertteam_partial_share": flow("expertteam_partial") / et_cases if et_cases else float("nan"),
        "expertteam_fail_share": flow("expertteam_fail") / et_cases if et_cases else float("nan"),
        "expertteam_weeks_mean": flow("expertteam_weeks_sum") / et_cases if et_cases else float("nan"),
        "expertteam_weeks_success_mean": (flow("expertteam_weeks_success_sum") / flow("expertteam_success")
                                          if flow("expertteam_success") else float("nan")),
        "expertteam_weeks_other_mean": ((flow("expertteam_weeks_sum") - flow("expertteam_weeks_success_sum"))
                                        / (et_cases - flow("expertteam_success"))
                                        if et_cases > flow("expertteam_success") else float("nan")),
        "expertteam_short_of_time_share": float(rec.team_short[w0:w1].mean()) if w1 > w0 else float("nan"),
        "expertteam_fail_share_maatwerk": (flow("expertteam_fail_maatwerk") / flow("expertteam_cases_maatwerk")
                                           if flow("expertteam_cases_maatwerk") else float("nan")),
        "expertteam_fail_share_standard": ((flow("expertteam_fail") - flow("expertteam_fail_maatwerk"))
                                           / (et_cases - flow("expertteam_cases_maatwerk"))
                                           if et_cases > flow("expertteam_cases_maatwerk") else float("nan")),
        "lost_from_view_per_year": flow("lost_from_view") / years,
        "expertteam_overdue_per_year": flow("expertteam_overdue") / years,
        # network
        "trust_mean": float(rec.region_trust[w0:w1].mean()),
        "trust_end": float(rec.region_trust[w1 - 1].mean()),
        "resource_sharing_per_year": flow("resource_sharing") / years,
        "contracts_per_aanbieder": float(rec.region_contracts[w0:w1].mean()),
        "churn_events": float(rec.churn_events) if whole else float("nan"),
        "aanbieder_exits": float(rec.exits) if whole else float("nan"),
    }
    # the count each ratio KPI is over (its weight in a mean of yearly values)
    waits_left = flow("waits_left_uncompleted")
    et_success, et_maatwerk = flow("expertteam_success"), flow("expertteam_cases_maatwerk")
    weights: dict[str, float] = {
        "wait_weeks_mean": float(hist.sum()),
        "wait_all_leavers_weeks_mean": waits + waits_left,
        "wait_over_norm_share": waits,
        "standard_wait_weeks_mean": float(by_kind[0].sum()),
        "urgent_wait_weeks_mean": float(by_kind[1].sum()),
        "maatwerk_wait_weeks_mean": float(by_kind[2].sum()),
        "trajectory_weeks_mean": ended,
        "cost_vs_budget": budget * years,
        "expertteam_success_share": et_cases, "expertteam_partial_share": et_cases,
        "expertteam_fail_share": et_cases, "expertteam_weeks_mean": et_cases,
        "expertteam_weeks_success_mean": et_success,
        "expertteam_weeks_other_mean": et_cases - et_success,
        "expertteam_fail_share_maatwerk": et_maatwerk,
        "expertteam_fail_share_standard": et_cases - et_maatwerk,
    }
    # per care type: the wachtlijst, its entries and the time on it of everyone who left it
    for t in PROVIDER_CARE:
        if t.key == "crisis":
            continue
        n, weeks = int(list_n[t]), int(list_weeks[t])
        out[f"waitlist_mean_{t.key}"] = float(rec.list_stocks[w0:w1, t].mean())
        out[f"waitlist_entries_per_year_{t.key}"] = n / years
        out[f"wait_all_leavers_weeks_mean_{t.key}"] = weeks / n if n else float("nan")
        weights[f"wait_all_leavers_weeks_mean_{t.key}"] = float(n)
    # equity: small vs large gemeenten
    y0, y1 = w0 // 52, math.ceil(w1 / 52)
    for label, mask in (("small", ~large), ("large", large)):
        if not mask.any():
            continue
        y = youth[mask].sum()
        hist_c = wait_hist[1 if label == "large" else 0].sum(axis=0)
        weights[f"{label}_wait_weeks_mean"] = float(hist_c.sum())
        out[f"{label}_waitlist_per_1000_youth"] = (stock_mean("waiting_list", mask)
                                                   + stock_mean("waiting_expertteam", mask)) * 1000 / y
        out[f"{label}_wait_weeks_mean"] = _mean_from_hist(hist_c)
        out[f"{label}_placements_per_1000_youth"] = flow("placements", mask) / years * 1000 / y
        out[f"{label}_cost_per_youth_eur"] = float(co[:, mask, :].sum()) / years / y
        judged = np.flatnonzero(rec.judged[y0:y1]) + y0
        out[f"{label}_overspent_share"] = float(rec.overspent[judged][:, mask].mean()) if len(judged) else float("nan")
        out[f"{label}_prevention_cut_share"] = float(rec.prevention_cut[y0:y1, mask].mean()) if y1 > y0 else float("nan")
    return out, weights
