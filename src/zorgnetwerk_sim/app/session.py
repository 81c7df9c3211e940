"""Per-session state: one :class:`Session` per browser session, made by the layout.

Nothing here lives at module level: Solara serves every tab from one process, so state kept in
a module would be shared by all users. The layout creates the session with ``use_memo`` and
hands it to the pages through a context.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from ..api import Simulation
from ..scenario import Scenario
from .comparison import ComparisonResult
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


session_context = solara.create_context(None)


def use_session() -> Session:
    session = solara.use_context(session_context)
    if session is None:  # a page rendered without the layout (a test of one page)
        raise RuntimeError("no session: render the page inside zorgnetwerk_sim.app.ui.Layout")
    return session
