"""Experiment files: a base scenario, factors, a design, replications — validated before anything runs.

An experiment (``experiments/*.toml``) says which scenario to start from, which levers (L) and
uncertainties (X) to vary and how (a full factorial, a Latin hypercube, a list of named
variants, a Morris or Sobol sensitivity design, or policies × sampled futures), how many replications, the horizon, the master seed, and which KPIs (M) and weekly
series to keep. :class:`Experiment` turns it into design points and runs; every run has a stable
id (a hash of its design point and replication) and a seed from the master seed
(:mod:`.seeds`). Any problem is one :class:`ExperimentError` line naming the file, the key and
what is allowed. See docs/experiments.md for the format.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import types
import typing
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .. import metrics
from ..scenario import Scenario, ScenarioError, scenario_from_dict
from ..scenario.loader import read_base_file, resolve_path
from ..safeio import read_toml_file, safe_folder_name
from ..shipped import ShippedFolder
from .seeds import design_rng, replication_seed

if typing.TYPE_CHECKING:
    import pandas as pd


class ExperimentError(ScenarioError):
    """Bad experiment input: one line naming the file, the key and what is allowed."""


#: The three headline KPIs of the model (docs/model.md §4.11): wachtlijst, uithuisplaatsing, kosten.
HEADLINE_KPIS: dict[str, str] = {
    "waitlist_mean": "wachtlijst: jongeren waiting (mean)",
    "placements_per_year": "uithuisplaatsingen per year",
    "cost_per_year_eur": "kosten per year (EUR)",
}

#: Named weekly series: the sum over gemeenten of these time-series columns.
SERIES_PRESETS: dict[str, tuple[str, ...]] = {
    "wachtlijst": ("waiting_list", "waiting_expertteam"),
    "uithuisplaatsingen": ("placements",),
    "kosten": ("cost_total",),
    "toegang": ("waiting_toegang",),
    "in_zorg": ("in_care",),
    "in_verblijf": ("in_verblijf",),
    "crisis": ("crisis",),
    "nieuwe_vragen": ("new_needs",),
}

#: The default weekly series when an experiment says ``series = true``.
HEADLINE_SERIES = ("wachtlijst", "uithuisplaatsingen", "kosten")

DESIGNS = ("full_factorial", "latin_hypercube", "variants", "morris", "sobol", "futures")
#: Designs whose points are sampled in the unit cube and mapped onto the factors' ranges.
SAMPLED_DESIGNS = ("latin_hypercube", "morris", "sobol")
#: Designs analysed by ``zorgsim sensitivity`` (SALib).
SENSITIVITY_DESIGNS = ("morris", "sobol")
#: Most design points an experiment may have, and most runs (design points × replications).
MAX_DESIGN_POINTS = 100_000
MAX_RUNS = 10_000_000
FACTOR_GROUPS = ("levers", "uncertainties")
_FACTOR_SPEC_KEYS = {"values", "min", "max", "levels", "label"}


# ---------------------------------------------------------------------------------------------
# Where experiments live
# ---------------------------------------------------------------------------------------------
EXPERIMENTS = ShippedFolder("experiments", "ZORGSIM_EXPERIMENTS", "experiment", ExperimentError)


def experiments_dir() -> Path:
    """Shipped experiments: $ZORGSIM_EXPERIMENTS, the repository's experiments/, or ./experiments."""
    return EXPERIMENTS.folder()


def available_experiments() -> dict[str, Path]:
    return EXPERIMENTS.available()


def resolve_experiment(name_or_path: str | Path) -> Path:
    """An experiment name from experiments/ or a path to a TOML file."""
    return EXPERIMENTS.resolve(name_or_path)


# ---------------------------------------------------------------------------------------------
# The file format (pydantic)
# ---------------------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class DesignSpec(_Strict):
    type: Literal["full_factorial", "latin_hypercube", "variants", "morris", "sobol", "futures"] = Field(
        "full_factorial", description="full_factorial: every combination of the factors' values; "
                                      "latin_hypercube: n points sampled with scipy.stats.qmc; "
                                      "variants: the named [[variants]] (crossed with any factors); "
                                      "morris: n trajectories (SALib.sample.morris); "
                                      "sobol: n base samples (SALib.sample.sobol); "
                                      "futures: every policy (lever combination or variant) in n sampled futures")
    n: int | None = Field(None, ge=1, le=MAX_DESIGN_POINTS,
                          description="latin_hypercube: points; morris: trajectories; sobol: base samples "
                                      "(a power of 2); futures: sampled futures")
    levels: int | None = Field(None, ge=2, le=100, description="morris: grid levels (even; default 4)")
    second_order: bool | None = Field(None, description="sobol: also second-order indices (default false)")


class VariantSpec(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    levers: dict[str, Any] = Field(default_factory=dict)
    uncertainties: dict[str, Any] = Field(default_factory=dict)


class ExperimentSpec(_Strict):
    name: str | None = Field(None, min_length=1)
    description: str = ""
    base: str = Field(min_length=1, description="Scenario name from scenarios/ or a path (relative to this file)")
    master_seed: int = Field(ge=0, le=2**63 - 1, description="All run seeds derive from it")
    replications: int = Field(1, ge=1, le=100_000)
    years: float | None = Field(None, ge=0.1, le=100, description="Horizon incl. warm-up (default: the base's)")
    warmup_years: float | None = Field(None, ge=0, le=50, description="Excluded from KPIs (default: the base's)")
    baseline: str | None = Field(None, min_length=1, description="Design point to compare against")
    kpis: list[str] | None = Field(None, min_length=1, description="KPIs to keep (default: all)")
    series: bool | list[str] | dict[str, str] = Field(False, description="Weekly series to keep")
    levers: dict[str, Any] = Field(default_factory=dict)
    uncertainties: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict, description="Scenario key paths fixed for every run")
    design: DesignSpec = Field(default_factory=DesignSpec)
    variants: list[VariantSpec] = Field(default_factory=list)

    @field_validator("series", mode="before")
    @classmethod
    def _series_shape(cls, value: Any) -> Any:
        if not (isinstance(value, bool) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
                or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))):
            raise ValueError("expected true, false, a list of series names, or a table of "
                             "name = \"column + column\"")
        return value


def _model_in(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *typing.get_args(annotation)]
    candidates += [a for c in typing.get_args(annotation) for a in typing.get_args(c)]
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _format_error(err: ValidationError, source: str, root: type[BaseModel] | None = None) -> str:
    """One line for the first problem of a file read into ``root`` (default: ExperimentSpec)."""
    first = err.errors()[0]
    loc = [p for p in first["loc"]]
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else ("." if key else "") + str(part)
    key = key or "(top level)"
    if first["type"] == "extra_forbidden":
        model: Any = ExperimentSpec if root is None else root
        for part in loc[:-1]:
            if isinstance(part, int):
                continue
            field = model.model_fields.get(part) if model is not None else None
            model = _model_in(field.annotation) if field is not None else None
        allowed = ", ".join(model.model_fields) if model is not None else ""
        return f"{source}: {key}: unknown key; allowed here: {allowed}"
    if first["type"] == "missing":
        return f"{source}: {key}: required key is missing"
    msg = first["msg"].replace("\n", " ").removeprefix("Value error, ")
    got = first.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, (dict, list)) else ""
    return f"{source}: {key}: {msg}{got_text}"


# ---------------------------------------------------------------------------------------------
# Factors and design points
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """One varied parameter: a scenario key path and its levels or range."""

    key: str  # full scenario key path, e.g. 'levers.coordination.queue'
    group: str  # 'levers' (L) or 'uncertainties' (X)
    kind: str  # 'categorical', 'boolean', 'integer' or 'number'
    label: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None

    def level_values(self) -> list[Any]:
        """The values a factorial design uses."""
        if self.values is not None:
            return list(self.values)
        assert self.low is not None and self.high is not None and self.levels is not None
        raw = [self.low + (self.high - self.low) * i / (self.levels - 1) for i in range(self.levels)]
        if self.kind == "integer":
            return list(dict.fromkeys(int(round(v)) for v in raw))
        return [_round(v) for v in raw]

    def sample(self, u: float) -> Any:
        """The value at quantile ``u`` in [0, 1): levels are hit in equal strata, ranges linearly."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        assert self.low is not None and self.high is not None
        if self.kind == "integer":
            lo, hi = int(math.ceil(self.low)), int(math.floor(self.high))
            return min(lo + int(u * (hi - lo + 1)), hi)
        return _round(self.low + u * (self.high - self.low))

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "group": self.group, "kind": self.kind, "label": self.label}
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out.update({"min": self.low, "max": self.high, "levels": self.levels})
        return out


@dataclass(frozen=True)
class DesignPoint:
    """One combination of factor values (a scenario to run ``replications`` times)."""

    index: int
    name: str
    params: dict[str, Any]  # full key path → value (only what this point sets)
    description: str = ""
    unit: tuple[float, ...] | None = None  # morris/sobol: the point in the unit cube (one value per factor)
    policy: str | None = None  # futures: the policy (lever setting) this point evaluates
    future: str | None = None  # futures: the sampled future (uncertainty setting)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "name": self.name, "params": self.params,
                               "description": self.description}
        for key in ("unit", "policy", "future"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if key == "unit" else value
        return out


@dataclass(frozen=True)
class RunSpec:
    """One run: a design point in one replication."""

    run_id: str
    point_index: int
    point: str
    replication: int
    seed: int


def _round(value: float) -> float:
    """Six significant digits: readable names and stable hashes for sampled values."""
    return float(f"{value:.6g}")


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def run_id_for(point: DesignPoint, replication: int) -> str:
    """A stable id from the design point (name and parameters) and the replication."""
    digest = hashlib.sha256(_canonical({"point": point.name, "params": point.params,
                                        "replication": replication}).encode("utf-8"))
    return digest.hexdigest()[:16]


def _fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _leaf_annotation(path: str) -> Any:
    """The annotation of a scenario key path; ExperimentError-free: raises KeyError(message)."""
    model: type[BaseModel] = Scenario
    parts = path.split(".")
    for i, part in enumerate(parts):
        fields = model.model_fields
        here = ".".join(parts[:i]) or "(top level)"
        if part not in fields:
            raise KeyError(f"not a scenario parameter; allowed under {here}: {', '.join(fields)}")
        annotation = fields[part].annotation
        if i == len(parts) - 1:
            if _model_in(annotation) is not None:
                sub = _model_in(annotation)
                assert sub is not None
                raise KeyError(f"is a table, not a parameter; allowed under {path}: {', '.join(sub.model_fields)}")
            return annotation
        sub = _model_in(annotation)
        if sub is None:
            raise KeyError(f"{'.'.join(parts[:i + 1])} is a parameter, not a table")
        model = sub
    raise KeyError("empty key")  # pragma: no cover - split never gives an empty list


def _kind(annotation: Any) -> tuple[str, tuple[Any, ...] | None]:
    """('categorical', allowed) / ('boolean', (False, True)) / ('integer', None) / ('number', None)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind(args[0])
    if origin is Literal:
        return "categorical", tuple(typing.get_args(annotation))
    if annotation is bool:
        return "boolean", (False, True)
    if annotation is int:
        return "integer", None
    if annotation is float:
        return "number", None
    return "categorical", None


def _is_factor_spec(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(set(value) & _FACTOR_SPEC_KEYS)


def _unique_paths(pairs: Iterator[tuple[str, Any]], where: str) -> dict[str, Any]:
    """Key paths → values; one path written twice (quoted "a.b" and dotted a.b) is refused."""
    out: dict[str, Any] = {}
    for path, value in pairs:
        if path in out:
            raise ExperimentError(f"{where}{path}: given twice (as a quoted \"{path}\" key and as a dotted or "
                                  "nested key); give it once")
        out[path] = value
    return out


def _flatten(data: Mapping[str, Any], prefix: str, leaf: Any = None) -> Iterator[tuple[str, Any]]:
    """Nested tables → (key path, value); TOML's dotted and quoted keys give the same paths."""
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and not (leaf or _is_factor_spec)(value):
            yield from _flatten(value, path, leaf)
        else:
            yield path, value


# ---------------------------------------------------------------------------------------------
# Weekly series
# ---------------------------------------------------------------------------------------------
def _series_columns() -> tuple[set[str], set[str]]:
    stocks = set(metrics.STOCKS)
    flows = set(metrics.FLOWS) | set(metrics.COSTS) | {"cost_total"}
    return stocks, flows


def _parse_series(raw: bool | list[str] | dict[str, str], source: str) -> dict[str, dict[str, Any]]:
    if raw is False:
        return {}
    if raw is True:
        raw = list(HEADLINE_SERIES)
    items: list[tuple[str, str]]
    if isinstance(raw, dict):
        items = list(raw.items())
    else:
        items = [(name, name) for name in raw]
    stocks, flows = _series_columns()
    out: dict[str, dict[str, Any]] = {}
    for name, expression in items:
        if expression in SERIES_PRESETS:
            columns = SERIES_PRESETS[expression]
        else:
            columns = tuple(part.strip() for part in str(expression).split("+"))
            bad = [c for c in columns if c not in stocks | flows]
            if bad:
                raise ExperimentError(
                    f"{source}: series.{name}: {bad[0]!r} is not a weekly column; allowed: "
                    f"{', '.join(SERIES_PRESETS)} or a sum of columns like 'waiting_list + waiting_expertteam' "
                    f"from: {', '.join(sorted(stocks | flows))}")
        if all(c in stocks for c in columns):
            kind = "stock"
        elif all(c in flows for c in columns):
            kind = "flow"
        else:
            raise ExperimentError(f"{source}: series.{name}: do not add stocks (people waiting, in care) "
                                  f"to flows (counts or costs per week): {' + '.join(columns)}")
        if name in out:
            raise ExperimentError(f"{source}: series: {name!r} is listed twice")
        out[str(name)] = {"columns": list(columns), "kind": kind}
    return out


# ---------------------------------------------------------------------------------------------
# The experiment
# ---------------------------------------------------------------------------------------------
class Experiment:
    """A validated experiment: design points × replications, each run with its id and seed.

    Create it with :meth:`from_toml` (a path), :meth:`load` (a name from experiments/ or a
    path) or :meth:`from_dict`; run it with :meth:`run`, which returns one row per run.
    """

    def __init__(self, spec: ExperimentSpec, source: str = "<experiment>", folder: Path | None = None) -> None:
        self.spec = spec
        self.source = source
        self.folder = folder if folder is not None else Path.cwd()
        self.name: str = spec.name or Path(source).stem
        self.base_path = self._resolve_base()
        raw = read_base_file(self.source, self.base_path, error=ExperimentError)
        raw.setdefault("name", self.base_path.stem)
        self.base_raw = raw
        self.fixed = self._fixed_overrides()
        self.base_scenario = self._scenario({}, "")
        self.factors = self._parse_factors()
        self.points = self._build_points()
        self.series = _parse_series(spec.series, source)
        self.kpis = list(spec.kpis) if spec.kpis is not None else None
        self.baseline = self._check_baseline(spec.baseline)
        self._check_kpis()
        self._fingerprint: str | None = None

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<experiment>", folder: str | Path | None = None,
                  **changes: Any) -> "Experiment":
        """From parsed TOML data; ``changes`` (replications=, years=, warmup_years=, master_seed=, design_n=) win.

        ``design_n`` replaces ``design.n``: the points of a Latin hypercube, the trajectories of a
        Morris design, the base samples of a Sobol' design or the futures of a futures design.
        """
        data = dict(data)
        allowed = {"replications", "years", "warmup_years", "master_seed", "design_n"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"unexpected arguments: {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            if value is not None and key == "design_n":
                design = data.get("design")
                data["design"] = {**(design if isinstance(design, Mapping) else {}), "n": value}
            elif value is not None:
                data[key] = value
        try:
            spec = ExperimentSpec.model_validate(data)
        except ValidationError as err:
            raise ExperimentError(_format_error(err, source)) from None
        return cls(spec, source, Path(folder) if folder is not None else None)

    @classmethod
    def from_toml(cls, path: str | Path, **changes: Any) -> "Experiment":
        """Read an experiment file (see docs/experiments.md)."""
        path = Path(path)
        data = read_toml_file(path, ExperimentError)
        data.setdefault("name", path.stem)
        return cls.from_dict(data, str(path), path.parent, **changes)

    @classmethod
    def load(cls, name_or_path: str | Path, **changes: Any) -> "Experiment":
        """A shipped experiment by name (``"solidariteit"``) or a file by path."""
        return cls.from_toml(resolve_experiment(name_or_path), **changes)

    def _resolve_base(self) -> Path:
        base = self.spec.base
        local = self.folder / base
        if local.is_file():
            return local
        try:
            return resolve_path(base)
        except ScenarioError as err:
            raise ExperimentError(f"{self.source}: base: {err}") from None

    def _fixed_overrides(self) -> dict[str, Any]:
        fixed = _unique_paths(_flatten(self.spec.overrides, "", leaf=lambda v: False), f"{self.source}: overrides.")
        for key in fixed:
            try:
                _leaf_annotation(key)
            except KeyError as err:
                raise ExperimentError(f"{self.source}: overrides.{key}: {err.args[0]}") from None
        if self.spec.years is not None:
            fixed["run.years"] = self.spec.years
        if self.spec.warmup_years is not None:
            fixed["run.warmup_years"] = self.spec.warmup_years
        return fixed

    def _scenario(self, params: Mapping[str, Any], what: str, seed: int | None = None) -> Scenario:
        merged = {**self.fixed, **params}
        if seed is not None:
            merged["seed"] = seed
        try:
            return scenario_from_dict(self.base_raw, self.source, merged)
        except ScenarioError as err:
            message = str(err)
            prefix = f"{self.source}: "
            if message.startswith(prefix):
                message = message[len(prefix):]
            if what.startswith("factor ") and message.startswith(what[len("factor "):] + ": "):
                message = message[len(what) - len("factor ") + 2:]  # the factor is named once
            where = f"{what}: " if what else ""
            raise ExperimentError(f"{self.source}: {where}{message}") from None

    def _parse_factor(self, group: str, rel_key: str, raw: Any) -> Factor:
        key = f"{group}.{rel_key}"
        where = f"{self.source}: factor {key}"
        try:
            annotation = _leaf_annotation(key)
        except KeyError as err:
            raise ExperimentError(f"{where}: unknown factor, {err.args[0]}") from None
        kind, allowed = _kind(annotation)
        allowed_text = f"; allowed values: {', '.join(map(_fmt_toml, allowed))}" if allowed else ""
        spec: dict[str, Any]
        if isinstance(raw, list):
            spec = {"values": raw}
        elif isinstance(raw, Mapping):
            spec = dict(raw)
            unknown = set(spec) - _FACTOR_SPEC_KEYS
            if unknown:
                raise ExperimentError(f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: "
                                      f"values, min, max, levels, label")
        else:
            raise ExperimentError(f"{where}: expected a list of values or a table {{min, max, levels}} "
                                  f"(got {raw!r}); to fix a parameter for every run put it under [overrides]")
        label = spec.get("label") or rel_key.rsplit(".", 1)[-1]
        if not isinstance(label, str):
            raise ExperimentError(f"{where}: label: expected text (got {label!r})")
        if "values" in spec:
            if "min" in spec or "max" in spec or "levels" in spec:
                raise ExperimentError(f"{where}: give either values = [...] or min/max (with levels), not both")
            values = spec["values"]
            if not isinstance(values, list) or not values:
                raise ExperimentError(f"{where}: values: expected a non-empty list{allowed_text}")
            if len(values) > MAX_DESIGN_POINTS:
                raise ExperimentError(f"{where}: values: {len(values):,} values; at most {MAX_DESIGN_POINTS:,}")
            if len({_canonical(v) for v in values}) != len(values):
                raise ExperimentError(f"{where}: values: a value is listed twice ({values!r})")
            typed = []
            seen: dict[str, Any] = {}
            for value in values:
                scenario = self._scenario({key: value}, f"factor {key}")
                typed.append(_get_path(scenario, key))
                same = seen.setdefault(_canonical(typed[-1]), value)
                if same is not value:  # e.g. 2 and 2.0 for a number: one design point, one run id
                    raise ExperimentError(f"{where}: values: {_fmt_toml(same)} and {_fmt_toml(value)} are the same "
                                          f"value ({_fmt_toml(typed[-1])}); list each value once")
            return Factor(key, group, kind, label, values=tuple(typed))
        if "min" not in spec or "max" not in spec:
            raise ExperimentError(f"{where}: a range needs both min and max (or give values = [...])")
        if kind in ("categorical", "boolean"):
            raise ExperimentError(f"{where}: is {kind}, so it has no min/max range; list its levels as "
                                  f"values = [...]{allowed_text}")
        low, high = spec["min"], spec["max"]
        for bound in (low, high):
            if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
                raise ExperimentError(f"{where}: min and max must be finite numbers (got {bound!r})")
        if not low < high:
            raise ExperimentError(f"{where}: min must be below max (got min={low}, max={high})")
        levels = spec.get("levels")
        if levels is not None and (isinstance(levels, bool) or not isinstance(levels, int)
                                   or not 2 <= levels <= MAX_DESIGN_POINTS):
            raise ExperimentError(f"{where}: levels must be an integer from 2 to {MAX_DESIGN_POINTS:,} "
                                  f"(got {levels!r})")
        if kind == "integer" and math.ceil(low) > math.floor(high):
            raise ExperimentError(f"{where}: no integer lies between min={low} and max={high}")
        for bound in (low, high):
            self._scenario({key: int(bound) if kind == "integer" else float(bound)}, f"factor {key}")
        factor = Factor(key, group, kind, label, low=float(low), high=float(high), levels=levels)
        if kind == "number" and levels is not None:
            level_values = factor.level_values()
            if len(set(level_values)) < len(level_values):  # levels are rounded to 6 significant digits
                shown = ", ".join(map(_fmt_toml, dict.fromkeys(level_values)))
                raise ExperimentError(f"{where}: levels: {levels} levels from min={low} to max={high} are not "
                                      f"{levels} different values at 6 significant digits ({shown}); use fewer "
                                      "levels or a wider range")
        return factor

    def _parse_factors(self) -> list[Factor]:
        factors: list[Factor] = []
        for group in FACTOR_GROUPS:
            table = getattr(self.spec, group)
            for rel_key, raw in _unique_paths(_flatten(table, ""), f"{self.source}: {group}.").items():
                key = f"{group}.{rel_key}"
                if key in self.fixed:
                    raise ExperimentError(f"{self.source}: factor {key}: also set under [overrides]; vary it as a "
                                          "factor or fix it in [overrides], not both")
                factors.append(self._parse_factor(group, rel_key, raw))
        labels = [f.label for f in factors]
        if len(set(labels)) != len(labels):  # two factors with the same leaf name: use longer labels
            counts = Counter(labels)
            factors = [f if counts[f.label] == 1 else Factor(
                f.key, f.group, f.kind, f.key.split(".", 1)[1], f.values, f.low, f.high, f.levels)
                for f in factors]
        return factors

    def _factorial(self, require_levels: str, factors: list[Factor] | None = None,
                   times: int = 1) -> list[list[tuple[Factor, Any]]]:
        factors = self.factors if factors is None else factors
        for f in factors:
            if f.values is None and f.levels is None:
                raise ExperimentError(f"{self.source}: factor {f.key}: a {require_levels} design needs levels "
                                      f"for a range (e.g. levels = 3) or values = [...]")
        size = times * math.prod(len(f.values) if f.values is not None else (f.levels or 1) for f in factors)
        if size > MAX_DESIGN_POINTS:
            raise ExperimentError(f"{self.source}: the {require_levels} design has {size:,} design points; at most "
                                  f"{MAX_DESIGN_POINTS:,} are allowed (use fewer values or a latin_hypercube design)")
        return [list(zip(factors, combo))
                for combo in itertools.product(*(f.level_values() for f in factors))]

    def _build_points(self) -> list[DesignPoint]:
        design = self.spec.design
        src = self.source
        if design.type not in SAMPLED_DESIGNS + ("futures",) and design.n is not None:
            raise ExperimentError(f"{src}: design.n: only a latin_hypercube, morris, sobol or futures design takes n "
                                  f"(this is {design.type})")
        if design.type != "morris" and design.levels is not None:
            raise ExperimentError(f"{src}: design.levels: only a morris design takes levels (this is {design.type}); "
                                  "give a factor's levels in the factor itself")
        if design.type != "sobol" and design.second_order is not None:
            raise ExperimentError(f"{src}: design.second_order: only a sobol design takes second_order "
                                  f"(this is {design.type})")
        if design.type not in ("variants", "futures") and self.spec.variants:
            raise ExperimentError(f"{src}: variants: [[variants]] need design.type = \"variants\" or \"futures\" "
                                  f"(this is {design.type})")
        if design.type != "variants" and not self.factors:
            raise ExperimentError(f"{src}: a {design.type} design needs at least one factor under "
                                  "[levers] or [uncertainties]")
        if design.type in SAMPLED_DESIGNS + ("futures",) and design.n is None:
            what = {"latin_hypercube": "the number of points", "morris": "the number of trajectories",
                    "sobol": "the number of base samples, a power of 2", "futures": "the number of sampled futures"}
            raise ExperimentError(f"{src}: design.n: a {design.type} design needs n ({what[design.type]})")
        self._check_declared_size()
        raw: list[DesignPoint]
        if design.type == "full_factorial":
            raw = [DesignPoint(0, ", ".join(f"{f.label}={_fmt_value(v)}" for f, v in combo),
                               {f.key: v for f, v in combo}) for combo in self._factorial("full_factorial")]
        elif design.type == "latin_hypercube":
            raw = self._sampled_points("lhs", self.factors, self._lhs(len(self.factors), design.n or 1), unit=False)
        elif design.type in SENSITIVITY_DESIGNS:
            raw = self._sensitivity_points()
        elif design.type == "futures":
            raw = self._futures_points()
        else:
            raw = [DesignPoint(0, name, params, description) for name, params, description in self._policies("variants")]
        names: set[str] = set()
        for point in raw:  # a run id is a hash of the point's name: two points with one name would share runs
            if point.name in names:
                raise ExperimentError(f"{src}: two design points are named {point.name!r} (factor values that are "
                                      "the same, or differ only beyond 6 significant digits); give values that "
                                      "differ")
            names.add(point.name)
        if len(raw) > MAX_DESIGN_POINTS:
            raise ExperimentError(f"{src}: the {design.type} design has {len(raw):,} design points; at most "
                                  f"{MAX_DESIGN_POINTS:,} are allowed (use a smaller design.n)")
        if len(raw) * self.spec.replications > MAX_RUNS:
            raise ExperimentError(f"{src}: {len(raw):,} design points × {self.spec.replications:,} replications "
                                  f"= {len(raw) * self.spec.replications:,} runs; at most {MAX_RUNS:,}")
        points = []
        for index, point in enumerate(raw):
            scenario = self._scenario(point.params, f"design point {point.name!r}")
            typed = {key: _get_path(scenario, key) for key in point.params}
            points.append(DesignPoint(index, point.name, typed, point.description, point.unit, point.policy,
                                      point.future))
        return points

    def _check_declared_size(self) -> None:
        """Refuse a design whose size, computed from the file alone, is over the caps — before any
        point is built or sampled (a futures design multiplies policies by futures)."""
        design, src = self.spec.design, self.source
        n = design.n or 1
        k = len(self.factors)

        def levels(factors: list[Factor]) -> int:
            return math.prod(len(f.values) if f.values is not None else
                             len(f.level_values()) if f.levels is not None else 1 for f in factors)

        if design.type == "futures":
            levers = [f for f in self.factors if f.group == "levers"]
            policies = max(len(self.spec.variants), 1) * levels(levers)
            size, what = policies * n, f"{policies:,} policies × design.n = {n:,} futures"
        elif design.type == "variants":
            size, what = len(self.spec.variants) * levels(self.factors), "variants × factor levels"
        elif design.type == "morris":
            size, what = n * (k + 1), f"design.n = {n:,} trajectories × ({k} factors + 1)"
        elif design.type == "sobol":
            size = n * (2 * k + 2 if design.second_order else k + 2)
            what = f"design.n = {n:,} base samples × {size // n} (for {k} factors)"
        else:
            return  # full_factorial: _factorial checks its size; latin_hypercube: design.n itself is capped
        if size > MAX_DESIGN_POINTS:
            raise ExperimentError(f"{src}: the {design.type} design has {size:,} design points ({what}); at most "
                                  f"{MAX_DESIGN_POINTS:,} are allowed (use a smaller design.n or fewer levels)")
        if size * self.spec.replications > MAX_RUNS:
            raise ExperimentError(f"{src}: {size:,} design points × {self.spec.replications:,} replications "
                                  f"= {size * self.spec.replications:,} runs; at most {MAX_RUNS:,}")

    def _lhs(self, dimensions: int, n: int) -> Any:
        from scipy.stats import qmc

        rng = design_rng(self.spec.master_seed)
        try:
            sampler = qmc.LatinHypercube(d=dimensions, rng=rng)
        except TypeError:  # scipy < 1.15
            sampler = qmc.LatinHypercube(d=dimensions, seed=rng)
        return sampler.random(n)

    @staticmethod
    def _sampled_points(prefix: str, factors: list[Factor], sample: Any, unit: bool) -> list[DesignPoint]:
        """One point per row of a unit-cube ``sample``, each value mapped onto its factor (Factor.sample)."""
        width = len(str(len(sample)))
        return [DesignPoint(0, f"{prefix}-{i + 1:0{width}d}",
                            {f.key: f.sample(float(u)) for f, u in zip(factors, row)}, "",
                            tuple(float(u) for u in row) if unit else None)
                for i, row in enumerate(sample)]

    def _sensitivity_points(self) -> list[DesignPoint]:
        """Morris trajectories or a Sobol' sample (SALib) in the unit cube, mapped onto the factors."""
        design = self.spec.design
        src = self.source
        for f in self.factors:
            if f.values is not None and len(f.values) < 2:
                raise ExperimentError(f"{src}: factor {f.key}: a {design.type} design needs a range: give min and "
                                      f"max, or at least two values (got values = [{_fmt_toml(f.values[0])}])")
        n = design.n or 1
        salib = import_salib(f"design.type = \"{design.type}\"")
        problem = salib_problem(self.factors)
        seed = int(design_rng(self.spec.master_seed).integers(2**31 - 1))
        if design.type == "morris":
            levels = design.levels if design.levels is not None else 4
            if levels % 2:
                raise ExperimentError(f"{src}: design.levels: must be even, so that every Morris step moves a "
                                      f"factor by the same amount (got {levels})")
            sample = salib.sample.morris.sample(problem, n, num_levels=levels, seed=seed)
            steps = len(self.factors) + 1
            width = len(str(n))
            return [DesignPoint(0, f"morris-{i // steps + 1:0{width}d}-{i % steps:02d}",
                                {f.key: f.sample(float(u)) for f, u in zip(self.factors, row)}, "",
                                tuple(float(u) for u in row)) for i, row in enumerate(sample)]
        if n & (n - 1):
            lower = 1 << (n.bit_length() - 1)
            raise ExperimentError(f"{src}: design.n: a sobol design needs a power of 2 (got {n}; "
                                  f"try {lower} or {lower * 2})")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns about the balance of Sobol' sequences we already ensure
            sample = salib.sample.sobol.sample(problem, n, calc_second_order=bool(design.second_order), seed=seed)
        return self._sampled_points("sobol", self.factors, sample, unit=True)

    def _policies(self, design: str) -> list[tuple[str, dict[str, Any], str]]:
        """(name, lever params, description) of every variant × the factorial of ``factors`` for this design."""
        src = self.source
        factors = self.factors if design == "variants" else [f for f in self.factors if f.group == "levers"]
        if not self.spec.variants:
            if design == "variants":
                raise ExperimentError(f"{src}: a variants design needs at least one [[variants]] entry with a name")
            if not factors:
                raise ExperimentError(f"{src}: a futures design needs policies: factors under [levers] or "
                                      "[[variants]]")
            return [(", ".join(f"{f.label}={_fmt_value(v)}" for f, v in combo), {f.key: v for f, v in combo}, "")
                    for combo in self._factorial(design, factors)]
        names = [v.name for v in self.spec.variants]
        dupes = sorted(n for n, count in Counter(names).items() if count > 1)
        if dupes:
            raise ExperimentError(f"{src}: variants: the name {dupes[0]!r} is used twice")
        combos = self._factorial(design, factors, len(self.spec.variants)) if factors else [[]]
        out = []
        for i, variant in enumerate(self.spec.variants):
            params: dict[str, Any] = {}
            for group in FACTOR_GROUPS:
                table = _flatten(getattr(variant, group), "", leaf=lambda v: False)
                for rel_key, value in _unique_paths(table, f"{src}: variants[{i}] ({variant.name}): "
                                                           f"{group}.").items():
                    key = f"{group}.{rel_key}"
                    try:
                        _leaf_annotation(key)
                    except KeyError as err:
                        raise ExperimentError(f"{src}: variants[{i}] ({variant.name}): {key}: "
                                              f"unknown parameter, {err.args[0]}") from None
                    params[key] = value
            clash = sorted(set(params) & {f.key for f in self.factors})
            if clash:
                raise ExperimentError(f"{src}: variants[{i}] ({variant.name}): {clash[0]} is also a factor; "
                                      "set it in the variant or vary it as a factor, not both")
            fixed = sorted(set(params) & set(self.fixed))
            if fixed:
                raise ExperimentError(f"{src}: variants[{i}] ({variant.name}): {fixed[0]} is also set under "
                                      "[overrides]; set it in the variants or in [overrides], not both")
            for combo in combos:
                name = " · ".join([variant.name] + [f"{f.label}={_fmt_value(v)}" for f, v in combo])
                out.append((name, {**params, **{f.key: v for f, v in combo}}, variant.description))
        return out

    def _futures_points(self) -> list[DesignPoint]:
        """Every policy in each of n futures: a Latin hypercube over the uncertainties, shared by all policies."""
        uncertainties = [f for f in self.factors if f.group == "uncertainties"]
        if not uncertainties:
            raise ExperimentError(f"{self.source}: a futures design needs at least one factor under [uncertainties] "
                                  "(the futures to sample)")
        futures = self._sampled_points("future", uncertainties, self._lhs(len(uncertainties), self.spec.design.n or 1),
                                       unit=False)
        return [DesignPoint(0, f"{name} | {future.name}", {**params, **future.params}, description,
                            policy=name, future=future.name)
                for name, params, description in self._policies("futures") for future in futures]

    def _check_baseline(self, baseline: str | None) -> str:
        names = [p.name for p in self.points]
        if baseline is None:
            return names[0]
        if baseline not in names:
            raise ExperimentError(f"{self.source}: baseline: {baseline!r} is not a design point; allowed: "
                                  f"{_name_list(names)}")
        return baseline

    def _check_kpis(self) -> None:
        if self.kpis is None:
            return
        dupes = sorted(k for k, count in Counter(self.kpis).items() if count > 1)
        if dupes:
            raise ExperimentError(f"{self.source}: kpis: {dupes[0]!r} is listed twice")
        known = probe_kpis(self.base_scenario)
        bad = [k for k in self.kpis if k not in known]
        if bad:
            raise ExperimentError(f"{self.source}: kpis: {bad[0]!r} is not a KPI of this scenario; allowed: "
                                  f"{', '.join(known)}")

    # -- what to run --------------------------------------------------------------------------
    @property
    def factor_keys(self) -> list[str]:
        """Every parameter that varies between design points (factors and variant settings)."""
        keys = dict.fromkeys(f.key for f in self.factors)
        for point in self.points:
            keys.update(dict.fromkeys(point.params))
        return list(keys)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.spec.replications

    @property
    def years(self) -> float:
        return self.base_scenario.run.years

    @property
    def warmup_years(self) -> float:
        return self.base_scenario.run.warmup_years

    def seeds(self) -> list[int]:
        """The model seed of each replication (shared by all design points)."""
        return [replication_seed(self.spec.master_seed, r) for r in range(self.spec.replications)]

    def runs(self) -> Iterator[RunSpec]:
        """All runs, replication by replication, so a partial sweep holds complete replications."""
        seeds = self.seeds()
        for replication in range(self.spec.replications):
            for point in self.points:
                yield RunSpec(run_id_for(point, replication), point.index, point.name, replication,
                              seeds[replication])

    def scenario(self, point: DesignPoint | int | str, replication: int = 0) -> Scenario:
        """The fully resolved scenario of a design point in one replication (with its seed)."""
        if isinstance(point, int):
            point = self.points[point]
        elif isinstance(point, str):
            point = self.point(point)
        return self._scenario(point.params, f"design point {point.name!r}",
                              seed=replication_seed(self.spec.master_seed, replication))

    def point(self, name: str) -> DesignPoint:
        for p in self.points:
            if p.name == name:
                return p
        raise ExperimentError(f"{self.source}: {name!r} is not a design point; allowed: "
                              f"{_name_list([p.name for p in self.points])}")

    # -- identity -----------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """Everything that determines the results (JSON-able); the fingerprint hashes it."""
        return {
            "name": self.name,
            "description": self.spec.description,
            "base": {"name": self.base_raw.get("name"), "path": str(self.base_path),
                     "content": self.base_raw},
            "overrides": self.fixed,
            "master_seed": self.spec.master_seed,
            "replications": self.spec.replications,
            "years": self.years,
            "warmup_years": self.warmup_years,
            "design": self.spec.design.model_dump(),
            "factors": [f.describe() for f in self.factors],
            "points": [p.describe() for p in self.points],
            "baseline": self.baseline,
            "kpis": self.kpis,
            "series": self.series,
        }

    @property
    def fingerprint(self) -> str:
        """sha256 of :meth:`describe` (without the base file's path): same experiment ⇔ same fingerprint."""
        if self._fingerprint is None:
            data = self.describe()
            data["base"] = {k: v for k, v in data["base"].items() if k != "path"}
            self._fingerprint = hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()
        return self._fingerprint

    # -- running ------------------------------------------------------------------------------
    def run(self, workers: int | None = None, out: str | Path | None = None, executor: str = "local",
            scheduler: str | None = None, progress: Any = None) -> "pd.DataFrame":
        """Run every missing run and return all runs, one row per run (``df.attrs['out']`` is the folder).

        ``workers``: processes (default: all cores; 1 runs in this process). ``out``: the results
        folder (default: a new temporary folder); a folder of an unfinished sweep of this
        experiment is resumed. ``executor``: ``"local"`` or ``"dask"`` (``scheduler`` is a
        ``tcp://host:port`` address; without it a LocalCluster is started).
        """
        import tempfile

        from .sweep import run_sweep

        if out is None:
            out = tempfile.mkdtemp(prefix=f"zorgsim-{self.folder_name}-")
        result = run_sweep(self, out, workers=workers, executor=executor, scheduler=scheduler, progress=progress)
        return result.runs()

    @property
    def folder_name(self) -> str:
        """The experiment's name as a folder name (default results folder: ``results/<folder_name>``)."""
        return safe_folder_name(self.name, f"{self.source}: name")

    def __repr__(self) -> str:
        return (f"Experiment({self.name!r}: {len(self.points)} design points × {self.spec.replications} "
                f"replications = {self.n_runs} runs, base {self.base_raw.get('name')!r})")


def _name_list(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "")


def _fmt_toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _get_path(scenario: BaseModel, key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = getattr(node, part)
    return node


_KPI_CACHE: dict[str, list[str]] = {}


def probe_kpis(scenario: Scenario) -> list[str]:
    """The KPI names a scenario's summary has (from a five-week run; cached per network)."""
    from ..api import Simulation

    probe = scenario.model_copy(update={"run": scenario.run.model_copy(
        update={"years": 0.1, "warmup_years": 0.0, "event_log": False})})
    cache_key = hashlib.sha256(_canonical(scenario.network.model_dump(mode="json")).encode()).hexdigest()
    if cache_key not in _KPI_CACHE:
        _KPI_CACHE[cache_key] = list(Simulation(probe).run().summary)
    return _KPI_CACHE[cache_key]


def import_salib(what: str) -> Any:
    """The SALib package, or one ExperimentError line saying how to install it."""
    try:
        import SALib.analyze.morris  # noqa: F401
        import SALib.analyze.sobol  # noqa: F401
        import SALib.sample.morris  # noqa: F401
        import SALib.sample.sobol  # noqa: F401
    except ImportError:
        raise ExperimentError(f"{what} needs SALib, which is not installed; install it with: "
                              "uv sync --extra analyse") from None
    import SALib

    return SALib


def salib_problem(factors: list[Factor] | list[dict[str, Any]]) -> dict[str, Any]:
    """SALib's problem: one variable per factor, each on [0, 1] (Factor.sample maps it onto the factor)."""
    names = [f.key if isinstance(f, Factor) else f["key"] for f in factors]
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
