"""The validation report (``zorgsim validate-model`` → docs/validation.md).

One plan, all its runs in one process pool, one generated Markdown file:

1. **Targets**: every target of ``data/targets.toml`` beside the model's mean and 95% interval
   over seeds, for each scenario it applies to.
2. **Internal consistency**: every jongere accounted for at the end of a run (entered = left +
   active, and the active ones are all in a state the KPIs count); the same seed gives the same
   summary in this process and in a pool worker; Little's law per care type (mean number on the
   wachtlijst ≈ entries per week × mean weeks on the list of everyone who left it).
3. **Face validity**: paired runs (the same seeds with and without a change) and comparisons
   within a run, with the direction each seed describes.
4. **Baseline trend**: the yearly mean wachtlijst of the baseline over a long run, its fitted
   slope per year with a 95% interval over seeds, against the band in the targets file.
5. **What the model does not reproduce**: the checks that failed or were unclear, and the fixed
   list of the targets file.

Seeds: replication r of a scenario runs with ``runner.seeds.replication_seed(scenario seed, r)``,
as in a sweep, so a paired check's runs share their random numbers.
"""

from __future__ import annotations

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
from .safeio import write_text_atomic
from .calibrate import mean_interval, provenance, replicate, seeds_for
from .caretypes import CARE_KEYS
from .metrics import S
from .runner.sweep import RunOutput, process_pool
from .scenario import Scenario, ScenarioError, load_scenario
from .targets import LittleCheck, TargetsError, TargetsFile, display_path, load_targets

PASS, FAIL, UNCLEAR, NA = "pass", "fail", "unclear", "not available"
#: Summary fields that are bookkeeping of the runner, not KPIs.
_BOOKKEEPING = {"run_id", "point_index", "point", "replication", "seed", "elapsed_s", "cpu_s", "model_code"}


@dataclass
class Check:
    section: str
    name: str
    status: str
    detail: str = ""


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
        if workers < 1:
            raise TargetsError(f"--workers: must be ≥ 1 (got {workers})")
        self.file: TargetsFile
        self.file, self.path = load_targets(targets)
        v = self.file.validation
        self.n_seeds, self.years, self.workers = seeds, years, workers
        self.scenarios = list(dict.fromkeys(v.scenarios + (v.optional_scenarios if national else [])))
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
        pooled = process_pool(self.workers) if self.workers > 1 else nullcontext(None)
        with pooled as pool:
            for name, spec in self.base.items():
                specs = {name: spec, **{label: s for label, s in self.variants.items()
                                        if label.startswith(f"{name} with ")}}
                say(f"{name}: {len(specs)} configuration(s) × {self.n_seeds} seeds × {spec.run.years:g} years")
                outputs = replicate(specs, self.seeds(name), workers=self.workers, pool=pool)
                runs.update({label: [_summary(o) for o in outs] for label, outs in outputs.items()})
            trend = v.trend
            say(f"trend: {trend.scenario} × {self.n_seeds} seeds × {trend.years:g} years")
            trend_out = replicate({"trend": self.trend_spec}, seeds_for(self.trend_spec.seed, self.n_seeds),
                                  workers=self.workers, pool=pool, kpis=(),
                                  series={"wachtlijst": tuple(trend.series), "wait_weeks": ("wait_weeks_sum",),
                                          "waits": ("waits_completed",)})["trend"]
        say("accounting: one run per scenario in this process")
        accounting = {name: self._accounting(name, runs[name][0]) for name in self.scenarios}
        return self._report(runs, trend_out, accounting, command)

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
                accounting: Mapping[str, dict[str, Any]], command: str) -> Report:
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
              "uncertainty of its parameters).", ""]
        md += self._targets_section(runs, checks)
        md += self._consistency_section(runs, accounting, checks)
        md += self._face_section(runs, checks)
        md += self._trend_section(trend_out, checks)
        md += self._gaps_section(checks)
        md += ["## How to regenerate", "", "```", command, "```", "",
               "`zorgsim validate-model --help` lists the options; `--national` adds "
               f"{', '.join(self.optional) or 'the optional scenarios'} (about a minute per run). See "
               "docs/calibration.md.", ""]
        return Report("\n".join(md), checks)

    def _targets_section(self, runs: Mapping[str, list[dict[str, float]]], checks: list[Check]) -> list[str]:
        md = ["## 1. Targets and the model", "",
              "Each public figure beside the model's value for the scenarios it applies to. *Within* means "
              "the model's mean lies in the figure's interval.", ""]
        for name in self.scenarios:
            targets = self.file.for_scenario([name])
            md += [f"### {name}", ""]
            if not targets:
                md += ["No target applies to this scenario.", ""]
                continue
            rows = []
            for t in targets:
                values = [t.simulated(s) for s in runs[name]]
                mean = mean_interval(values)[0]
                low, high = t.bounds
                if not all(k in runs[name][0] for k in t.kpis) or not math.isfinite(mean):
                    status = NA
                else:
                    status = PASS if t.contains(mean) else FAIL
                checks.append(Check("targets", f"{name}: {t.key} ({t.kpi_label})", status,
                                    f"model {_mi(values)} against {t.value:g} [{low:g}, {high:g}] {t.unit}"))
                rows.append([t.key, f"`{t.kpi_label}`", f"{t.value:g} [{low:g}, {high:g}]", t.unit, t.scope,
                             _mi(values), {PASS: "yes", FAIL: "**no**"}.get(status, status),
                             f"{t.source.cite()}; {t.year}" + ("" if t.calibrate else " (reported, not fitted)")])
            md += _table(["target", "KPI", "figure [interval]", "unit", "scope", "model [95% interval]", "within",
                          "source; year"], rows) + [""]
        if self.optional:
            md += [f"Not run: {', '.join(self.optional)} (add `--national`).", ""]
        return md

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
        md = ["## 3. Face validity of the seed mechanisms", "",
              "Paired runs: the scenario with and without a change, the same seeds in both; the difference is "
              "variant − unchanged with its 95% interval over seeds. *Pass*: the interval lies on the expected "
              "side of zero; *fail*: on the other side; *unclear*: it contains zero.", ""]
        rows = []
        for c in v.paired:
            base, variant = runs[c.scenario], runs[self.variant_label(c.scenario, c.change)]
            if c.kpi not in base[0]:
                status, text = NA, f"no KPI {c.kpi!r} in the run summary"
                b = w = "–"
            else:
                status, text = _direction([y[c.kpi] - x[c.kpi] for x, y in zip(base, variant)], c.expect)
                b, w = _mi([x[c.kpi] for x in base]), _mi([y[c.kpi] for y in variant])
            change = ", ".join(f"`{k} = {json.dumps(val)}`" for k, val in c.change.items())
            checks.append(Check("face validity", c.name, status, f"{c.kpi}: difference {text} ({c.source})"))
            rows.append([c.name, c.source, f"{c.scenario}: {change}", f"`{c.kpi}`", b, w, text, c.expect, status])
        md += _table(["check", "source", "change", "KPI", "unchanged", "variant", "difference [95% interval]",
                      "expected", "verdict"], rows) + [""]
        if v.within:
            md += ["Within a run: one KPI against another in the same runs (difference = KPI − other).", ""]
            rows = []
            for c in v.within:
                s = runs[c.scenario]
                missing = [k for k in (c.kpi, c.than) if k not in s[0]]
                if missing:
                    status, text = NA, f"no KPI {', '.join(repr(m) for m in missing)} in the run summary"
                    a = b = "–"
                else:
                    status, text = _direction([x[c.kpi] - x[c.than] for x in s], c.expect)
                    a, b = _mi([x[c.kpi] for x in s]), _mi([x[c.than] for x in s])
                checks.append(Check("face validity", c.name, status, f"{c.kpi} vs {c.than}: {text} ({c.source})"))
                rows.append([c.name, c.source, c.scenario, f"`{c.kpi}` {a}", f"`{c.than}` {b}", text, c.expect,
                             status])
            md += _table(["check", "source", "scenario", "KPI", "compared with", "difference [95% interval]",
                          "expected", "verdict"], rows) + [""]
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
        slopes = [float(stats.linregress(measured, [s[y] for y in measured]).slope) for s in waiting]
        levels = [float(np.mean([s[y] for y in measured])) for s in waiting]
        rel = [sl / lv if lv > 0 else math.nan for sl, lv in zip(slopes, levels)]
        mean_rel, low_rel, high_rel = mean_interval(rel)
        band = t.band_share_per_year
        if not math.isfinite(mean_rel):
            status = NA
        elif abs(mean_rel) > band:
            status = FAIL
        elif math.isfinite(low_rel) and (low_rel < -band or high_rel > band):
            status = UNCLEAR
        else:
            status = PASS
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

    def _gaps_section(self, checks: list[Check]) -> list[str]:
        failed = [c for c in checks if c.status in (FAIL, UNCLEAR)]
        unavailable = [c for c in checks if c.status == NA]
        md = ["## 5. What the model does not reproduce", "",
              f"{sum(c.status == PASS for c in checks)} of {len(checks)} checks passed, "
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


