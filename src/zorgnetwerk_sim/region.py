"""The inkoopregio: a coordination structure, not an actor (docs/model.md §2.5).

It holds who is in the region (gemeenten, contracted aanbieders, its expertteam), the
coordination rules (queue architecture, allocation, regie), the trust network among its
organisations, the central wachtlijsten when the region uses them, the procurement cycle and
the solidarity pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .caretypes import PROVIDER_CARE, CareType
from .trust import TrustNetwork
from .queues import WaitList

if TYPE_CHECKING:
    from .agents import Aanbieder, Expertteam, Gemeente
    from .model import ZorgnetwerkModel


class Inkoopregio:
    def __init__(self, model: "ZorgnetwerkModel", index: int, name: str) -> None:
        self.model = model
        self.index = index
        self.name = name
        self.gemeenten: list["Gemeente"] = []
        self.aanbieders: list["Aanbieder"] = []
        self.providers_of: dict[int, list["Aanbieder"]] = {}
        self.expertteam: "Expertteam | None" = None
        self.central = {t.value: WaitList(t.value, self) for t in PROVIDER_CARE if t is not CareType.CRISIS}
        self.trust: TrustNetwork  # built once all organisations exist
        self.provider_trust = 0.5
        self.vacancies: list["Aanbieder"] = []  # exited aanbieders, replaced at the next procurement
        c = model.levers.coordination
        self.regie_strength = min(1.0, c.regie_strength + (
            model.spec.assumptions.regisseur_regie_boost if c.independent_regisseur else 0.0))

    @property
    def youth(self) -> float:
        return sum(g.youth for g in self.gemeenten)

    def org_ids(self) -> list[int]:
        return [g.org_id for g in self.gemeenten] + [a.org_id for a in self.aanbieders]

    def rebuild_provider_index(self) -> None:
        self.providers_of = {}
        for a in self.aanbieders:
            for t in a.care_types:
                self.providers_of.setdefault(t, []).append(a)

    def contracts_per_aanbieder(self) -> float:
        if not self.aanbieders:
            return 0.0
        return sum(a.n_contracts() for a in self.aanbieders) / len(self.aanbieders)

    def refresh_provider_trust(self) -> None:
        self.provider_trust = self.trust.mean([a.org_id for a in self.aanbieders])

    def expected_wait(self, care: int, mean_duration: float, central: bool) -> float:
        """Weeks a new referral of ``care`` can expect to wait: the number on the list(s) over the
        weekly outflow the places allow (places / mean duration)."""
        providers = self.providers_of.get(care, ())
        places = sum(a.capacity[care] for a in providers)
        if central:
            waiting = len(self.central[care])
        else:
            waiting = sum(len(a.waitlists[care]) for a in providers)
        if places <= 0:
            return float("inf") if waiting else 0.0
        return waiting / (places / mean_duration)

    def power_weights(self) -> dict[int, float]:
        """Weight of each gemeente in regional choices ~ inhabitants^exponent ([OchtendMensen n.d.])."""
        e = self.model.levers.coordination.power_exponent
        raw = {g.org_id: float(g.inhabitants) ** e for g in self.gemeenten}
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items()}
