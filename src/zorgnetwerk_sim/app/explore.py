"""One run to watch (Verkennen) and its view per gemeente: controls, weekly series, KPI strip, exports.

The controls are generated from the scenario schema: every lever and uncertainty with its type,
range, unit and source (:func:`parameter_table`), and a Dutch label from :mod:`.labels`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..api import Simulation
from ..metrics import C, F, S
from ..runner.experiment import _kind, _leaf_annotation
from ..scenario import Scenario, parameter_table, scenario_from_dict, scenario_to_toml
from ..scenario.loader import read_scenario_file, resolve_path
from .labels import CONTROLS, LEVER_GROUPS, UNCERTAINTY_GROUP, ControlText, source_nl, unit_nl

ROLLING_WEEKS = 13


@dataclass(frozen=True)
class Control:
    """One generated control: a lever (what the region chooses) or an uncertainty (what it does not know)."""

    key: str
    kind: str  # 'categorical', 'boolean', 'integer', 'number'
    label: str
    meaning: str
    group: str
    unit: str
    source: str
    low: float | None
    high: float | None
    choices: tuple[Any, ...] | None
    choice_labels: dict[str, str] | None
    is_lever: bool

    #: A range wider than this is a safety bound of the schema (0 to 10.000.000 euro), not a range to
    #: slide through: such a control is a number field that checks the bounds.
    MAX_SLIDER_SPAN = 100_000

    @property
    def slider(self) -> bool:
        return (self.low is not None and self.high is not None
                and float(self.high) - float(self.low) <= self.MAX_SLIDER_SPAN)

    @property
    def tooltip(self) -> str:
        bounds = "" if self.low is None and self.high is None else \
            f" Bereik: {_plain(self.low)} tot {_plain(self.high) if self.high is not None else 'onbegrensd'}."
        unit = f" Eenheid: {self.unit}." if self.unit and self.kind in ("integer", "number") else ""
        return f"{self.meaning}{unit}{bounds} Bron: {self.source}."

    def step(self, value: float | None = None) -> float:
        """A slider step: a power of ten, at least 100 steps over the range (1 for whole numbers).

        A slider snaps its value to the grid ``low + k * step`` and reports the snapped value
        back, which would change the setting and restart the run without anyone touching it.
        So the step is made finer (down to 1e-6) until ``value`` lies on the grid.
        """
        if self.kind == "integer":
            return 1
        low = self.low or 0.0
        span = (self.high or 0) - low
        if span <= 0:
            return 0.01
        exponent = math.floor(math.log10(span / 100))
        while value is not None and exponent > -6 and not _on_grid(value - low, 10.0 ** exponent):
            exponent -= 1
        return float(f"1e{exponent}")

    def choice_label(self, value: Any) -> str:
        text = "" if value is None else str(value)
        return (self.choice_labels or {}).get(text, text)


def _on_grid(offset: float, step: float) -> bool:
    k = offset / step
    return abs(k - round(k)) < 1e-6


def _plain(value: float | None) -> str:
    from .format import nl_number

    if value is None:
        return "–"
    return nl_number(value, 0 if float(value).is_integer() else None)


def controls() -> list[Control]:
    """Every lever and uncertainty of the schema as a control (levers first, in schema order)."""
    out = []
    for row in parameter_table():
        key = row["key"]
        if not key.startswith(("levers.", "uncertainties.")):
            continue
        kind, choices = _kind(_leaf_annotation(key))
        text = CONTROLS.get(key) or ControlText(key.rsplit(".", 1)[-1].replace("_", " "), row["description"],
                                                 UNCERTAINTY_GROUP if key.startswith("uncertainties.")
                                                 else LEVER_GROUPS[0])
        if key == "levers.coordination.collaboration_form":
            choices = ("",) + tuple(choices or ())  # '' = no preset
        out.append(Control(key, kind, text.label, text.meaning, text.group, unit_nl(row["unit"]),
                           source_nl(str(row["source"] or "")), row["min"], row["max"], choices, text.options,
                           key.startswith("levers.")))
    order = {g: i for i, g in enumerate((*LEVER_GROUPS, UNCERTAINTY_GROUP))}
    return sorted(out, key=lambda c: order.get(c.group, len(order)))


def value_of(scenario: Scenario, key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = getattr(node, part)
    return "" if node is None and key.endswith("collaboration_form") else node


def base_raw(name: str) -> dict[str, Any]:
    """The raw data of a shipped scenario (``base`` resolved), name set."""
    path = resolve_path(name)
    raw = read_scenario_file(path)
    raw.setdefault("name", path.stem)
    return raw


def resolve(raw: dict[str, Any], overrides: dict[str, Any], source: str = "<app>") -> Scenario:
    """The scenario with the user's settings (``''`` as collaboration form means: no preset)."""
    clean = {k: (None if v == "" else v) for k, v in overrides.items()}
    data = dict(raw)
    if clean.get("levers.coordination.collaboration_form", "x") is None:
        clean.pop("levers.coordination.collaboration_form")
        levers = dict(data.get("levers", {}))
        levers["coordination"] = {k: v for k, v in dict(levers.get("coordination", {})).items()
                                  if k != "collaboration_form"}
        data["levers"] = levers
    return scenario_from_dict(data, source, clean)


# ---------------------------------------------------------------------------------------------
# Weekly series of a running simulation
# ---------------------------------------------------------------------------------------------
COST_PARTS = {"cost_care": "zorg", "cost_extra_capacity": "extra plaatsen", "cost_toegang": "toegang", "cost_admin": "administratie",
              "cost_coordination": "coördinatie", "cost_prevention": "preventie", "cost_trust": "vertrouwen"}


def weekly(sim: Simulation) -> pd.DataFrame:
    """Region totals per week so far: wachtlijst, wachttijd, uithuisplaatsingen, crisis, kosten, trust.

    The sums over gemeenten of the run's time series (``timeseries.parquet``), taken straight from
    the recorder's arrays: it runs after every step of the Verkennen page, and building the
    per-gemeente table first cost more than the step itself."""
    rec = sim.model.recorder
    weeks = sim.model.week
    if weeks == 0:
        return pd.DataFrame()
    stocks, flows, costs = (a[:weeks].sum(axis=1) for a in (rec.stocks, rec.flows, rec.costs))
    data: dict[str, np.ndarray] = {name: stocks[:, S[name]].astype(float)
                                   for name in ("waiting_list", "waiting_expertteam", "waiting_toegang")}
    data.update({name: flows[:, F[name]] for name in ("placements", "crisis", "waits_completed", "wait_weeks_sum")})
    data.update({name: costs[:, C[name]] for name in COST_PARTS if name in C})
    data["cost_total"] = costs.sum(axis=1)
    region_of = [g.region.index for g in sim.model.gemeenten]  # the gemeenten's mean, as per row
    data["trust_mean"] = rec.region_trust[:weeks][:, region_of].mean(axis=1)
    data["wachtlijst"] = data["waiting_list"] + data["waiting_expertteam"]
    # Rolling 13-week windows (the first weeks: what there is so far)
    window = np.minimum(np.arange(1, weeks + 1), ROLLING_WEEKS)
    waits = _rolling_sum(data["waits_completed"])
    with np.errstate(invalid="ignore", divide="ignore"):
        data["wachttijd"] = np.where(waits > 0, _rolling_sum(data["wait_weeks_sum"]) / waits, np.nan)
    for col in ("placements", "crisis", *COST_PARTS, "cost_total"):
        if col in data:
            data[f"{col}_per_year"] = _rolling_sum(data[col]) / window * 52
    data["year"] = np.arange(weeks) / 52.0
    return pd.DataFrame(data, index=pd.RangeIndex(weeks, name="week"))


def _rolling_sum(x: np.ndarray) -> np.ndarray:
    """Sum over the last ROLLING_WEEKS values up to each week."""
    total = np.cumsum(x)
    out = total.copy()
    out[ROLLING_WEEKS:] -= total[:-ROLLING_WEEKS]
    return out


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    change: str  # since the start of the run
    key: str


def kpi_strip(week: pd.DataFrame, warmup_weeks: int = 0) -> list[Headline]:
    """Headline numbers now and their change since the end of the warm-up.

    Nothing during the warm-up (``warmup_weeks``): the model starts from a stylised state and its
    first weeks say nothing about the region (a 13-week window of two weeks made 286
    uithuisplaatsingen per jaar of them).
    """
    from .format import nl_eur, nl_number

    if week.empty or len(week) <= warmup_weeks:
        return []
    week = week.iloc[warmup_weeks:]
    now, start = week.iloc[-1], week.iloc[0]
    first = week.iloc[:min(ROLLING_WEEKS, len(week))]

    def delta(a: float, b: float, fmt: Any) -> str:
        if a != a or b != b:
            return "–"
        return "sinds start: " + fmt(a - b, True)

    wait_start = float(first["wachttijd"].dropna().iloc[-1]) if first["wachttijd"].notna().any() else math.nan
    items = [
        Headline("Wachtlijst", f"{nl_number(now['wachtlijst'], 0)} jongeren",
                 delta(now["wachtlijst"], start["wachtlijst"], lambda v, s: nl_number(v, 0, s)), "wachtlijst"),
        Headline("Wachttijd (13 weken)", f"{nl_number(now['wachttijd'])} weken",
                 delta(now["wachttijd"], wait_start, lambda v, s: nl_number(v, 1, s)), "wachttijd"),
        Headline("Uithuisplaatsingen", f"{nl_number(now['placements_per_year'], 0)} per jaar",
                 delta(now["placements_per_year"], first["placements_per_year"].iloc[-1],
                       lambda v, s: nl_number(v, 0, s)), "uithuisplaatsingen"),
        Headline("Crisisopnames", f"{nl_number(now['crisis_per_year'], 0)} per jaar",
                 delta(now["crisis_per_year"], first["crisis_per_year"].iloc[-1], lambda v, s: nl_number(v, 0, s)),
                 "crisis"),
        Headline("Kosten", f"{nl_eur(now['cost_total_per_year'], unit='mln')} per jaar",
                 delta(now["cost_total_per_year"], first["cost_total_per_year"].iloc[-1],
                       lambda v, s: nl_eur(v, s, unit="mln")), "kosten"),
        Headline("Vertrouwen", nl_number(now["trust_mean"], 2),
                 delta(now["trust_mean"], start["trust_mean"], lambda v, s: nl_number(v, 2, s)), "vertrouwen"),
    ]
    return items


# ---------------------------------------------------------------------------------------------
# Per gemeente
# ---------------------------------------------------------------------------------------------
def per_gemeente(sim: Simulation) -> pd.DataFrame:
    """Per gemeente over the weeks after warm-up (all weeks while still in warm-up): equity KPIs.

    Kosten t.o.v. budget compares each gemeente's cost with its youth budget, raised each year
    with the tariff inflation, as the run summary does for the region.
    """
    ts = sim.model.recorder.timeseries()
    if ts.empty:
        return pd.DataFrame()
    w0 = sim.scenario.warmup_weeks if ts["week"].max() >= sim.scenario.warmup_weeks else 0
    ts = ts[ts["week"] >= w0]
    weeks = ts["week"].nunique()
    years = weeks / 52.0
    inflation = 1.0 + sim.scenario.uncertainties.tariff_inflation_per_year
    budget_years = sum(inflation ** (w // 52) for w in sorted(ts["week"].unique())) / 52.0
    g = ts.groupby("gemeente", sort=False, observed=True)
    youth = g["youth"].mean()
    waiting = (g["waiting_list"].sum() + g["waiting_expertteam"].sum()) / weeks
    gems = {gm.name: gm for gm in sim.model.gemeenten}
    table = pd.DataFrame({
        "gemeente": youth.index.astype(str),
        "inwoners": [gems[n].inhabitants for n in youth.index],
        "grootte": g["size_class"].first().astype(str).to_numpy(),
        "jongeren": youth.to_numpy(),
        "wachtlijst_per_1000": (waiting / youth * 1000).to_numpy(),
        "uithuisplaatsingen_per_1000_per_jaar": (g["placements"].sum() / years / youth * 1000).to_numpy(),
        "kosten_per_jaar": (g["cost_total"].sum() / years).to_numpy(),
        "kosten_per_jongere": (g["cost_total"].sum() / years / youth).to_numpy(),
        "budget_per_jaar": [gems[n].budget_eur_per_year for n in youth.index],
    })
    table["kosten_tov_budget"] = table["kosten_per_jaar"] * years / (table["budget_per_jaar"] * budget_years)
    return table.sort_values("inwoners", ascending=False, kind="stable").reset_index(drop=True)


def size_classes(table: pd.DataFrame) -> pd.DataFrame:
    """Small vs large gemeenten: youth-weighted means of the per-gemeente table."""
    rows = []
    for size, sub in table.groupby("grootte", sort=True):
        w = sub["jongeren"]
        rows.append({
            "grootte": size, "gemeenten": len(sub), "jongeren": float(w.sum()),
            "wachtlijst_per_1000": float(np.average(sub["wachtlijst_per_1000"], weights=w)),
            "uithuisplaatsingen_per_1000_per_jaar": float(np.average(sub["uithuisplaatsingen_per_1000_per_jaar"],
                                                                     weights=w)),
            "kosten_per_jongere": float(sub["kosten_per_jaar"].sum() / w.sum()),
            "kosten_tov_budget": float((sub["kosten_tov_budget"] * sub["budget_per_jaar"]).sum()
                                       / sub["budget_per_jaar"].sum()),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------
def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def scenario_toml(scenario: Scenario) -> bytes:
    """The fully resolved scenario; ``zorgsim run FILE`` repeats the app's run exactly."""
    return scenario_to_toml(scenario).encode("utf-8")
