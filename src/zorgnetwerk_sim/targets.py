"""Calibration targets and validation checks: the data file ``data/targets.toml``.

The file holds what the model is compared with, each figure with its source:

* ``[[targets]]``: public figures (value, interval, unit, scope, source, year) and the run-summary
  KPI each is compared with, the scenarios it applies to, and its ``role``: ``"fitted"`` (the
  calibration fits parameters to it, so agreement with it is no evidence) or ``"held_out"``
  (never used by the calibration: the validation);
* ``[calibration.parameters.<scenario>]``: the parameters ``zorgsim calibrate`` fits by default
  (``"*"`` for any scenario without a list of its own), each with its search range;
* ``[validation]``: the checks of ``zorgsim validate-model`` (face validity, each with the
  ``direction`` ``"assumed"`` when a parameter builds it in or ``"emergent"`` when mechanisms
  together produce it; Little's law; the baseline trend; the national section);
* ``[[not_reproduced]]``: what the model is known not to reproduce (docs/validation.md).

docs/calibration.md describes the format. Bad input is one :class:`TargetsError` line naming the
file and key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .runner.experiment import _format_error
from .scenario import ScenarioError
from .safeio import read_toml_file
from .shipped import REPO, ShippedFolder


class TargetsError(ScenarioError):
    """Bad targets file or calibration input: one line naming the file or option and the key."""


DATA = ShippedFolder("data", "ZORGSIM_DATA", "data file", TargetsError)
DEFAULT_TARGETS = "targets"


def targets_path(name_or_path: str | Path | None = None) -> Path:
    """The shipped ``data/targets.toml`` (or ``$ZORGSIM_DATA/targets.toml``), or a given file."""
    return DATA.resolve(DEFAULT_TARGETS if name_or_path is None else name_or_path)


def display_path(path: Path) -> str:
    """A path as written in generated files: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    url: str | None = None

    def cite(self) -> str:
        text = f"{self.publisher} ({self.year}), {self.title}"
        return f"{text}, {self.url}" if self.url else text


#: What a target is for: ``fitted`` targets are what ``zorgsim calibrate`` fits parameters to (the
#: model meeting them is no evidence); ``held_out`` targets are never fitted (the validation).
Role = Literal["fitted", "held_out"]
FITTED: Role = "fitted"
HELD_OUT: Role = "held_out"

#: Where a face-validity check's expected direction comes from: ``assumed`` when one parameter
#: builds it in (reported, not counted as validation), ``emergent`` when the interplay of
#: mechanisms produces it (it could fail; counted as validation).
Direction = Literal["assumed", "emergent"]
ASSUMED: Direction = "assumed"
EMERGENT: Direction = "emergent"


class Target(_Strict):
    """A public figure and the KPI it is compared with."""

    key: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    description: str = ""
    kpi: str | list[str] = Field(description="Run-summary KPI, or several whose sum is compared")
    value: float
    interval: tuple[float, float] | None = Field(None, description="Uncertainty of the figure: [low, high]")
    tolerance: float | None = Field(None, gt=0, description="Uncertainty as ± an absolute amount")
    unit: str = Field(min_length=1)
    scope: Literal["national", "regional"]
    year: int = Field(ge=1900, le=2100, description="Year the figure describes")
    scenarios: list[str] = Field(min_length=1, description="Scenarios the figure applies to")
    source: Source
    weight: float = Field(1.0, ge=0, description="Extra weight in the calibration objective (fitted targets)")
    role: Role = Field(description="'fitted': zorgsim calibrate fits to it; 'held_out': never fitted, validation only")
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _calibrate_is_gone(cls, data: Any) -> Any:
        if isinstance(data, dict) and "calibrate" in data:
            raise ValueError("'calibrate' is replaced by role = \"fitted\" | \"held_out\"")
        return data

    @property
    def fitted(self) -> bool:
        return self.role == FITTED

    @model_validator(mode="after")
    def _interval(self) -> "Target":
        if (self.interval is None) == (self.tolerance is None):
            raise ValueError("give exactly one of 'interval' = [low, high] or 'tolerance'")
        low, high = self.bounds
        if not low <= self.value <= high or not high > low:
            raise ValueError(f"interval [{low:g}, {high:g}] must contain value {self.value:g} and have width > 0")
        if isinstance(self.kpi, list) and not self.kpi:
            raise ValueError("kpi: give a KPI name or a non-empty list of names")
        return self

    @property
    def kpis(self) -> tuple[str, ...]:
        return (self.kpi,) if isinstance(self.kpi, str) else tuple(self.kpi)

    @property
    def kpi_label(self) -> str:
        return " + ".join(self.kpis)

    @property
    def bounds(self) -> tuple[float, float]:
        if self.interval is not None:
            return self.interval
        assert self.tolerance is not None
        return self.value - self.tolerance, self.value + self.tolerance

    @property
    def half_width(self) -> float:
        low, high = self.bounds
        return (high - low) / 2

    def simulated(self, summary: Mapping[str, float]) -> float:
        """The model's value for this target in one run summary (NaN when a KPI is undefined)."""
        return float(sum(float(summary.get(k, math.nan)) for k in self.kpis))

    def contains(self, value: float) -> bool:
        low, high = self.bounds
        return low <= value <= high

    def applies_to(self, names: Sequence[str]) -> bool:
        return any(n in self.scenarios for n in names)


class _FaceCheck(_Strict):
    """What every face-validity check has: its name, the source of the expected direction, the
    scenario and KPI, and whether the direction is assumed or emergent (and why)."""

    name: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Where the expected direction comes from (docs/sources.md)")
    scenario: str = Field(min_length=1)
    kpi: str = Field(min_length=1)
    expect: Literal["lower", "higher"]
    direction: Direction = Field(description="'assumed': a parameter builds the direction in; 'emergent': "
                                             "mechanisms together produce it")
    why: str = Field(min_length=1, description="Which parameter builds it in, or which mechanisms produce it")


class PairedCheck(_FaceCheck):
    """Face validity by paired runs: a change to the scenario should move a KPI one way (``expect``:
    the variant's KPI against the unchanged scenario)."""

    change: dict[str, Any] = Field(min_length=1, description="Overrides (key path → value) of the variant")


class WithinCheck(_FaceCheck):
    """Face validity within a run: one KPI should be above (or below) another."""

    than: str = Field(min_length=1, description="The KPI it is compared with in the same run")


class LittleCheck(_Strict):
    """Little's law per care type: mean on the wachtlijst ≈ entries per week × mean time on the list."""

    tolerance: float = Field(0.10, gt=0, le=1, description="Allowed relative difference")
    waitlist: str = Field("waitlist_mean_{care}", description="KPI pattern: mean number on the list")
    entries: str = Field("waitlist_entries_per_year_{care}", description="KPI pattern: entries per year")
    wait: str = Field("wait_all_leavers_weeks_mean_{care}", description="KPI pattern: mean weeks on the list")
    total: tuple[str, str, str] = Field(("waitlist_aanbieder_mean", "waitlist_entries_per_year",
                                         "wait_all_leavers_weeks_mean"),
                                        description="The same three KPIs over all care types")


class TrendCheck(_Strict):
    """The baseline's yearly mean wachtlijst: its fitted slope per year must lie within the band."""

    scenario: str = Field("default", min_length=1)
    years: float = Field(15, gt=1, le=100)
    series: list[str] = Field(["waiting_list", "waiting_expertteam"], min_length=1,
                              description="Time-series columns summed into the wachtlijst")
    band_share_per_year: float = Field(0.05, gt=0, description="Allowed |slope| as a share of the mean per year")
    band_source: str = Field("", description="Where the band comes from")
    wait_band: tuple[float, float] | None = Field(None, description="Band (weeks) for every measured year's mean wait")
    wait_band_source: str = Field("", description="Where the wait band comes from")


class NationalCheck(_Strict):
    """The national section (``validate-model --national``): the scenario's targets year by year."""

    scenario: str = Field("nederland", min_length=1, description="The national scenario")


class Validation(_Strict):
    scenarios: list[str] = Field(["default", "klas"], min_length=1, description="Scenarios whose targets are shown")
    optional_scenarios: list[str] = Field(["nederland"], description="Added with --national")
    paired: list[PairedCheck] = Field(default_factory=list)
    within: list[WithinCheck] = Field(default_factory=list)
    littles_law: LittleCheck = Field(default_factory=LittleCheck)
    trend: TrendCheck = Field(default_factory=TrendCheck)
    national: NationalCheck = Field(default_factory=NationalCheck)


class NotReproduced(_Strict):
    text: str = Field(min_length=1)
    source: str = ""


class CalibrationDefaults(_Strict):
    parameters: dict[str, dict[str, tuple[float, float]]] = Field(
        default_factory=dict, description="Per scenario name (or '*'): key path → [low, high]")
    note: str = ""


class TargetsFile(_Strict):
    description: str = ""
    targets: list[Target] = Field(min_length=1)
    calibration: CalibrationDefaults = Field(default_factory=CalibrationDefaults)
    validation: Validation = Field(default_factory=Validation)
    not_reproduced: list[NotReproduced] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "TargetsFile":
        keys = [t.key for t in self.targets]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"target keys must be unique; repeated: {', '.join(dupes)}")
        return self

    def for_scenario(self, names: Sequence[str], role: Role | None = None) -> list[Target]:
        """The targets that apply to a scenario known by any of ``names`` (of one role, if given)."""
        return [t for t in self.targets if t.applies_to(names) and (role is None or t.role == role)]

    def default_parameters(self, names: Sequence[str]) -> dict[str, tuple[float, float]]:
        params = self.calibration.parameters
        for name in names:
            if name in params:
                return dict(params[name])
        return dict(params.get("*", {}))

    def kpis(self) -> set[str]:
        """Every KPI the file refers to (targets and checks; Little's law patterns excluded)."""
        names = {k for t in self.targets for k in t.kpis}
        names |= {c.kpi for c in self.validation.paired}
        names |= {n for c in self.validation.within for n in (c.kpi, c.than)}
        return names


def load_targets(name_or_path: str | Path | None = None) -> tuple[TargetsFile, Path]:
    """Read and check a targets file (default: the shipped data/targets.toml)."""
    path = targets_path(name_or_path)
    raw = read_toml_file(path, TargetsError)
    try:
        return TargetsFile.model_validate(raw), path
    except ValidationError as err:
        raise TargetsError(_format_error(err, str(path), TargetsFile)) from None


def check_kpis(targets: Sequence[Target], summary: Mapping[str, float], source: str) -> None:
    """Every target's KPI must be in a run summary; one line naming the first that is not."""
    for target in targets:
        for kpi in target.kpis:
            if kpi not in summary:
                close = sorted(k for k in summary if kpi.split("_")[0] in k)[:8]
                hint = f"; similar: {', '.join(close)}" if close else ""
                raise TargetsError(f"{source}: target {target.key!r}: kpi {kpi!r} is not in the run summary{hint}")
