"""The model's mechanisms, one module each (docs/model.md §7).

``REGISTRY`` lists them in the order in which their hooks run where the order matters: the
overheads of administration before those of meetings, the alternative routes' reading of the
waits before the capacity response changes places, and at the start of a year budget pressure,
then the aanbieders' finances, then the tender. Every switch of the scenario's ``[mechanisms]``
has exactly one module here (tests/test_mechanism_modules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .aanbieder_finance import AanbiederFinance
from .admin_burden import AdminBurden
from .alternative_routes import AlternativeRoutes
from .base import HOOK_NAMES, STOP, Hooks, Mechanism
from .baseline_crisis import BaselineCrisis
from .bouncing import Bouncing
from .budget_pressure import BudgetPressure
from .capacity_response import CapacityResponse
from .cherry_picking import CherryPicking
from .expertteam import Expertteam
from .meeting_fragmentation import MeetingFragmentation
from .prevention import Prevention
from .procurement_churn import ProcurementChurn
from .relapse import Relapse
from .resource_sharing import ResourceSharing
from .trust_dynamics import TrustDynamics
from .waiting_hurts import WaitingHurts
from .withdrawal import Withdrawal

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel

REGISTRY: tuple[type[Mechanism], ...] = (
    WaitingHurts, Withdrawal, AdminBurden, MeetingFragmentation, TrustDynamics, Prevention, BudgetPressure,
    AanbiederFinance, ProcurementChurn, Expertteam, CherryPicking, Bouncing, ResourceSharing, Relapse,
    AlternativeRoutes, CapacityResponse, BaselineCrisis,
)
BY_SWITCH: dict[str, type[Mechanism]] = {m.switch: m for m in REGISTRY}

__all__ = ["BY_SWITCH", "HOOK_NAMES", "REGISTRY", "STOP", "Hooks", "Mechanism", "enabled"]


def enabled(model: "ZorgnetwerkModel") -> list[Mechanism]:
    """The mechanisms the scenario switches on, created for ``model``, in the registry's order."""
    switches = model.spec.mechanisms
    return [cls(model) for cls in REGISTRY if getattr(switches, cls.switch)]
