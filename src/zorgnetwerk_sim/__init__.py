"""zorgnetwerk_sim: agent-based simulation of Dutch youth-care (jeugdzorg) networks on Mesa."""

from importlib.metadata import version

from .api import RunResult, Simulation, run
from .model import ZorgnetwerkModel
from .scenario import Scenario, ScenarioError, load_scenario

__version__ = version("zorgnetwerk-sim")
__all__ = ["RunResult", "Scenario", "ScenarioError", "Simulation", "ZorgnetwerkModel", "load_scenario", "run"]
