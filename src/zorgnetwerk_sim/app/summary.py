"""Plain-Dutch sentences and table rows from a comparison table (:func:`runner.compare`).

A difference is called real only when its paired 95% interval lies wholly on one side of zero;
otherwise the sentence says it is "niet te onderscheiden van toeval". When the table carries its
horizon (:func:`runner.compare.with_horizons`), every number says which years it is about: the
mean over the years after warm-up, and the difference in years 2, 5 and 10 after warm-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..runner.compare import HORIZON_YEARS
from .format import nl_eur, nl_number, nl_percent
from .labels import KPIS, Kpi

NOISE = "niet te onderscheiden van toeval"
#: Fewer paired replications than this give no verdict: with 2 to 4 the spread of the differences
#: is itself so uncertain that a narrow interval can be luck (a t-interval from 2 values rests on
#: one degree of freedom).
MIN_PAIRS = 5
#: At most this many decimals are added so that a bound that is not zero is not written as zero.
MAX_EXTRA_DECIMALS = 4


def _reads_as_zero(text: str) -> bool:
    """'0,0', '−0,00', '€ 0,00 mln': every digit a zero."""
    digits = re.sub(r"\D", "", text)
    return digits.strip("0") == ""


def horizon_text(measured_years: float) -> str:
    """'gemiddelde over jaar 1–8 na de inloop' (the horizon of a whole-run number)."""
    n = round(float(measured_years), 6)
    if n.is_integer():
        return "gemiddelde over jaar 1 na de inloop" if n == 1 else f"gemiddelde over jaar 1–{int(n)} na de inloop"
    return f"gemiddelde over de {nl_number(n, 1)} jaar na de inloop"


@dataclass(frozen=True)
class Difference:
    """One option's paired difference from the baseline on one KPI."""

    kpi: Kpi
    option: str
    baseline: str
    diff: float
    low: float
    high: float
    n_pairs: int
    #: Years after warm-up the whole-run numbers are about (NaN: not known).
    horizon_years: float = math.nan
    #: The difference in a year after warm-up: (year, Δ), for the years 2, 5, 10 the run covers.
    by_year: tuple[tuple[int, float], ...] = ()

    @property
    def has_interval(self) -> bool:
        return self.low == self.low and self.high == self.high

    @property
    def identical(self) -> bool:
        return self.diff == 0 and self.low == 0 and self.high == 0

    @property
    def enough(self) -> bool:
        """Enough paired replications for a verdict (:data:`MIN_PAIRS`)."""
        return self.n_pairs >= MIN_PAIRS

    @property
    def distinguishable(self) -> bool:
        """The 95% interval of the difference excludes zero (judged on the unrounded bounds), with
        enough replications to trust the interval."""
        return self.has_interval and self.enough and not self.identical and (self.low > 0 or self.high < 0)

    @property
    def digits(self) -> int:
        """Decimals for the difference and its interval: those that suit their size, plus as many as
        it takes for a bound or difference that is not zero not to read as zero. Otherwise a verdict
        taken from the unrounded interval ('beter': the upper bound is −0,037) would stand beside an
        interval that seems to touch zero ('−1,4 tot 0,0')."""
        d = self.kpi.decimals(self.diff, self.low, self.high)
        values = [v for v in (self.diff, self.low, self.high) if v == v and v != 0]
        for _ in range(MAX_EXTRA_DECIMALS):
            if not any(_reads_as_zero(self.kpi.fmt_plain(v, d)) for v in values):
                break
            d += 1
        return d

    @property
    def better(self) -> bool | None:
        """True when the option is better than the baseline on this KPI (only when distinguishable)."""
        if not self.distinguishable or self.kpi.lower_is_better is None:
            return None
        return (self.diff < 0) == self.kpi.lower_is_better

    def interval_text(self) -> str:
        d = self.digits
        return f"95%-BI {self.kpi.fmt_plain(self.low, d)} tot {self.kpi.fmt_plain(self.high, d)}"

    @property
    def horizon(self) -> str:
        """'gemiddelde over jaar 1–8 na de inloop', or '' when the table did not say."""
        return horizon_text(self.horizon_years) if self.horizon_years == self.horizon_years else ""

    def years_text(self) -> str:
        """'in jaar 2 −3,9, in jaar 5 −1,0' (the difference per year after warm-up, Dutch numbers)."""
        d = max(self.digits, self.kpi.decimals(self.diff, self.low, self.high, *(v for _, v in self.by_year)))
        return ", ".join(f"in jaar {year} {self._signed(value, d)}" for year, value in self.by_year)

    def _signed(self, value: float, decimals: int) -> str:
        if self.kpi.kind == "eur":
            return nl_eur(value, True, self.kpi.eur_unit, decimals)
        if self.kpi.kind == "share":
            return nl_percent(value, decimals, True)
        return nl_number(value, decimals, True)

    def _brackets(self) -> str:
        """'(gemiddelde over jaar 1–8 na de inloop, 95%-BI …; in jaar 2 …)': the horizon, interval, years."""
        inner = f"{self.horizon}, {self.interval_text()}" if self.horizon else self.interval_text()
        return f"({inner}; {self.years_text()})" if self.by_year else f"({inner})"

    def sentence(self, names: Mapping[str, str] | None = None) -> str:
        """E.g. 'Centrale wachtlijst verkort de gemiddelde wachttijd met 3,1 weken (95%-BI 2,4 tot 3,8) ...'."""
        show = (lambda p: names.get(p, p)) if names else (lambda p: p)
        option, base = show(self.option), show(self.baseline)
        if not self.enough or not self.has_interval:
            return (f"Voor {self.kpi.noun} van {option} zijn te weinig herhalingen ({self.n_pairs}, minstens "
                    f"{MIN_PAIRS} nodig) om een verschil met {base} te beoordelen: een interval uit zo weinig runs "
                    "kan toevallig smal zijn.")
        if self.identical:
            return f"{option} geeft in elke herhaling precies {self.kpi.noun} van {base}: geen verschil."
        if not self.distinguishable:
            return (f"Het verschil in {self.kpi.noun} tussen {option} en "
                    f"{base} is {NOISE} {self._brackets()}.")
        amount = self.kpi.fmt(abs(self.diff), self.digits)
        verb = self.kpi.down if self.diff < 0 else self.kpi.up
        return f"{option} {verb} {self.kpi.noun} met {amount} {self._brackets()} ten opzichte van {base}."


def differences(table: pd.DataFrame, kpis: tuple[str, ...] | list[str]) -> list[Difference]:
    """The non-baseline rows of a comparison table as :class:`Difference` objects, KPI by KPI."""
    out = []
    for key in kpis:
        if key not in KPIS:
            continue
        rows = table[(table["kpi"] == key) & (table["point"] != table["baseline"])]
        for _, r in rows.iterrows():
            by_year = tuple((h, float(r[f"diff_year{h}"])) for h in HORIZON_YEARS
                            if f"diff_year{h}" in r.index and r[f"diff_year{h}"] == r[f"diff_year{h}"])
            out.append(Difference(KPIS[key], str(r["point"]), str(r["baseline"]), float(r["diff"]),
                                  float(r["diff_ci_low"]), float(r["diff_ci_high"]), int(r["n_pairs"]),
                                  float(r.get("horizon_years", math.nan)), by_year))
    return out


def difference_rows(table: pd.DataFrame, kpis: tuple[str, ...] | list[str],
                    names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The paired-difference table as the page shows it: one row per option and KPI, Dutch numbers."""
    show = (lambda p: names.get(p, p)) if names else (lambda p: p)
    means = table.set_index(["kpi", "point"])
    rows = []
    diffs = differences(table, kpis)
    shown_years = sorted({year for d in diffs for year, _ in d.by_year})
    for d in diffs:
        at = dict(d.by_year)
        base_mean = means.loc[(d.kpi.key, d.baseline), "mean"]
        option_mean = means.loc[(d.kpi.key, d.option), "mean"]
        rows.append({
            "KPI": d.kpi.label,
            "Optie": show(d.option),
            "Basis": d.kpi.fmt(float(base_mean)),
            "Optie (gemiddeld)": d.kpi.fmt(float(option_mean)),
            "Verschil": d.kpi.fmt(d.diff, d.digits, signed=True),
            "95%-BI van het verschil": d.interval_text().removeprefix("95%-BI "),
            **({"Periode": d.horizon} if d.horizon else {}),
            **{f"Verschil in jaar {year}": d.kpi.fmt(at.get(year), d.kpi.decimals(d.diff, d.low, d.high, *at.values()),
                                                      signed=True) for year in shown_years},
            "Oordeel": ("beter" if d.better else "slechter" if d.better is False else
                        "verschil" if d.distinguishable else NOISE if d.enough else
                        f"te weinig herhalingen (minstens {MIN_PAIRS})"),
        })
    return rows
