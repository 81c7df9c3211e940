"""Scenario schema, loading and presets."""

from .loader import (ScenarioError, available_scenarios, load_scenario, scenario_from_dict, scenario_to_toml,
                     scenarios_dir)
from .schema import Scenario, parameter_table

__all__ = ["Scenario", "ScenarioError", "available_scenarios", "load_scenario", "parameter_table",
           "scenario_from_dict", "scenario_to_toml", "scenarios_dir"]
