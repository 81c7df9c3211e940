"""Reading a run's event log (``events.parquet``, see ``zorgnetwerk_sim.eventlog``) for exports
and the process report, and the checks of an output path before anything is written."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..eventlog import COLUMNS, FILE_NAME
from ..safeio import OutputError, check_output_file, check_output_folder


class LogError(ValueError):
    """The run folder, its event log or an output path cannot be used; the message is one line."""


@dataclass
class RunLog:
    """A run's events, sorted by case and time, with what the run folder says about the run."""

    folder: Path
    events: pd.DataFrame
    scenario: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.scenario.get("name") or self.folder.name)

    @property
    def warmup_weeks(self) -> int:
        return int(round(float(self.scenario.get("run", {}).get("warmup_years", 1.0)) * 52))

    @property
    def horizon_weeks(self) -> int | None:
        years = self.scenario.get("run", {}).get("years")
        return None if years is None else int(round(float(years) * 52))


def read_log(run_dir: str | Path, columns: list[str] | None = None) -> RunLog:
    """The event log of ``run_dir`` (the folder of ``zorgsim run --event-log``), checked.

    Rows are sorted by case, week and event order (the order the events happened)."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise LogError(f"{folder}: not a folder; give the output folder of 'zorgsim run SCENARIO --event-log'")
    path = folder / FILE_NAME
    if not path.is_file():
        raise LogError(f"{folder}: no {FILE_NAME} (the event log); run 'zorgsim run SCENARIO --event-log "
                       f"--out {folder}' first")
    import pyarrow.parquet as pq

    try:
        present = pq.read_schema(path).names
    except Exception as err:  # noqa: BLE001 - any unreadable file is bad input
        raise LogError(f"{path}: not a readable Parquet file ({type(err).__name__}: {_first_line(err)})") from None
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise LogError(f"{path}: missing column(s) {', '.join(missing)}; an event log has {', '.join(COLUMNS)} "
                       "(written by 'zorgsim run --event-log')")
    wanted = list(COLUMNS) if columns is None else list(dict.fromkeys(["event_id", "case_id", "week", *columns]))
    try:
        events = pq.read_table(path, columns=wanted).to_pandas()
    except Exception as err:  # noqa: BLE001
        raise LogError(f"{path}: cannot be read ({type(err).__name__}: {_first_line(err)})") from None
    events = events.sort_values(["case_id", "week", "event_id"], kind="stable", ignore_index=True)
    return RunLog(folder, events, _read_toml(folder / "scenario.toml"), _read_json(folder / "summary.json"))


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else "no details"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def timestamps(events: pd.DataFrame) -> pd.Series:
    """Event times for process-mining tools: the event's date, plus one second for each earlier
    event of the same case in the same week, so that tools that sort by time keep the order in
    which the events happened (``events`` sorted as :func:`read_log` returns them)."""
    day = pd.to_datetime(events["date"]).dt.tz_localize("UTC")
    rank = events.groupby(["case_id", "week"], sort=False).cumcount()
    return day + pd.to_timedelta(rank.to_numpy(), unit="s")


# -- writing (the project's safe writes: zorgnetwerk_sim.safeio) ------------------------------------
def check_writable_file(path: Path, what: str = "--out") -> None:
    """Fail early when ``path`` cannot be written (a folder, or in a folder that cannot be made)."""
    try:
        check_output_file(path)
    except OutputError as err:
        raise LogError(f"{what} {err}") from None


def check_writable_folder(folder: Path, what: str = "--out") -> None:
    try:
        check_output_folder(folder)
    except OutputError as err:
        raise LogError(f"{what} {err}") from None
