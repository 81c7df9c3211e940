"""A scenario in independent parts, run one after another or in parallel processes, merged into one run.

Regions of different expertteams share nothing: a gemeente and an aanbieder belong to one
region, an expertteam serves the regions that name it, and no other part of the model reaches
across regions. So a scenario falls apart into **parts**: the connected components of its
regions linked by a shared expertteam (each region names at most one, so a part is the set of
regions of one named team; the regions that name none form one part together, see
:func:`partition`). ``nederland`` has 8 parts (the bovenregionale expertisenetwerken);
``klas``, ``default`` (two regions that name no team) and every single-region scenario have one.

A scenario with one part runs as one ZorgnetwerkModel, exactly as before. A scenario with
several parts always runs as one ZorgnetwerkModel per part (:func:`sub_scenario`: only that
part's regions and expertteams), seeded from the run's seed and the part's index
(:func:`part_seed`), whatever the number of worker processes; the parts' recorders are merged
into one (:class:`MergedRecorder`) and the run's KPIs are computed once from the merged data by
the code that computes a single model's (metrics.summarize). So the outputs are the same bytes
for every number of workers, serial or parallel (docs/nederland.md).
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .engine import gc_paused
from .metrics import Recorder
from .workers import init_worker, spawning

if TYPE_CHECKING:
    import pyarrow as pa

    from .model import ZorgnetwerkModel
    from .scenario import Scenario

__all__ = ["MergedEventLog", "MergedRecorder", "PartResult", "PartsModel", "part_seed", "partition",
           "run_parts", "sub_scenario"]


# ---------------------------------------------------------------------------------------------
# The partition
# ---------------------------------------------------------------------------------------------
def partition(scenario: "Scenario") -> list[list[int]]:
    """The scenario's parts: lists of region indices (scenario order), ordered by their first region.

    Regions are linked when they name the same expertteam (``network.expertteams``); a region
    names at most one, so the connected components are the groups of regions per named team.
    The regions that name none (each then has a team of its own, but the scenario declares no
    expertise networks: ``default``) stay together in one part, so such a scenario runs as the
    one model it always ran as."""
    regions = scenario.network.regions
    named = {r.expertteam for r in regions if r.expertteam is not None}
    parts: dict[str | None, list[int]] = {}
    for i, region in enumerate(regions):
        # an unnamed region's own team (model: "Expertteam <region>") may be one that others name
        own = f"Expertteam {region.name}"
        key = region.expertteam if region.expertteam is not None else (own if own in named else None)
        parts.setdefault(key, []).append(i)
    return list(parts.values())


def part_seed(seed: int, k: int) -> int:
    """The seed of part ``k`` of a run with ``seed``: ``SeedSequence([seed, k])``, its first 64-bit
    word halved (within the schema's range of seeds, 0 … 2**63 − 1)."""
    return int(np.random.SeedSequence([int(seed), int(k)]).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def sub_scenario(scenario: "Scenario", regions: Sequence[int], k: int) -> "Scenario":
    """Part ``k`` as a scenario of its own: only ``regions`` (in scenario order), the expertteams
    they name, and the part's seed (:func:`part_seed`). Everything else is the scenario's."""
    specs = [scenario.network.regions[i] for i in regions]
    named = {r.expertteam for r in specs if r.expertteam is not None}
    network = scenario.network.model_copy(update={
        "regions": specs, "expertteams": [t for t in scenario.network.expertteams if t.name in named]})
    return scenario.model_copy(update={"network": network, "seed": part_seed(scenario.seed, k)})


def part_sizes(scenario: "Scenario", parts: Sequence[Sequence[int]]) -> list[int]:
    """Inhabitants per part (what the scheduler runs biggest first)."""
    regions = scenario.network.regions
    return [sum(g.inhabitants for i in part for g in regions[i].gemeenten) for part in parts]


# ---------------------------------------------------------------------------------------------
# A part's result: the recorder's data, picklable (arrays and lists, no agents)
# ---------------------------------------------------------------------------------------------
@dataclass
class GemeenteInfo:
    """What the outputs read of a gemeente at the end of a run (metrics.Recorder, metrics._summarize)."""

    name: str
    inhabitants: int
    youth: float
    large: bool
    budget_eur_per_year: float


@dataclass
class RegionInfo:
    index: int  # in the whole scenario
    name: str


class GlobalGemeente:
    """A part's gemeente (a live agent or a :class:`GemeenteInfo`) seen in the whole scenario:
    ``index`` and ``region`` are the scenario's; everything else is the gemeente's own."""

    __slots__ = ("_g", "index", "region")

    def __init__(self, g: Any, index: int, region: RegionInfo) -> None:
        self._g = g
        self.index = index
        self.region = region

    def __getattr__(self, name: str) -> Any:
        return getattr(self._g, name)


@dataclass
class PartResult:
    """One part's finished run: its recorder's arrays and counters, what the merge needs of its
    gemeenten and model, and its event log's spool files (moved to the parent's folder)."""

    index: int
    week: int
    stocks: np.ndarray
    flows: np.ndarray
    costs: np.ndarray
    region_trust: np.ndarray
    region_contracts: np.ndarray
    list_stocks: np.ndarray
    list_stock: list[int]
    team_short_count: np.ndarray  # expertteams short of time, weekly (a count, not the share)
    n_teams: int
    wait_counts: np.ndarray
    cost_counts: np.ndarray
    cost_sums: np.ndarray
    list_n: np.ndarray
    list_weeks: np.ndarray
    overspent: np.ndarray
    prevention_cut: np.ndarray
    judged: np.ndarray
    churn_events: int
    exits: int
    places_added: float
    places_released: float
    gemeenten: list[Any]
    n_entered: int
    n_left: int
    n_persons: int
    event_files: list[Path] | None = None
    event_rows: int = 0
    max_case_id: int = -1
    max_trajectory_id: int = -1


def part_result(model: "ZorgnetwerkModel", k: int, live: bool = False, events_dir: Path | None = None,
                events: bool = True) -> PartResult:
    """The result of part ``k`` from its model (``live``: keep the model's gemeente agents and leave
    its event log where it is; otherwise plain values, and the log's files moved to ``events_dir``;
    ``events`` False: without the event log)."""
    rec = model.recorder
    teams = len(model.expertteams)
    gemeenten: list[Any] = list(model.gemeenten) if live else [
        GemeenteInfo(g.name, g.inhabitants, g.youth, g.large, g.budget_eur_per_year) for g in model.gemeenten]
    out = PartResult(
        index=k, week=model.week, stocks=rec.stocks, flows=rec.flows, costs=rec.costs,
        region_trust=rec.region_trust, region_contracts=rec.region_contracts, list_stocks=rec.list_stocks,
        list_stock=list(rec.list_stock),
        # the share was (teams short) / (teams): the count is a small integer, recovered exactly
        team_short_count=np.rint(rec.team_short * teams).astype(np.int64),
        n_teams=teams,
        wait_counts=np.array(rec._wait_counts, dtype=np.int64),
        cost_counts=np.array(rec._cost_counts, dtype=np.int64),
        cost_sums=np.array(rec._cost_sums, dtype=np.float64),
        list_n=np.array(rec._list_n, dtype=np.int64), list_weeks=np.array(rec._list_weeks, dtype=np.int64),
        overspent=rec.overspent, prevention_cut=rec.prevention_cut, judged=rec.judged,
        churn_events=rec.churn_events, exits=rec.exits,
        places_added=rec.places_added, places_released=rec.places_released,
        gemeenten=gemeenten, n_entered=model.n_entered, n_left=model.n_left, n_persons=model.n_persons)
    if events and model.event_log is not None:
        files = model.event_log.finish()
        if not live and events_dir is not None:
            moved = []
            for i, f in enumerate(files):
                target = Path(events_dir) / f"part-{k:04d}-{i:04d}.parquet"
                shutil.move(str(f), target)
                moved.append(target)
            files = moved
        out.event_files = list(files)
        out.event_rows, out.max_case_id, out.max_trajectory_id = _log_extent(files)
    return out


def _log_extent(files: Sequence[Path]) -> tuple[int, int, int]:
    """Rows, the largest case id and the largest trajectory id of a log's spool files."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rows, case, traj = 0, -1, -1
    for f in files:
        t = pq.read_table(f, columns=["case_id", "trajectory_id"])
        if t.num_rows:
            rows += t.num_rows
            case = max(case, int(pc.max(t["case_id"]).as_py()))
            traj = max(traj, int(pc.max(t["trajectory_id"]).as_py()))
    return rows, case, traj


# ---------------------------------------------------------------------------------------------
# The merge
# ---------------------------------------------------------------------------------------------
class MergedView:
    """What metrics.Recorder's outputs read of "the model": the whole scenario, the week reached,
    its gemeenten and regions (scenario order, scenario indices)."""

    def __init__(self, spec: "Scenario", week: int, gemeenten: list[GlobalGemeente], regions: list[RegionInfo]) -> None:
        self.spec = spec
        self.week = week
        self.gemeenten = gemeenten
        self.regions = regions

    def budget_growth(self, week: int) -> float:
        from .model import ZorgnetwerkModel

        return ZorgnetwerkModel.budget_growth(self, week)  # type: ignore[arg-type]  # reads only .spec


def _layout(scenario: "Scenario", parts: Sequence[Sequence[int]]) -> tuple[list[RegionInfo], list[np.ndarray],
                                                                             list[np.ndarray]]:
    """The scenario's regions, and per part the scenario indices of its gemeenten and its regions."""
    regions = [RegionInfo(i, r.name) for i, r in enumerate(scenario.network.regions)]
    first, n = [], 0
    for r in scenario.network.regions:
        first.append(n)
        n += len(r.gemeenten)
    gem_idx = [np.array([first[i] + j for i in part for j in range(len(scenario.network.regions[i].gemeenten))],
                        dtype=np.int64) for part in parts]
    reg_idx = [np.array(part, dtype=np.int64) for part in parts]
    return regions, gem_idx, reg_idx


class MergedRecorder(Recorder):
    """The recorder of the whole scenario from its parts' (in part order), read by the same
    outputs as a single model's: ``timeseries()``, ``summary()``, ``metrics.summarize_years``.

    Per field: stocks, flows and costs (week × gemeente × column) and the yearly budget verdicts
    (overspent, prevention_cut) are placed at the gemeenten's scenario positions; the region series
    (trust, contracts per aanbieder) at the regions' positions; the histograms (waits, trajectory
    costs and their sums, stays on wachtlijsten), the wachtlijst stocks per care type, churn,
    exits and the capacity places added and released add up; the weekly share of expertteams
    short of time is the number short over all parts divided by all teams; the judged years are
    the same in every part.
    """

    def __init__(self, scenario: "Scenario", parts: Sequence[Sequence[int]],
                 results: Sequence[PartResult]) -> None:  # (Recorder.__init__ needs a model: not called)
        regions, gem_idx, reg_idx = _layout(scenario, parts)
        n_g = sum(len(r.gemeenten) for r in scenario.network.regions)
        r0 = results[0]
        weeks = r0.stocks.shape[0]
        gemeenten: list[GlobalGemeente | None] = [None] * n_g
        region_of = [i for i, r in enumerate(scenario.network.regions) for _ in r.gemeenten]
        self.stocks = np.zeros((weeks, n_g, r0.stocks.shape[2]), dtype=r0.stocks.dtype)
        self.flows = np.zeros((weeks, n_g, r0.flows.shape[2]), dtype=r0.flows.dtype)
        self.costs = np.zeros((weeks, n_g, r0.costs.shape[2]), dtype=r0.costs.dtype)
        self.region_trust = np.zeros((weeks, len(regions)))
        self.region_contracts = np.zeros((weeks, len(regions)))
        self.overspent = np.zeros((r0.overspent.shape[0], n_g), dtype=bool)
        self.prevention_cut = np.zeros((r0.prevention_cut.shape[0], n_g), dtype=bool)
        for res, gi, ri in zip(results, gem_idx, reg_idx):
            self.stocks[:, gi] = res.stocks
            self.flows[:, gi] = res.flows
            self.costs[:, gi] = res.costs
            self.region_trust[:, ri] = res.region_trust
            self.region_contracts[:, ri] = res.region_contracts
            self.overspent[:, gi] = res.overspent
            self.prevention_cut[:, gi] = res.prevention_cut
            for g, i in zip(res.gemeenten, gi.tolist()):
                gemeenten[i] = GlobalGemeente(g, i, regions[region_of[i]])
        self.judged = np.logical_or.reduce([r.judged for r in results])
        self.list_stocks = sum((r.list_stocks for r in results[1:]), results[0].list_stocks.copy())
        self.list_stock = np.sum([r.list_stock for r in results], axis=0).tolist()
        n_teams = sum(r.n_teams for r in results)
        short = sum((r.team_short_count for r in results[1:]), results[0].team_short_count.copy())
        self.team_short = short / n_teams if n_teams else np.zeros(weeks)
        self._wait_counts = sum((r.wait_counts for r in results[1:]), results[0].wait_counts.copy())
        self._cost_counts = sum((r.cost_counts for r in results[1:]), results[0].cost_counts.copy())
        self._cost_sums = sum((r.cost_sums for r in results[1:]), results[0].cost_sums.copy())
        self._list_n = sum((r.list_n for r in results[1:]), results[0].list_n.copy())
        self._list_weeks = sum((r.list_weeks for r in results[1:]), results[0].list_weeks.copy())
        self.churn_events = sum(r.churn_events for r in results)
        self.exits = sum(r.exits for r in results)
        self.places_added = sum(r.places_added for r in results)
        self.places_released = sum(r.places_released for r in results)
        self._warmup_weeks = scenario.warmup_weeks
        self.model = MergedView(scenario, min(r.week for r in results), gemeenten,  # type: ignore[arg-type]
                                regions)


# ---------------------------------------------------------------------------------------------
# The merged event log
# ---------------------------------------------------------------------------------------------
class MergedEventLog:
    """The parts' event logs as one (eventlog.EventLog's reading side: ``table``, ``write``, ``len``).

    The parts' events follow each other in part order; ``event_id`` counts on over all of them,
    and each part's case and trajectory ids are shifted past the previous parts' largest, so
    they stay unique (a person and a trajectory keep one id each, as in a single model). One
    spool file, rewritten one row group at a time (memory: one row group)."""

    def __init__(self, results: Sequence[PartResult]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .eventlog import schema

        self._dir = tempfile.mkdtemp(prefix="zorgsim-events-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        self._path = Path(self._dir) / "merged.parquet"
        self.n_written = 0
        case_shift = traj_shift = 0
        with pq.ParquetWriter(self._path, schema(), compression="zstd") as writer:
            for res in results:
                for f in res.event_files or []:
                    reader = pq.ParquetFile(f)
                    for i in range(reader.num_row_groups):
                        t = reader.read_row_group(i)
                        n = t.num_rows
                        t = t.set_column(0, "event_id", pa.array(np.arange(self.n_written, self.n_written + n,
                                                                           dtype=np.int64)))
                        t = t.set_column(1, "case_id", pa.array(t["case_id"].to_numpy() + case_shift))
                        t = t.set_column(2, "trajectory_id", pa.array(t["trajectory_id"].to_numpy() + traj_shift))
                        writer.write_table(t)
                        self.n_written += n
                case_shift += res.max_case_id + 1
                traj_shift += res.max_trajectory_id + 1
            if not self.n_written:
                writer.write_table(schema().empty_table())

    pending = 0

    def __len__(self) -> int:
        return self.n_written

    def finish(self) -> list[Path]:
        return [self._path]

    def table(self) -> "pa.Table":
        import pyarrow.parquet as pq

        from .eventlog import schema

        return pq.read_table(self._path, schema=schema())

    def write(self, path: str | Path) -> Path:
        """The log as ``path`` (a hard link to the merged file where possible)."""
        path = Path(path)
        try:
            os.link(self._path, path)
        except OSError:
            shutil.copyfile(self._path, path)
        return path


# ---------------------------------------------------------------------------------------------
# Stepping all parts together (api.Simulation)
# ---------------------------------------------------------------------------------------------
class PartsModel:
    """The part models of a multi-part Simulation seen as one model (``Simulation.model``): the
    week, the merged recorder, the gemeenten and regions in scenario order, the counts of
    jongeren, the agents by type. Read-only: step through the Simulation."""

    def __init__(self, scenario: "Scenario", parts: list[list[int]], models: list["ZorgnetwerkModel"]) -> None:
        self.spec = scenario
        self.parts = parts
        self.models = models
        self._recorder: tuple[int, MergedRecorder] | None = None
        # The organisations of every part at their scenario positions, found once (gemeenten and
        # regions stay the same objects for the whole run).
        regions, gem_idx, _ = _layout(scenario, parts)
        region_of = [i for i, r in enumerate(scenario.network.regions) for _ in r.gemeenten]
        self._gemeenten: list[Any] = [None] * len(region_of)
        for m, gi in zip(models, gem_idx):
            for g, i in zip(m.gemeenten, gi.tolist()):
                self._gemeenten[i] = GlobalGemeente(g, i, regions[region_of[i]])
        self._regions: list[Any] = [None] * len(scenario.network.regions)
        for m, part in zip(models, parts):
            for r, i in zip(m.regions, part):
                self._regions[i] = r

    @property
    def week(self) -> int:
        return min(m.week for m in self.models)

    def results(self, events: bool = True) -> list[PartResult]:
        return [part_result(m, k, live=True, events=events) for k, m in enumerate(self.models)]

    @property
    def recorder(self) -> MergedRecorder:
        """The merged recorder of the weeks so far (built again once the parts have stepped on)."""
        week = self.week
        if self._recorder is None or self._recorder[0] != week:
            self._recorder = (week, MergedRecorder(self.spec, self.parts, self.results(events=False)))
        return self._recorder[1]

    @property
    def gemeenten(self) -> list[GlobalGemeente]:
        return self._gemeenten

    @property
    def regions(self) -> list[Any]:
        return self._regions

    @property
    def expertteams(self) -> list[Any]:
        return [t for m in self.models for t in m.expertteams]

    @property
    def n_entered(self) -> int:
        return sum(m.n_entered for m in self.models)

    @property
    def n_left(self) -> int:
        return sum(m.n_left for m in self.models)

    @property
    def n_persons(self) -> int:
        return sum(m.n_persons for m in self.models)

    @property
    def jongeren_active(self) -> int:
        return sum(m.jongeren_active for m in self.models)

    @property
    def agents_by_type(self) -> dict[type, list[Any]]:
        out: dict[type, list[Any]] = {}
        for m in self.models:
            for kind, agents in m.agents_by_type.items():
                out.setdefault(kind, []).extend(agents)
        return out


def merged_outputs(scenario: "Scenario", parts: list[list[int]],
                   results: list[PartResult]) -> tuple[MergedRecorder, MergedEventLog | None]:
    rec = MergedRecorder(scenario, parts, results)
    log = MergedEventLog(results) if any(r.event_files is not None for r in results) else None
    return rec, log


# ---------------------------------------------------------------------------------------------
# Running the parts (api.run, zorgsim run --workers)
# ---------------------------------------------------------------------------------------------
def run_part(spec: "Scenario", k: int, events_dir: str | None,
             progress: Callable[[int], None] | None = None) -> PartResult:
    """Run part ``k`` (its sub-scenario) to the end and return its result, without the model
    (module level: a spawned worker process runs it)."""
    from .model import ZorgnetwerkModel

    with gc_paused():
        model = ZorgnetwerkModel(spec)
        while model.week < spec.weeks:
            model.step()
            if progress is not None:
                progress(model.week)
        result = part_result(model, k, events_dir=Path(events_dir) if events_dir else None)
        # The model and its agents refer to each other (Mesa's registries): only the cyclic
        # collector frees them, and it is paused. Free this part now, before the next one starts,
        # so that parts run one after another never hold more than one part's trajectories.
        del model
        gc.collect()
    return result




def run_parts(scenario: "Scenario", workers: int = 1,
              progress: Callable[[int, int], None] | None = None) -> tuple[MergedRecorder, MergedEventLog | None]:
    """Run a scenario's parts (serially, or in ``workers`` processes, biggest part first) and merge them.

    The parts are merged in part order whatever order they finish in, so the outputs do not
    depend on ``workers``. With one worker the parts run one after another in this process and
    only one part's trajectories are alive at a time. ``progress(week, weeks)`` reports the
    share of all parts' weeks done, scaled to the scenario's weeks."""
    parts = partition(scenario)
    specs = [sub_scenario(scenario, part, k) for k, part in enumerate(parts)]
    weeks = scenario.weeks
    total = weeks * len(parts)
    events_dir = tempfile.mkdtemp(prefix="zorgsim-parts-") if scenario.run.event_log else None
    try:
        results: list[PartResult | None] = [None] * len(parts)
        if workers <= 1 or len(parts) == 1:
            for k, spec in enumerate(specs):
                done = k * weeks
                tick = None if progress is None else (lambda w, d=done: progress((d + w) * weeks // total, weeks))
                results[k] = run_part(spec, k, events_dir, tick)
        else:
            sizes = part_sizes(scenario, parts)
            order = sorted(range(len(parts)), key=lambda k: (-sizes[k], k))
            for k, res in _run_in_pool(specs, order, workers, events_dir):
                results[k] = res
                if progress is not None:
                    progress(sum(r is not None for r in results) * weeks // len(parts), weeks)
        return merged_outputs(scenario, parts, results)  # type: ignore[arg-type]
    finally:
        if events_dir is not None:
            shutil.rmtree(events_dir, ignore_errors=True)


def _run_in_pool(specs: list["Scenario"], order: list[int], workers: int,
                 events_dir: str | None) -> Iterator[tuple[int, PartResult]]:
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from multiprocessing import get_context

    pool = ProcessPoolExecutor(max_workers=min(workers, len(specs)), mp_context=get_context("spawn"),
                               initializer=init_worker, initargs=(os.getpid(),))
    clean = False
    try:
        with spawning():
            pending: dict[Future[PartResult], int] = {pool.submit(run_part, specs[k], k, events_dir): k
                                                      for k in order}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                k = pending.pop(future)
                yield k, future.result()
        clean = True
    finally:
        if clean:
            pool.shutdown(wait=True)
        else:  # interrupted or failed: stop the workers now instead of letting them finish
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
