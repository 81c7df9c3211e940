"""zorgnetwerk_sim: agent-based simulation of Dutch youth-care (jeugdzorg) networks on Mesa.

The public names are loaded on first use, so that ``import zorgnetwerk_sim`` (and the start of
the ``zorgsim`` command, see :mod:`.entry`) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import RunResult, Simulation, run
    from .model import ZorgnetwerkModel
    from .scenario import Scenario, ScenarioError, load_scenario

_PUBLIC = {"RunResult": "api", "Simulation": "api", "run": "api", "ZorgnetwerkModel": "model",
           "Scenario": "scenario", "ScenarioError": "scenario", "load_scenario": "scenario"}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("zorgnetwerk-sim")
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC, "__version__"])
