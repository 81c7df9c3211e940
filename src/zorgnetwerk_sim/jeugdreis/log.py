"""Reading a run's event log (``events.parquet``, see ``zorgnetwerk_sim.eventlog``) for exports
and the process report, and the checks of an output path before anything is written.

A national log (~17 million events) does not fit in memory as one DataFrame, so the log is read
in buckets of whole cases: the cases are cut, in case order, into ranges of at most
:data:`BUCKET_EVENTS` events (a case is never split), and each bucket is read with a filter on
``case_id`` and sorted by case, week and event order. A log of at most ``BUCKET_EVENTS``
events is one bucket, read without a filter. The measures (analysis.py) and the exports
(export.py) are computed per bucket and combined; the buckets together are the whole log sorted
as one DataFrame would be."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..eventlog import COLUMNS, FILE_NAME
from ..safeio import OutputError, check_output_file, check_output_folder


#: At most this many events are read into memory at a time (more only when one case has more)
BUCKET_EVENTS = 1_000_000
#: The order of a run's events within a bucket: by case, then as they happened
ORDER = ["case_id", "week", "event_id"]


class LogError(ValueError):
    """The run folder, its event log or an output path cannot be used; the message is one line."""


@dataclass
class RunLog:
    """A run's event log (read bucket by bucket) with what the run folder says about the run."""

    folder: Path
    path: Path
    n_events: int
    scenario: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    _ranges: list[tuple[int, int]] | None = field(default=None, repr=False)

    def read(self, columns: list[str] | None = None, case_range: tuple[int, int] | None = None) -> pd.DataFrame:
        """The events (all, or of the cases ``lo <= case_id <= hi`` of ``case_range``), sorted by case
        and time; ``columns``: these besides the ones the order needs (default all). The whole log
        at once only for logs that fit in memory: :meth:`buckets` reads it in parts."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        wanted = list(COLUMNS) if columns is None else list(dict.fromkeys([*ORDER, *columns]))
        where = None if case_range is None else (ds.field("case_id") >= case_range[0]) & (
            ds.field("case_id") <= case_range[1])
        try:
            table = ds.dataset(self.path, format="parquet").to_table(columns=wanted, filter=where)
            events = table.to_pandas()
        except Exception as err:  # noqa: BLE001 - any unreadable file is bad input
            raise LogError(f"{self.path}: cannot be read ({type(err).__name__}: {_first_line(err)})") from None
        del table
        events = events.sort_values(ORDER, kind="stable", ignore_index=True)
        pa.default_memory_pool().release_unused()  # (the allocator keeps freed memory otherwise)
        return events

    def case_ranges(self) -> list[tuple[int, int]]:
        """The buckets as ranges of case ids ``(lo, hi)``, in case order; ``[]`` for one bucket."""
        if self._ranges is None:
            self._ranges = [] if self.n_events <= BUCKET_EVENTS else _cut(self.path, BUCKET_EVENTS)
        return self._ranges

    def buckets(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """The events in buckets of whole cases, in case order, each sorted as :attr:`events`."""
        import pyarrow as pa

        for case_range in self.case_ranges() or [None]:
            yield self.read(columns, case_range)
            # what the bucket's text columns took from Arrow's allocator goes back to the system
            pa.default_memory_pool().release_unused()

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


def read_log(run_dir: str | Path) -> RunLog:
    """The event log of ``run_dir`` (the folder of ``zorgsim run --event-log``), checked; its events
    are read when asked for (:meth:`RunLog.buckets`, :meth:`RunLog.read`)."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise LogError(f"{folder}: not a folder; give the output folder of 'zorgsim run SCENARIO --event-log'")
    path = folder / FILE_NAME
    if not path.is_file():
        raise LogError(f"{folder}: no {FILE_NAME} (the event log); run 'zorgsim run SCENARIO --event-log "
                       f"--out {folder}' first")
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
        present, n_events = meta.schema.to_arrow_schema().names, meta.num_rows
    except Exception as err:  # noqa: BLE001 - any unreadable file is bad input
        raise LogError(f"{path}: not a readable Parquet file ({type(err).__name__}: {_first_line(err)})") from None
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise LogError(f"{path}: missing column(s) {', '.join(missing)}; an event log has {', '.join(COLUMNS)} "
                       "(written by 'zorgsim run --event-log')")
    return RunLog(folder, path, n_events, _read_toml(folder / "scenario.toml"), _read_json(folder / "summary.json"))


def _cut(path: Path, limit: int) -> list[tuple[int, int]]:
    """Ranges of case ids, in order, of at most ``limit`` events each (or one case)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        per_case = ds.dataset(path, format="parquet").to_table(columns=["case_id"]).group_by("case_id").aggregate(
            [("case_id", "count")]).sort_by("case_id")
    except Exception as err:  # noqa: BLE001
        raise LogError(f"{path}: cannot be read ({type(err).__name__}: {_first_line(err)})") from None
    cases = per_case["case_id"].to_numpy()
    ends = np.cumsum(per_case["case_id_count"].to_numpy())
    del per_case
    pa.default_memory_pool().release_unused()
    ranges, start, done = [], 0, 0
    while start < len(cases):
        # the last case that still fits (at least one case a bucket)
        stop = max(int(np.searchsorted(ends, done + limit, side="right")), start + 1)
        ranges.append((int(cases[start]), int(cases[stop - 1])))
        done, start = int(ends[stop - 1]), stop
    return ranges


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
