"""Per-session state: one :class:`Session` per browser session, made by the layout.

Nothing here lives at module level: Solara serves every tab from one process, so state kept in
a module would be shared by all users. The layout creates the session with ``use_memo`` and
hands it to the pages through a context.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from ..api import Simulation
from ..scenario import Scenario
from .comparison import ComparisonResult, run_comparison
from .explore import base_raw, resolve, weekly

DEFAULT_SCENARIO = "klas"
UPLOADED = "geupload"


def work_root() -> Path:
    """Where comparisons make their private folders: $ZORGSIM_UI_WORK or the system's temporary folder.

    Each comparison makes its own folder there with :func:`tempfile.mkdtemp` (random name, mode
    0700) and removes it when its results are read; there is no fixed shared folder.
    """
    return Path(os.environ.get("ZORGSIM_UI_WORK") or tempfile.gettempdir())


def results_root() -> Path:
    """The one folder whose sweep results can be opened: $ZORGSIM_UI_RESULTS or ./results."""
    return Path(os.environ.get("ZORGSIM_UI_RESULTS") or Path.cwd() / "results")


@dataclass
class Explorer:
    """The run on the Verkennen page; only the background task steps it."""

    scenario: Scenario
    sim: Simulation
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def new(cls, scenario: Scenario) -> "Explorer":
        return cls(scenario, Simulation(scenario))

    def advance(self, weeks: int) -> pd.DataFrame:
        """Step ``weeks`` and return the region's weekly series so far."""
        with self.lock:
            self.sim.step(weeks)
            return weekly(self.sim)

    def timeseries(self) -> pd.DataFrame:
        """The run's time series per gemeente so far (as ``zorgsim run`` writes it)."""
        with self.lock:
            return self.sim.model.recorder.timeseries()

    def summary(self) -> pd.DataFrame:
        with self.lock:
            summary = self.sim.result().summary
        return pd.DataFrame({"kpi": list(summary), "waarde": list(summary.values())})


@dataclass(frozen=True)
class ComparisonJob:
    """A comparison the user started: what was asked, how far it is, and its result.

    It belongs to the session, not to the page: it runs on in a thread of its own when the user
    goes to another page, and the form shows what it runs. Each change is a new object (the
    session's reactive value is replaced), so every page that shows it redraws.
    """

    region: str  # the region's name (a shipped scenario or UPLOADED)
    region_label: str
    options: tuple[str, ...]
    replications: int
    years: float
    total: int
    started: float  # time.time()
    experiment_toml: str | None = None
    done: int = 0
    finished: float | None = None
    error: str | None = None
    result: ComparisonResult | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    def elapsed(self, now: float | None = None) -> float:
        return (self.finished or now or time.time()) - self.started

    def remaining(self, now: float | None = None) -> float | None:
        """Seconds left, from the pace of the runs finished so far (None before the first)."""
        if self.done <= 0 or self.total <= 0:
            return None
        return self.elapsed(now) / self.done * (self.total - self.done)

    def describe(self) -> str:
        """'Klasregio: Huidig beleid, Centrale wachtlijst · 8 herhalingen × 10 jaar'."""
        return (f"{self.region_label}: {', '.join(self.options)} · {self.replications} herhalingen × "
                f"{self.years:g} jaar")


class Session:
    """What one user has chosen and computed."""

    def __init__(self) -> None:
        self.scenario_name = solara.Reactive(DEFAULT_SCENARIO)
        self.overrides: solara.Reactive[dict[str, Any]] = solara.Reactive({})
        self.uploaded: solara.Reactive[Scenario | None] = solara.Reactive(None)
        self.upload_message: solara.Reactive[tuple[str, str] | None] = solara.Reactive(None)  # (kind, text)
        self.explorer: solara.Reactive[Explorer | None] = solara.Reactive(None)
        self.frame: solara.Reactive[pd.DataFrame] = solara.Reactive(pd.DataFrame())  # weekly series so far
        self.playing = solara.Reactive(False)
        self.comparison: solara.Reactive[ComparisonResult | None] = solara.Reactive(None)
        #: The comparison running or last run, and the finished ones of this session (newest first).
        self.job: solara.Reactive[ComparisonJob | None] = solara.Reactive(None)
        self.finished_jobs: solara.Reactive[list[ComparisonJob]] = solara.Reactive([])
        self.solidarity: solara.Reactive[tuple[pd.DataFrame, pd.DataFrame] | None] = solara.Reactive(None)

    # -- the scenario of the Verkennen page -------------------------------------------------
    def raw(self) -> dict[str, Any]:
        if self.scenario_name.value == UPLOADED and self.uploaded.value is not None:
            return self.uploaded.value.model_dump(mode="json", exclude_none=True)
        return base_raw(self.scenario_name.value)

    def scenario(self) -> Scenario:
        return resolve(self.raw(), self.overrides.value)

    def reset(self) -> Explorer:
        """A fresh run of the current settings at week 0."""
        return self.install(Explorer.new(self.scenario()))

    def install(self, explorer: Explorer) -> Explorer:
        """Make ``explorer`` the session's run (the previous one stops)."""
        previous = self.explorer.value
        if previous is not None:
            previous.stop.set()
        self.explorer.value = explorer
        self.frame.value = pd.DataFrame()
        self.solidarity.value = None
        return explorer

    def load_uploaded(self, scenario: Scenario) -> Explorer:
        """Build a run of an uploaded scenario and make it the session's scenario and run.

        Building a run takes seconds for a large scenario, so the page calls this in a
        background task, never in the upload's handler; the session changes only when the
        run is built.
        """
        explorer = Explorer.new(resolve(scenario.model_dump(mode="json", exclude_none=True), {}))
        self.uploaded.value = scenario
        self.scenario_name.value = UPLOADED
        self.overrides.value = {}
        return self.install(explorer)


    # -- comparisons --------------------------------------------------------------------------
    def start_comparison(self, job: ComparisonJob, data: dict[str, Any], uploaded: Scenario | None = None,
                         wait: bool = False) -> threading.Thread:
        """Run ``data`` (an experiment, :func:`comparison.experiment_data`) in a thread of the session.

        The thread outlives the page that started it: the user may switch pages and come back to
        its progress or result. It enters the session's Solara context, so its updates reach the
        session's pages.
        """
        self.job.value = job
        try:
            from solara.server import kernel_context

            context = kernel_context.get_current_context()
        except (ImportError, RuntimeError):  # outside a server (a unit test)
            context = None

        def progress(done: int, total: int) -> None:
            current = self.job.value
            if current is not None and current.started == job.started and current.running:
                self.job.value = replace(current, done=done, total=total)

        def work() -> None:
            with context if context is not None else contextlib.nullcontext():
                try:
                    result = run_comparison(data, work_root(), progress=progress, uploaded=uploaded)
                except Exception as err:  # shown on the page, in Dutch around the reason
                    self.job.value = replace(self.job.value or job, finished=time.time(), error=str(err))
                    return
                done = replace(self.job.value or job, done=job.total, finished=time.time(), result=result)
                self.job.value = done
                self.comparison.value = result
                self.finished_jobs.value = [done, *self.finished_jobs.value]

        thread = threading.Thread(target=work, name="zorgsim-vergelijking", daemon=True)
        thread.start()
        if wait:
            thread.join()
        return thread


session_context = solara.create_context(None)


def use_session() -> Session:
    session = solara.use_context(session_context)
    if session is None:  # a page rendered without the layout (a test of one page)
        raise RuntimeError("no session: render the page inside zorgnetwerk_sim.app.ui.Layout")
    return session
