"""The event log of the jeugdreis: one row per step of every trajectory (docs/model.md §4.11; [Zorg&Sociaalweb 2022]).

The pathway calls :meth:`EventLog.add` at each step with the jongere, a Dutch activity from
the fixed vocabulary below, the week and the organisation that acts. An event is eight values
added to one flat list (the organisation as the agent itself); every
``chunk_rows`` rows the list becomes one Parquet row group, with the organisations and
activities dictionary-encoded, in a spool file. So a national run keeps at most one chunk
in memory however many events it logs, and a run without a log pays nothing.

Columns (``events.parquet``), in the order events happened (``event_id``):

========================  ====================================================================
``event_id``              0, 1, 2, ... in the order the events happened
``case_id``               the person (stable across returns and relapses of the same jongere)
``trajectory_id``         the trajectory (a return or relapse starts a new one)
``activity``              one of :data:`ACTIVITIES`
``week``                  simulated week (the warm start's signals fall before week 0)
``date``                  ``run.start_date`` + 7 × week days
``organisation``          who acts: the gemeente, an aanbieder, an expertteam or the regio
``organisation_type``     ``gemeente`` / ``aanbieder`` / ``expertteam`` / ``regio``
``gemeente``, ``region``  the jongere's gemeente and its inkoopregio
``care_type``             the care type of the trajectory at that moment (``geen`` before the toegang)
``cost_eur``              care cost of the trajectory so far (settled episodes + the running one)
========================  ====================================================================
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .caretypes import CARE_KEYS

if TYPE_CHECKING:
    import pyarrow as pa

    from .agents import Jongere

# -- the vocabulary --------------------------------------------------------------------------
SIGNAAL = "signaal"              # a new need is signalled (the trajectory starts)
TERUGKEER = "terugkeer"          # the jongere comes back after withdrawing or dropping out of view
TERUGVAL = "terugval"            # the jongere comes back after care ended (relapse)
TOEGANG = "toegang"              # the wijkteam's assessment: wijkteam support or a referral
HERBEOORDELING = "herbeoordeling"  # a bounced referral is assessed again
EXPERTTEAM = "expertteam"        # a complex case is put on the expertteam's table
EXPERTTEAM_SUCCESVOL = "expertteam succesvol"
EXPERTTEAM_GEDEELTELIJK = "expertteam gedeeltelijk"
EXPERTTEAM_ONSUCCESVOL = "expertteam onsuccesvol"
EXPERTTEAM_GEEN_TIJD = "expertteam geen tijd"  # the team had no time in time: the case is referred as it is
WACHTLIJST = "wachtlijst"        # on an aanbieder's (or the regio's central) wachtlijst
TERUGVERWIJZING = "terugverwijzing"  # the referral does not fit and is sent back (a bounce)
ESCALATIE = "escalatie"          # waiting hurts: the need gets heavier
CRISIS = "crisis"                # a crisis admission starts
DOORPLAATSING = "doorplaatsing"  # care moves to another aanbieder
ZORG_ONDERBROKEN = "zorg onderbroken"  # the aanbieder stops and no place is free elsewhere
AFSCHALING = "afschaling"        # care ends and a lighter care type follows
#: ``start <zorgvorm>`` per care type id (crisis care starts as ``crisis``)
START_ACTIVITY: tuple[str, ...] = tuple(CRISIS if key == "crisis" else "start " + key.replace("_", " ")
                                        for key in CARE_KEYS)
#: The end of a trajectory per reason given by the pathway
END_ACTIVITY: dict[str, str] = {"afgerond": "afgerond", "withdrawn": "teruggetrokken", "lost from view": "uit beeld",
                                "aged out": "leeftijdsgrens", "no provider": "geen aanbod"}
OPENING_ACTIVITIES: tuple[str, ...] = (SIGNAAL, TERUGKEER, TERUGVAL)
END_ACTIVITIES: tuple[str, ...] = tuple(END_ACTIVITY.values())
ACTIVITIES: tuple[str, ...] = (OPENING_ACTIVITIES + (TOEGANG, HERBEOORDELING, EXPERTTEAM, EXPERTTEAM_SUCCESVOL,
                                                     EXPERTTEAM_GEDEELTELIJK, EXPERTTEAM_ONSUCCESVOL,
                                                     EXPERTTEAM_GEEN_TIJD, WACHTLIJST,
                                                     TERUGVERWIJZING, ESCALATIE)
                               + START_ACTIVITY + (DOORPLAATSING, ZORG_ONDERBROKEN, AFSCHALING) + END_ACTIVITIES)
#: ``care_type`` per care id + 1 (id -1: not assessed yet)
CARE_NAMES: tuple[str, ...] = ("geen",) + CARE_KEYS
ORGANISATION_TYPES: tuple[str, ...] = ("gemeente", "aanbieder", "expertteam", "regio")
_TYPE_OF_CLASS = {"Gemeente": "gemeente", "Aanbieder": "aanbieder", "Expertteam": "expertteam",
                  "Inkoopregio": "regio"}

COLUMNS: tuple[str, ...] = ("event_id", "case_id", "trajectory_id", "activity", "week", "date", "organisation",
                            "organisation_type", "gemeente", "region", "care_type", "cost_eur")
FILE_NAME = "events.parquet"
WIDTH = 8  # values per event in EventLog.rows
_EPOCH = dt.date(1970, 1, 1)


def schema() -> "pa.Schema":
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string())
    return pa.schema([("event_id", pa.int64()), ("case_id", pa.int64()), ("trajectory_id", pa.int64()),
                      ("activity", text), ("week", pa.int32()), ("date", pa.date32()), ("organisation", text),
                      ("organisation_type", text), ("gemeente", text), ("region", text), ("care_type", text),
                      ("cost_eur", pa.float64())])


class EventLog:
    """Rows in memory up to ``chunk_rows``, then a row group in a spool file (see the module doc)."""

    def __init__(self, start_date: dt.date, gemeenten: list[Any], chunk_rows: int = 200_000) -> None:
        self.start_day = (start_date - _EPOCH).days
        self.rows: list[Any] = []            # WIDTH values per event, flat (cheapest to append and to split)
        self.chunk_rows = chunk_rows
        self.n_written = 0
        self._gemeente_names = [g.name for g in gemeenten]
        regions = {g.region.index: g.region.name for g in gemeenten}
        position = {r: k for k, r in enumerate(sorted(regions))}
        self._region_names = [regions[r] for r in sorted(regions)]
        self._region_of = np.array([position[g.region.index] for g in gemeenten], dtype=np.int32)
        self._activity_code = {a: k for k, a in enumerate(ACTIVITIES)}
        self._orgs: dict[Any, int] = {None: -1}  # agent (or regio) -> index in the names below
        self._org_names: list[str] = []
        self._org_types: list[int] = []
        self._gemeente_index = {g: g.index for g in gemeenten}
        self._gemeente_org = np.array([self._org_index(g) for g in sorted(gemeenten, key=lambda g: g.index)],
                                      dtype=np.int32)
        self._dir = tempfile.mkdtemp(prefix="zorgsim-events-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        self._parts: list[Path] = []         # finished spool files
        self._writer: Any = None             # the open one
        self._writer_path = Path(self._dir)

    @property
    def chunk_rows(self) -> int:
        return self._limit // WIDTH

    @chunk_rows.setter
    def chunk_rows(self, rows: int) -> None:
        self._limit = max(1, int(rows)) * WIDTH

    def add(self, j: "Jongere", activity: str, week: int, org: Any = None) -> None:
        """One event of ``j`` (``org`` None: its gemeente acts).

        The cost is the trajectory's settled cost: the pathway logs each event when no care
        episode is running or one has just started or been settled (start_care,
        release_place), so that is the cost so far; tests/test_jeugdreis.py checks that it never
        falls and ends at the cost the KPIs count. As little as possible happens here (the
        national run logs ~20 million events); agents are resolved to names per chunk."""
        rows = self.rows
        rows += (j.person_id, j.unique_id, activity, week, org, j.gemeente, j.care, j.cost)
        if len(rows) >= self._limit:
            self.flush()

    @property
    def pending(self) -> int:
        """Events in memory, not yet in the spool file."""
        return len(self.rows) // WIDTH

    def __len__(self) -> int:
        return self.n_written + self.pending

    # -- to Parquet ------------------------------------------------------------------------
    def _org_index(self, org: Any) -> int:
        index = self._orgs.get(org)
        if index is None:
            index = self._orgs[org] = len(self._org_names)
            self._org_names.append(org.name)
            self._org_types.append(ORGANISATION_TYPES.index(_TYPE_OF_CLASS[type(org).__name__]))
        return index

    def _batch(self) -> "pa.RecordBatch":
        import pyarrow as pa

        rows = self.rows
        orgs = rows[4::WIDTH]
        n = len(orgs)
        for org in dict.fromkeys(orgs):  # (first-seen order: the same run gives the same file)
            if org is not None:
                self._org_index(org)
        # (np.fromiter on a list or map is several times faster than np.array on a list)
        gem = np.fromiter(map(self._gemeente_index.__getitem__, rows[5::WIDTH]), np.int32, n)
        org = np.fromiter(map(self._orgs.__getitem__, orgs), np.int32, n)
        org = np.where(org < 0, self._gemeente_org[gem], org)  # None: the jongere's gemeente acts
        week = np.fromiter(rows[3::WIDTH], np.int32, n)

        def coded(indices: np.ndarray, names: list[str] | tuple[str, ...]) -> pa.DictionaryArray:
            return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(names, pa.string()))

        columns = [
            pa.array(np.arange(self.n_written, self.n_written + n, dtype=np.int64)),
            pa.array(np.fromiter(rows[0::WIDTH], np.int64, n)),
            pa.array(np.fromiter(rows[1::WIDTH], np.int64, n)),
            coded(np.fromiter(map(self._activity_code.__getitem__, rows[2::WIDTH]), np.int32, n), ACTIVITIES),
            pa.array(week),
            pa.array(week * 7 + self.start_day, pa.int32()).cast(pa.date32()),
            coded(org, self._org_names),
            coded(np.array(self._org_types, dtype=np.int32)[org], ORGANISATION_TYPES),
            coded(gem, self._gemeente_names),
            coded(self._region_of[gem], self._region_names),
            coded(np.fromiter(rows[6::WIDTH], np.int32, n) + 1, CARE_NAMES),
            pa.array(np.fromiter(rows[7::WIDTH], np.float64, n)),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=schema())

    def flush(self) -> None:
        """Write the rows in memory as one row group of the open spool file."""
        if not self.rows:
            return
        import pyarrow.parquet as pq

        batch = self._batch()
        self.rows = []
        if self._writer is None:
            self._writer_path = Path(self._dir) / f"part-{len(self._parts):04d}.parquet"
            self._writer = pq.ParquetWriter(self._writer_path, schema(), compression="zstd")
        self._writer.write_batch(batch)
        self.n_written += batch.num_rows

    def finish(self) -> list[Path]:
        """Flush and close the spool file; returns the finished parts. Logging may go on (a new part)."""
        self.flush()
        if self._writer is not None:
            self._writer.close()
            self._parts.append(self._writer_path)
            self._writer = None
        return list(self._parts)

    def table(self) -> "pa.Table":
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self.finish()
        if not parts:
            return schema().empty_table()
        return pa.concat_tables([pq.read_table(p, schema=schema()) for p in parts], promote_options="permissive")

    def write(self, path: str | Path) -> Path:
        """The whole log as one Parquet file at ``path`` (a hard link to the spool file where possible)."""
        import pyarrow.parquet as pq

        path = Path(path)
        parts = self.finish()
        if len(parts) == 1:
            try:
                os.link(parts[0], path)
            except OSError:
                shutil.copyfile(parts[0], path)
            return path
        with pq.ParquetWriter(path, schema(), compression="zstd") as writer:
            for part in parts:
                reader = pq.ParquetFile(part)
                for i in range(reader.num_row_groups):
                    writer.write_table(reader.read_row_group(i))
            if not parts:
                writer.write_table(schema().empty_table())
        return path
