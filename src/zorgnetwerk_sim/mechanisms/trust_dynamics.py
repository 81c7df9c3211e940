"""Trust dynamics (switch ``trust_dynamics``; docs/model.md §7.9; Jøsang & Ismail 2002; Slovic 1993).

Trust between the organisations of a region is a Beta reputation (``trust.TrustNetwork``).
This mechanism makes it move: every case two organisations work on together adds evidence —
``assumptions.trust_gain`` for a success, ``trust_loss`` (larger) for a failure, so trust is
destroyed faster than built — evidence fades by ``trust_forgetting_per_year``, and informal
contacts (``levers.trust.informal_contacts_per_year``) add a little positive evidence to every
pair each week.

Off: trust stays at its starting values (the priors, and strangers after a tender). What the
informal contacts cost is a lever's cost and is still paid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Mechanism

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio


class TrustDynamics(Mechanism):
    switch = "trust_dynamics"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.contacts = model.levers.trust.informal_contacts_per_year

    def cooperation(self, region: "Inkoopregio", a: int, b: int, success: bool, weight: float = 1.0) -> None:
        """Organisations ``a`` and ``b`` (org ids) worked on a case: evidence for both directions."""
        if success:
            region.trust.success(a, b, weight)
        else:
            region.trust.failure(a, b, weight)

    def region_week_end(self, region: "Inkoopregio") -> None:
        region.trust.weekly(self.contacts)
