"""The validation report (``zorgsim validate-model`` → docs/validation.md).

One plan, all its runs in one process pool, one generated Markdown file:

1. **Targets**: every target of ``data/targets.toml`` beside the model's mean and 95% interval
   over seeds, for each scenario it applies to: the fitted targets (agreement is no evidence) and
   the held-out targets (the validation) in separate tables.
2. **Internal consistency**: every jongere accounted for at the end of a run (entered = left +
   active, and the active ones are all in a state the KPIs count); the same seed gives the same
   summary in this process and in a pool worker; Little's law per care type (mean number on the
   wachtlijst ≈ entries per week × mean weeks on the list of everyone who left it).
3. **Face validity**: paired runs (the same seeds with and without a change) and comparisons
   within a run, with the direction each seed describes; emergent directions (validation) apart
   from assumed ones (built in by a parameter, not counted).
4. **Baseline trend**: the yearly mean wachtlijst of the baseline over a long run, its fitted
   slope per year with a 95% interval over seeds, against the band in the targets file.
5. **The national scenario year by year** (``--national``): its targets per simulated year after
   warm-up (costs in the prices of each figure's year), youth in care by both definitions, and the
   trend of its wachtlijst.
6. **What the model does not reproduce**: the checks that failed or were unclear, and the fixed
   list of the targets file.

Seeds: replication r of a scenario runs with ``runner.seeds.replication_seed(scenario seed, r)``,
as in a sweep, so a paired check's runs share their random numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from .agents.jongere import STATE_STOCK, Jongere
from .api import Simulation
from .safeio import MAX_WORKERS, write_text_atomic
from .calibrate import mean_interval, provenance, replicate, seeds_for
from .caretypes import CARE_KEYS
from .metrics import S, yearly_kind
from .runner.sweep import RunOutput, process_pool
from .scenario import Scenario, ScenarioError, load_scenario
from .targets import (ASSUMED, EMERGENT, FITTED, HELD_OUT, LittleCheck, Target, TargetsError, TargetsFile,
                      display_path, load_targets)

PASS, FAIL, UNCLEAR, NA = "pass", "fail", "unclear", "not available"
#: Summary fields that are bookkeeping of the runner, not KPIs.
_BOOKKEEPING = {"run_id", "point_index", "point", "replication", "seed", "elapsed_s", "cpu_s", "model_code"}


@dataclass
class Check:
    section: str
    name: str
    status: str
    detail: str = ""
    #: counts as validation: a held-out target or an emergent direction (not a fitted target,
    #: an assumed direction or an internal check)
    evidence: bool = False


def by_simulated_year(years: Sequence[Mapping[str, float]], warmup_weeks: int) -> dict[int, Mapping[str, float]]:
    """A run's KPIs per whole year after warm-up (:func:`metrics.summarize_years`, carried by every
    :class:`RunOutput`), keyed by the simulated year counted from 0 (so the first year after a
    one-year warm-up is 1). A shorter last year is left out."""
    first = warmup_weeks // 52
    return {first + int(row["year"]) - 1: row for row in years if row.get("years_measured", 1.0) >= 1.0}


def kpi_price_factor(kpis: Sequence[str], inflation: float, start: "dt.date", sim_year: int,
                     figure_year: int) -> float:
    """:func:`price_factor` for a target's KPIs: those in the first year's prices
    (``…_start_prices_eur``) are already deflated to simulated year 0, the others are in the
    prices of their own year."""
    in_start_prices = all(k.endswith("_start_prices_eur") for k in kpis)
    return price_factor(inflation, start, 0 if in_start_prices else sim_year, figure_year)


def price_factor(inflation: float, start: "dt.date", sim_year: int, figure_year: int) -> float:
    """Multiply a simulated year's EUR by this to get the prices of ``figure_year``.

    Tariffs rise by ``inflation`` a year from the run's start date (price level ``(1 + i)^t`` at
    ``t`` years after it), so simulated year ``y`` (index from 0) runs at ``(1 + i)^(y + u)`` over
    ``u`` in [0, 1), and calendar year ``Y`` at ``(1 + i)^(Y − start + u)``, ``start`` the start
    date as a fractional year; their ratio, the same for every ``u``, is the factor."""
    start_year = start.year + (start.timetuple().tm_yday - 1) / 365.25
    return (1.0 + inflation) ** (figure_year - start_year - sim_year)


def trend_slopes(per_seed: Sequence[Mapping[int, float] | Sequence[float]], measured: Sequence[int]) -> tuple[list[float], list[float],
                                                                                           list[float]]:
    """Least-squares slope per year of each seed's yearly values over ``measured`` (year indices),
    its mean level, and the slope as a share of the level."""
    slopes = [float(stats.linregress(measured, [s[y] for y in measured]).slope) for s in per_seed]
    levels = [float(np.mean([s[y] for y in measured])) for s in per_seed]
    rel = [sl / lv if lv > 0 else math.nan for sl, lv in zip(slopes, levels)]
    return slopes, levels, rel


def _band_verdict(rel: Sequence[float], band: float) -> str:
    mean_rel, low_rel, high_rel = mean_interval(rel)
    if not math.isfinite(mean_rel):
        return NA
    if abs(mean_rel) > band:
        return FAIL
    if math.isfinite(low_rel) and (low_rel < -band or high_rel > band):
        return UNCLEAR
    return PASS


def _fmt(x: float, digits: int = 4) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:,.0f}" if abs(x) >= 1e5 else f"{x:.2e}"
    return f"{x:.{digits}g}"


def _mi(values: Sequence[float]) -> str:
    mean, low, high = mean_interval(values)
    if not math.isfinite(mean):
        return "–"
    return _fmt(mean) + ("" if not math.isfinite(low) else f" [{_fmt(low)}, {_fmt(high)}]")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def _direction(diffs: Sequence[float], expect: str) -> tuple[str, str]:
    """Verdict on paired differences (variant − base, or kpi − than) against the expected sign."""
    x = np.asarray(diffs, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return NA, "fewer than two defined values"
    mean, low, high = mean_interval(x)
    want = -1 if expect == "lower" else 1
    text = f"{_fmt(mean)} [{_fmt(low)}, {_fmt(high)}]"
    if not math.isfinite(low):  # identical in every seed
        return (PASS if np.sign(mean) == want else FAIL), text
    if (high < 0 and want < 0) or (low > 0 and want > 0):
        return PASS, text
    if (high < 0 and want > 0) or (low > 0 and want < 0):
        return FAIL, text
    return UNCLEAR, text


def _summary(output: RunOutput) -> dict[str, float]:
    return {k: float(v) for k, v in output.row.items() if k not in _BOOKKEEPING}


@dataclass
class Report:
    """The generated report: its Markdown and every check with its status."""

    markdown: str
    checks: list[Check] = field(default_factory=list)

    def _count(self, *statuses: str) -> int:
        return sum(c.status in statuses for c in self.checks)

    @property
    def n_checks(self) -> int:
        return len(self.checks)

    @property
    def n_passed(self) -> int:
        return self._count(PASS)

    @property
    def n_failed(self) -> int:
        return self._count(FAIL, UNCLEAR)

    @property
    def n_unavailable(self) -> int:
        return self._count(NA)

    @property
    def n_evidence(self) -> int:
        """Held-out targets and emergent checks: what counts as validation."""
        return sum(c.evidence for c in self.checks)

    @property
    def n_evidence_passed(self) -> int:
        return sum(c.evidence and c.status == PASS for c in self.checks)

    def write(self, out: str | Path) -> Path:
        return write_text_atomic(out, self.markdown)


class ValidationPlan:
    """Everything validate-model will run, checked before the first run."""

    def __init__(self, *, targets: str | Path | None = None, seeds: int = 6, years: float = 10,
                 national: bool = False, workers: int = 1) -> None:
        if seeds < 2:
            raise TargetsError(f"--seeds: must be ≥ 2, for intervals over seeds (got {seeds})")
        if years <= 0:
            raise TargetsError(f"--years: must be > 0 (got {years})")
        if not 1 <= workers <= MAX_WORKERS:
            raise TargetsError(f"--workers: must be from 1 to {MAX_WORKERS} (got {workers})")
        self.file: TargetsFile
        self.file, self.path = load_targets(targets)
        v = self.file.validation
        self.n_seeds, self.years, self.workers = seeds, years, workers
        self.scenarios = list(dict.fromkeys(v.scenarios + (v.optional_scenarios if national else [])))
        #: the scenario of the national section (with --national), run with weekly series
        self.national = v.national.scenario if national else None
        if self.national is not None and self.national not in self.scenarios:
            self.scenarios.append(self.national)
        self.optional = [s for s in v.optional_scenarios if s not in self.scenarios]
        needed = self.scenarios + [c.scenario for c in v.paired] + [c.scenario for c in v.within]
        self.base: dict[str, Scenario] = {name: self._load(name, {}, f"scenario {name!r}")
                                          for name in dict.fromkeys(needed)}
        #: Paired variants, one per distinct (scenario, change): label → scenario
        self.variants: dict[str, Scenario] = {}
        for check in v.paired:
            label = self.variant_label(check.scenario, check.change)
            if label not in self.variants:
                self.variants[label] = self._load(check.scenario, check.change, f"validation.paired {check.name!r}")
        trend = v.trend
        self.trend_spec = self._load(trend.scenario, {"run.years": trend.years}, "validation.trend")

    def _load(self, name: str, change: Mapping[str, Any], where: str) -> Scenario:
        try:
            return load_scenario(name, {"run.years": self.years, **change})
        except ScenarioError as err:
            raise TargetsError(f"{self.path}: {where}: {err}") from None

    @staticmethod
    def variant_label(scenario: str, change: Mapping[str, Any]) -> str:
        return f"{scenario} with " + json.dumps(dict(change), sort_keys=True)

    def seeds(self, scenario: str) -> list[int]:
        return seeds_for(self.base[scenario].seed if scenario in self.base else self.trend_spec.seed, self.n_seeds)

    # -- running ------------------------------------------------------------------------------
    def run(self, say: Callable[[str], None] = lambda _: None, command: str = "zorgsim validate-model") -> Report:
        v = self.file.validation
        runs: dict[str, list[dict[str, float]]] = {}
        national_out: list[RunOutput] = []
        pooled = process_pool(self.workers) if self.workers > 1 else nullcontext(None)
        with pooled as pool:
            for name, spec in self.base.items():
                specs = {name: spec, **{label: s for label, s in self.variants.items()
                                        if label.startswith(f"{name} with ")}}
                say(f"{name}: {len(specs)} configuration(s) × {self.n_seeds} seeds × {spec.run.years:g} years")
                outputs = replicate(specs, self.seeds(name), workers=self.workers, pool=pool)
                runs.update({label: [_summary(o) for o in outs] for label, outs in outputs.items()})
                if name == self.national:
                    national_out = outputs[name]
            trend = v.trend
            say(f"trend: {trend.scenario} × {self.n_seeds} seeds × {trend.years:g} years")
            trend_out = replicate({"trend": self.trend_spec}, seeds_for(self.trend_spec.seed, self.n_seeds),
                                  workers=self.workers, pool=pool, kpis=(),
                                  series={"wachtlijst": tuple(trend.series), "wait_weeks": ("wait_weeks_sum",),
                                          "waits": ("waits_completed",)})["trend"]
        say("accounting: one run per scenario in this process")
        accounting = {name: self._accounting(name, runs[name][0]) for name in self.scenarios}
        return self._report(runs, trend_out, accounting, command, national_out)

    def _accounting(self, name: str, pooled_summary: Mapping[str, float]) -> dict[str, Any]:
        spec = self.base[name].model_copy(update={"seed": self.seeds(name)[0]})
        sim = Simulation(spec)
        result = sim.run()
        model = sim.model
        live = list(model.agents_by_type[Jongere]) if Jongere in model.agents_by_type else []
        stocks = sorted(set(STATE_STOCK.values()))
        in_states = int(sum(sum(g.stock[i] for i in _stock_indices(stocks)) for g in model.gemeenten))
        same = all(_same(result.summary.get(k, math.nan), v) for k, v in pooled_summary.items())
        return {"entered": model.n_entered, "left": model.n_left, "active": model.jongeren_active,
                "live": len(live), "in_states": in_states, "stocks": stocks, "same_summary": same}

    # -- the report ---------------------------------------------------------------------------
    def _report(self, runs: Mapping[str, list[dict[str, float]]], trend_out: list[RunOutput],
                accounting: Mapping[str, dict[str, Any]], command: str,
                national_out: Sequence[RunOutput] = ()) -> Report:
        prov = provenance()
        checks: list[Check] = []
        md = ["# Validation report", "",
              "<!-- Generated by zorgsim validate-model; do not edit by hand: regenerate it. -->", "",
              f"- Command: `{command}`", f"- Date: {prov['date']}", f"- Commit: {prov['commit']}",
              f"- Machine: {prov['machine']}",
              f"- Runs: {self.n_seeds} seeds per scenario and check, {self.years:g} years each (warm-up "
              "excluded from KPIs as in the scenario); seeds from `runner.seeds` with each scenario's own seed "
              "as master, so paired runs share their random numbers.",
              f"- Targets and checks: `{display_path(self.path)}`", "",
              "Intervals are 95% t-intervals over seeds (run-to-run variation of the model, not the "
              "uncertainty of its parameters).", "",
              "**What counts as validation.** Only the *held-out* targets (never used by `zorgsim calibrate`) "
              "and the *emergent* face-validity checks (directions no single parameter builds in) are "
              "evidence. The *fitted* targets are met because parameters were fitted to them, and the "
              "*assumed* directions hold because a parameter says so; both are shown, apart, to check the "
              "fit and the code, not counted. Section 6 gives the count.", ""]
        md += self._targets_section(runs, checks)
        md += self._consistency_section(runs, accounting, checks)
        md += self._face_section(runs, checks)
        md += self._trend_section(trend_out, checks)
        md += self._national_section(national_out, checks)
        md += self._gaps_section(checks)
        md += ["## How to regenerate", "", "```", command, "```", "",
               "`zorgsim validate-model --help` lists the options; `--national` adds "
               f"{', '.join(self.optional) or 'the optional scenarios'} (about a minute per run). See "
               "docs/calibration.md.", ""]
        return Report("\n".join(md), checks)

    def _targets_section(self, runs: Mapping[str, list[dict[str, float]]], checks: list[Check]) -> list[str]:
        md = ["## 1. Targets and the model", "",
              "Each public figure beside the model's value (mean over seeds of the whole measured period, after "
              "warm-up) for the scenarios it applies to. *Within* means the model's mean lies in the figure's "
              "interval. **Fitted** targets are what `zorgsim calibrate` fits the unsourced parameters to "
              "(`role = \"fitted\"`): agreement with them is not evidence. **Held-out** targets "
              "(`role = \"held_out\"`) are never fitted: they are the validation.", ""]
        for name in self.scenarios:
            md += [f"### {name}", ""]
            if not self.file.for_scenario([name]):
                md += ["No target applies to this scenario.", ""]
                continue
            for role, title in ((FITTED, "Fitted targets (agreement here is not evidence)"),
                                (HELD_OUT, "Held-out targets (validation)")):
                targets = self.file.for_scenario([name], role)
                md += [f"**{name}: {title}**", ""]
                if not targets:
                    md += ["None apply to this scenario.", ""]
                    continue
                rows, met = [], 0
                for t in targets:
                    values = [t.simulated(s) for s in runs[name]]
                    status = self._target_status(t, values, runs[name][0])
                    met += status == PASS
                    low, high = t.bounds
                    checks.append(Check(f"targets ({'fitted' if role == FITTED else 'held out'})",
                                        f"{name}: {t.key} ({t.kpi_label})", status,
                                        f"model {_mi(values)} against {t.value:g} [{low:g}, {high:g}] {t.unit}",
                                        evidence=role == HELD_OUT))
                    rows.append([t.key, f"`{t.kpi_label}`", f"{t.value:g} [{low:g}, {high:g}]", t.unit, t.scope,
                                 _mi(values), {PASS: "yes", FAIL: "**no**"}.get(status, status),
                                 f"{t.source.cite()}; {t.year}"])
                md += _table(["target", "KPI", "figure [interval]", "unit", "scope", "model [95% interval]",
                              "within", "source; year"], rows) + [""]
                verb = "fitted" if role == FITTED else "held-out"
                md += [f"{name}: the model meets {met} of {len(targets)} {verb} targets"
                       + (" (not evidence: parameters were fitted to them)." if role == FITTED else "."), ""]
        if self.optional:
            md += [f"Not run: {', '.join(self.optional)} (add `--national`).", ""]
        return md

    @staticmethod
    def _target_status(t: Target, values: Sequence[float], summary: Mapping[str, float]) -> str:
        mean = mean_interval(values)[0]
        if not all(k in summary for k in t.kpis) or not math.isfinite(mean):
            return NA
        return PASS if t.contains(mean) else FAIL

    def _consistency_section(self, runs: Mapping[str, list[dict[str, float]]],
                             accounting: Mapping[str, dict[str, Any]], checks: list[Check]) -> list[str]:
        md = ["## 2. Internal consistency", "", "### Every jongere accounted for", "",
              "At the end of one run per scenario (the first seed, run again in this process): jongeren "
              "entered = left + active, every active jongere is a live agent, and the live agents are all "
              f"counted in the state stocks ({', '.join(next(iter(accounting.values()))['stocks']) if accounting else ''}). "
              "*Same summary* compares this run with the pool worker's run of the same seed.", ""]
        rows = []
        for name, a in accounting.items():
            ok = a["entered"] == a["left"] + a["active"] and a["active"] == a["live"] == a["in_states"]
            checks.append(Check("consistency", f"{name}: every jongere accounted for", PASS if ok else FAIL,
                                f"entered {a['entered']}, left {a['left']}, active {a['active']}, live {a['live']}, "
                                f"in states {a['in_states']}"))
            checks.append(Check("consistency", f"{name}: same seed, same summary in process and pool",
                                PASS if a["same_summary"] else FAIL))
            rows.append([name, f"{a['entered']:,}", f"{a['left']:,}", f"{a['active']:,}", f"{a['live']:,}",
                         f"{a['in_states']:,}", "yes" if ok else "**no**", "yes" if a["same_summary"] else "**no**"])
        md += _table(["scenario", "entered", "left", "active", "live agents", "in state stocks", "balanced",
                      "same summary"], rows) + [""]
        law = self.file.validation.littles_law
        md += ["### Little's law per care type", "",
               f"Mean number on the wachtlijst (`{law.waitlist}`) against entries per week × mean weeks on the "
               f"list of everyone who left it (`{law.entries}` / 52 × `{law.wait}`), means over seeds; passes "
               f"when they differ by at most {law.tolerance:.0%}. In a stable system the two are equal "
               "(Little's law); a growing list holds more than its leavers' waits imply, and a list "
               "draining after the warm start less. *All care types* sums the rows (without the per-care-type KPIs: "
               f"{', '.join(f'`{k}`' for k in law.total)}).", ""]
        for name in self.scenarios:
            rows = []
            summaries = runs[name]
            per_care = {care: _little_keys(law, care) for care in CARE_KEYS}
            per_care = {care: keys for care, keys in per_care.items() if all(k in summaries[0] for k in keys)}
            lines: dict[str, tuple[list[float], list[float]]] = {
                care: ([s[k_l] for s in summaries], [_lam_w(s[k_e], s[k_w]) for s in summaries])
                for care, (k_l, k_e, k_w) in per_care.items()}
            if lines:  # the whole system: the sums over care types
                lines["all care types"] = ([sum(ls[i] for ls, _ in lines.values()) for i in range(len(summaries))],
                                           [sum(lw[i] for _, lw in lines.values()) for i in range(len(summaries))])
            elif all(k in summaries[0] for k in law.total):
                k_l, k_e, k_w = law.total
                lines["all care types"] = ([s[k_l] for s in summaries], [_lam_w(s[k_e], s[k_w]) for s in summaries])
            for care, (l_values, lw_values) in lines.items():
                mean_l, lam_w = float(np.nanmean(l_values)), float(np.nanmean(lw_values))
                if not (math.isfinite(mean_l) and math.isfinite(lam_w)) or max(mean_l, lam_w) == 0:
                    status, rel = NA, math.nan
                else:
                    rel = (mean_l - lam_w) / max(mean_l, lam_w)
                    status = PASS if abs(rel) <= law.tolerance else FAIL
                checks.append(Check("consistency", f"{name}: Little's law, {care}", status,
                                    f"L {_fmt(mean_l)} vs λW {_fmt(lam_w)} ({_fmt(100 * rel, 3)}%)"))
                rows.append([care, _fmt(mean_l), _fmt(lam_w), "–" if not math.isfinite(rel) else f"{rel:+.1%}",
                             {PASS: "yes", FAIL: "**no**"}.get(status, status)])
            md += [f"**{name}**", ""]
            if rows:
                md += _table(["care type", "mean on the list (L)", "entries/week × weeks on the list (λW)",
                              "difference", "within tolerance"], rows) + [""]
            else:
                checks.append(Check("consistency", f"{name}: Little's law", NA,
                                    f"the run summary has no {law.waitlist.format(care='<care>')}, "
                                    f"{law.entries.format(care='<care>')} or {law.wait.format(care='<care>')}"))
                md += [f"Not available: the run summary has none of the KPIs `{law.waitlist}`, `{law.entries}`, "
                       f"`{law.wait}` (nor the totals {', '.join(f'`{k}`' for k in law.total)}).", ""]
        return md

    def _face_section(self, runs: Mapping[str, list[dict[str, float]]], checks: list[Check]) -> list[str]:
        v = self.file.validation
        md = ["## 3. Face validity of the mechanisms", "",
              "Paired runs: the scenario with and without a change, the same seeds in both; the difference is "
              "variant − unchanged with its 95% interval over seeds. Within a run: one KPI against another in "
              "the same runs (difference = KPI − other). *Pass*: the interval lies on the expected side of "
              "zero; *fail*: on the other side; *unclear*: it contains zero.", "",
              "Each check says where its direction comes from. **Emergent**: the interplay of mechanisms "
              "produces it and no single parameter builds it in, so it could fail; these count as validation. "
              "**Assumed**: a parameter builds the direction in; a pass only shows that the code does what the "
              "parameter says, so these are listed apart and not counted.", ""]
        paired: dict[str, list[list[str]]] = {EMERGENT: [], ASSUMED: []}
        for c in v.paired:
            base, variant = runs[c.scenario], runs[self.variant_label(c.scenario, c.change)]
            if c.kpi not in base[0]:
                status, text = NA, f"no KPI {c.kpi!r} in the run summary"
                b = w = "–"
            else:
                status, text = _direction([y[c.kpi] - x[c.kpi] for x, y in zip(base, variant)], c.expect)
                b, w = _mi([x[c.kpi] for x in base]), _mi([y[c.kpi] for y in variant])
            change = ", ".join(f"`{k} = {json.dumps(val)}`" for k, val in c.change.items())
            checks.append(Check(f"face validity ({c.direction})", c.name, status,
                                f"{c.kpi}: difference {text} ({c.source})", evidence=c.direction == EMERGENT))
            paired[c.direction].append([c.name, c.source, f"{c.scenario}: {change}", f"`{c.kpi}`", b, w, text,
                                        c.expect, status, c.why])
        within: dict[str, list[list[str]]] = {EMERGENT: [], ASSUMED: []}
        for c in v.within:
            s = runs[c.scenario]
            missing = [k for k in (c.kpi, c.than) if k not in s[0]]
            if missing:
                status, text = NA, f"no KPI {', '.join(repr(m) for m in missing)} in the run summary"
                a = b = "–"
            else:
                status, text = _direction([x[c.kpi] - x[c.than] for x in s], c.expect)
                a, b = _mi([x[c.kpi] for x in s]), _mi([x[c.than] for x in s])
            checks.append(Check(f"face validity ({c.direction})", c.name, status,
                                f"{c.kpi} vs {c.than}: {text} ({c.source})", evidence=c.direction == EMERGENT))
            within[c.direction].append([c.name, c.source, c.scenario, f"`{c.kpi}` {a}", f"`{c.than}` {b}", text,
                                        c.expect, status, c.why])
        for direction, title in ((EMERGENT, "Emergent directions (validation)"),
                                 (ASSUMED, "Assumed directions (built in by a parameter; not validation)")):
            md += [f"### {title}", ""]
            rows_p, rows_w = paired[direction], within[direction]
            if not rows_p and not rows_w:
                md += ["No such check in the targets file.", ""]
                continue
            if rows_p:
                md += _table(["check", "source", "change", "KPI", "unchanged", "variant", "difference [95% interval]",
                              "expected", "verdict", "why " + direction], rows_p) + [""]
            if rows_w:
                md += _table(["check (within a run)", "source", "scenario", "KPI", "compared with",
                              "difference [95% interval]", "expected", "verdict", "why " + direction], rows_w) + [""]
            n = len(rows_p) + len(rows_w)
            passed = sum(r[8] == PASS for r in rows_p) + sum(r[7] == PASS for r in rows_w)
            md += [f"{passed} of {n} {direction} checks passed"
                   + (" (not counted as validation)." if direction == ASSUMED else "."), ""]
        return md

    def _trend_section(self, trend_out: list[RunOutput], checks: list[Check]) -> list[str]:
        t = self.file.validation.trend
        warm = self.trend_spec.run.warmup_years
        md = ["## 4. Baseline trend", "",
              f"Yearly mean wachtlijst (sum of `{'` + `'.join(t.series)}` over gemeenten) and yearly mean completed "
              f"wait of `{t.scenario}` over {t.years:g} years, {len(trend_out)} seeds. The slope of the wachtlijst "
              f"is fitted per seed (least squares over the whole years after the {warm:g}-year warm-up) and shown "
              f"with its 95% interval over seeds, also as a share of the mean level. Band: |slope| ≤ "
              f"{t.band_share_per_year:.0%} of the level per year" + (f" ({t.band_source})" if t.band_source else "")
              + "." + (f" Every measured year's mean wait of every seed should lie within {t.wait_band[0]:g}–"
                       f"{t.wait_band[1]:g} weeks" + (f" ({t.wait_band_source})" if t.wait_band_source else "") + "."
                       if t.wait_band else ""), ""]
        n_years = min((len(o.series["week"]) // 52 for o in trend_out if o.series is not None), default=0)

        def yearly(name: str) -> list[list[float]]:
            return [[float(o.series[name][y * 52:(y + 1) * 52].sum()) for y in range(n_years)]
                    for o in trend_out if o.series is not None]

        waiting = [[v / 52 for v in seed] for seed in yearly("wachtlijst")]
        waits = [[w / n if n else math.nan for w, n in zip(ws, ns)]
                 for ws, ns in zip(yearly("wait_weeks"), yearly("waits"))]
        first = int(math.ceil(warm))
        measured = list(range(first, n_years))
        if len(measured) < 2:
            checks.append(Check("trend", f"{t.scenario}: wachtlijst trend", NA, "fewer than two measured years"))
            return md + ["Not available: fewer than two whole years after the warm-up.", ""]
        rows = [[str(y + 1) + (" (warm-up)" if y < first else ""), _mi([s[y] for s in waiting]),
                 _mi([s[y] for s in waits])] for y in range(n_years)]
        md += _table(["year", "mean wachtlijst [95% interval]", "mean completed wait, weeks [95% interval]"],
                     rows) + [""]
        slopes, levels, rel = trend_slopes(waiting, measured)
        band = t.band_share_per_year
        status = _band_verdict(rel, band)
        slope_text = f"{_mi(slopes)} jongeren per year; {_mi([100 * r for r in rel])}% of the level per year"
        checks.append(Check("trend", f"{t.scenario}: wachtlijst trend within ±{band:.0%} per year", status,
                            slope_text))
        md += [f"Fitted slope of the wachtlijst over years {first + 1}–{n_years}: {slope_text} (mean level "
               f"{_mi(levels)}). Verdict: **{status}**.", ""]
        if t.wait_band:
            low, high = t.wait_band
            values = np.array([[s[y] for y in measured] for s in waits], dtype=float)
            inside = (values >= low) & (values <= high)
            status = NA if not np.isfinite(values).all() else (PASS if inside.all() else FAIL)
            text = (f"{int(inside.sum())} of {inside.size} seed-years within {low:g}–{high:g} weeks "
                    f"(range {_fmt(float(np.nanmin(values)))}–{_fmt(float(np.nanmax(values)))})")
            checks.append(Check("trend", f"{t.scenario}: yearly mean wait within {low:g}–{high:g} weeks", status, text))
            md += [f"Yearly mean wait: {text}. Verdict: **{status}**.", ""]
        return md

    def _national_section(self, outputs: Sequence[RunOutput], checks: list[Check]) -> list[str]:
        conf = self.file.validation.national
        md = ["## 5. The national scenario year by year", ""]
        if self.national is None:
            return md + [f"Not run: add `--national` for `{conf.scenario}` (its targets per simulated year, youth "
                         "in care by CBS's definition and its trend).", ""]
        name, spec = self.national, self.base[self.national]
        per_seed = [by_simulated_year(o.years, spec.warmup_weeks) for o in outputs if o.years is not None]
        measured = sorted(set.intersection(*(set(p) for p in per_seed))) if per_seed else []
        if not measured:
            checks.append(Check("national", f"{name}: targets per year", NA, "no whole year after the warm-up"))
            return md + ["Not available: no whole simulated year after the warm-up.", ""]
        start, inflation = spec.run.start_date, spec.uncertainties.tariff_inflation_per_year
        labels = {y: f"{y + 1} ({(start + dt.timedelta(weeks=52 * y)).year})" for y in measured}

        def mean_of(y: int, value: Callable[[Mapping[str, float]], float]) -> float:
            values = np.array([value(p[y]) for p in per_seed], dtype=float)
            return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan

        md += [f"`{name}`, {len(per_seed)} seeds × {spec.run.years:g} years: each target's KPI per simulated year "
               f"after the {spec.run.warmup_years:g}-year warm-up (mean over seeds), against the figure. A "
               f"simulated year is labelled with the calendar year it starts in (`run.start_date` {start}); the "
               "figures describe earlier years (their year is given), so the comparison asks whether the model's "
               "present is near the last measured one, and a trend away from it shows in the columns. "
               f"**Costs** are converted to the prices of the figure's year: tariffs rise by "
               f"{inflation:.1%} a year (`uncertainties.tariff_inflation_per_year`) from the start date, so a "
               "simulated year y (counted from 0) is multiplied by (1 + inflation)^(figure year − start year − y); "
               "a KPI already in the first year's prices (`…_start_prices_eur`) by (1 + inflation)^(figure year − "
               "start year); section 1 shows them in the model's own prices, averaged over the years. Bold: outside the "
               "figure's interval.", ""]
        rows = []
        for t in self.file.for_scenario([name]):
            money = any(k.endswith("_eur") for k in t.kpis)
            head = [t.key, t.role.replace("_", "-"), f"{t.value:g} [{t.bounds[0]:g}, {t.bounds[1]:g}] ({t.year})",
                    t.unit + (f", {t.year} prices" if money else "")]
            if any(yearly_kind(k) == "run" for k in t.kpis):
                checks.append(Check("national", f"{name}: {t.key} per year", NA,
                                    "a whole-run KPI only (section 1)"))
                rows.append(head + ["–"] * len(measured) + ["whole run only (section 1)"])
                continue
            values = {y: mean_of(y, t.simulated) * (kpi_price_factor(t.kpis, inflation, start, y, t.year)
                                                    if money else 1.0)
                      for y in measured}
            inside = [y for y, v in values.items() if math.isfinite(v) and t.contains(v)]
            defined = [y for y, v in values.items() if math.isfinite(v)]
            status = NA if not defined else (PASS if len(inside) == len(measured) else FAIL)
            text = f"{len(inside)} of {len(measured)} years within"
            checks.append(Check("national", f"{name}: {t.key} per year ({t.role.replace('_', '-')})", status,
                                f"{text} {t.bounds[0]:g}–{t.bounds[1]:g} {t.unit}", evidence=t.role == HELD_OUT))
            rows.append(head + [_fmt(v) if y in inside or not math.isfinite(v) else f"**{_fmt(v)}**"
                                for y, v in values.items()] + [text])
        md += _table(["target", "role", "figure [interval] (year)", "unit", *labels.values(), "years within"],
                     rows) + [""]

        # youth in care by both definitions, and new placements
        md += ["### Youth in care: CBS's definition", "",
               "CBS counts wijkteam support only where a gemeente registers it as jeugdhulp, so its count of youth "
               "in care lies between the model's count with all wijkteam support (`youth_in_care`) and its count "
               "of specialist care only, without the wijkteam (`youth_in_specialist_care`). Jongeren in care at any "
               "time in the year; new placements (uithuisplaatsingen begun in the year) per 1,000 youth < 23.", ""]
        kpis = ("youth_in_care_per_year", "youth_in_care_share", "youth_in_specialist_care_per_year",
                "youth_in_specialist_care_share", "placements_per_1000_youth")
        table = {y: {k: mean_of(y, lambda row, k=k: row.get(k, math.nan)) for k in kpis} for y in measured}
        md += _table(["year", "youth in care, all (jongeren/year)", "share of youth", "specialist only "
                      "(jongeren/year)", "share of youth", "new placements per 1,000 youth/year"],
                     [[labels[y], f"{r[kpis[0]]:,.0f}", f"{r[kpis[1]]:.1%}", f"{r[kpis[2]]:,.0f}", f"{r[kpis[3]]:.1%}",
                       _fmt(r[kpis[4]])] for y, r in table.items()]) + [""]
        cbs = next((t for t in self.file.for_scenario([name]) if t.kpis == ("youth_in_care_per_year",)), None)
        if cbs is not None:
            between = [y for y, r in table.items() if r[kpis[2]] <= cbs.value <= r[kpis[0]]]
            status = PASS if len(between) == len(measured) else FAIL
            text = (f"CBS's {cbs.value:,.0f} ({cbs.year}) lies between the two counts in {len(between)} of "
                    f"{len(measured)} years")
            checks.append(Check("national", f"{name}: CBS's youth in care between the two definitions", status, text))
            md += [f"{text}. Verdict: **{status}** (not counted as validation: the share of youth in care is "
                   "fitted).", ""]

        # the baseline trend of the national wachtlijst
        band = self.file.validation.trend.band_share_per_year
        waiting = [{y: p[y].get("waitlist_mean", math.nan) for y in measured} for p in per_seed]
        md += ["### Trend of the national wachtlijst", "",
               "Yearly mean wachtlijst (`waitlist_mean`: jongeren on a wachtlijst or at the expertteam) and its growth "
               "per year: the least-squares slope over the years after warm-up, fitted per seed, with its 95% "
               f"interval over seeds, against the band of section 4 (|growth| ≤ {band:.0%} of the level a year).", ""]
        md += _table(["year", "mean wachtlijst (jongeren)"],
                     [[labels[y], _mi([w[y] for w in waiting])] for y in measured]) + [""]
        if len(measured) < 2:
            checks.append(Check("national", f"{name}: wachtlijst trend", NA, "fewer than two measured years"))
            return md + ["Growth per year: not available (fewer than two whole years after the warm-up).", ""]
        slopes, levels, rel = trend_slopes(waiting, measured)
        status = _band_verdict(rel, band)
        text = f"{_mi(slopes)} jongeren per year; {_mi([100 * r for r in rel])}% of the level per year"
        checks.append(Check("national", f"{name}: wachtlijst trend within ±{band:.0%} per year", status, text))
        md += [f"Growth of the wachtlijst: {text} (mean level {_mi(levels)} jongeren). Verdict: **{status}**.", ""]
        return md

    def _gaps_section(self, checks: list[Check]) -> list[str]:
        failed = [c for c in checks if c.status in (FAIL, UNCLEAR)]
        unavailable = [c for c in checks if c.status == NA]
        held = [c for c in checks if c.evidence and c.section.startswith("targets")]
        emergent = [c for c in checks if c.evidence and c.section.startswith("face validity")]
        national = [c for c in checks if c.evidence and c.section == "national"]
        fitted = [c for c in checks if c.section == "targets (fitted)"]
        assumed = [c for c in checks if c.section == f"face validity ({ASSUMED})"]

        def passed(cs: Sequence[Check]) -> int:
            return sum(c.status == PASS for c in cs)

        md = ["## 6. What the model does not reproduce", "",
              f"**Validation**: the model meets {passed(held)} of {len(held)} held-out targets (section 1, "
              f"over the scenarios) and passes {passed(emergent)} of {len(emergent)} emergent checks (section 3)"
              + (f"; nationally, {passed(national)} of {len(national)} held-out targets hold in every year "
                 "(section 5)" if national else "") + ". "
              f"Not counted: {passed(fitted)} of {len(fitted)} fitted targets met, {passed(assumed)} of "
              f"{len(assumed)} assumed directions as built in, and the internal checks.", "",
              f"All together {sum(c.status == PASS for c in checks)} of {len(checks)} checks passed, "
              f"{len(failed)} failed or were unclear, {len(unavailable)} could not be computed.", ""]
        if failed:
            md += ["Checks that failed or were unclear in this report:", ""]
            md += [f"- **{c.section}**: {c.name} — {c.status}" + (f": {c.detail}" if c.detail else "") for c in failed]
            md += [""]
        if unavailable:
            md += ["Checks that could not be computed (a KPI the model does not report yet):", ""]
            md += [f"- {c.section}: {c.name}" + (f" ({c.detail})" if c.detail else "") for c in unavailable]
            md += [""]
        if self.file.not_reproduced:
            md += ["Known gaps (kept in the targets file):", ""]
            md += [f"- {g.text}" + (f" ({g.source})" if g.source else "") for g in self.file.not_reproduced]
            md += [""]
        return md


def _little_keys(law: LittleCheck, care: str) -> tuple[str, str, str]:
    return law.waitlist.format(care=care), law.entries.format(care=care), law.wait.format(care=care)


def _lam_w(per_year: float, weeks: float) -> float:
    """Arrivals per week × mean weeks on the list; no leavers at all is no load, not undefined."""
    return 0.0 if per_year == 0 else per_year / 52.0 * weeks


def _same(a: float, b: float) -> bool:
    return (a != a and b != b) or a == b


def _stock_indices(names: Sequence[str]) -> list[int]:
    return [S[n] for n in names]


