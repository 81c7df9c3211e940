"""Aanbieders' finances (switch ``aanbieder_finance``; docs/model.md §7.14; [Q-Consult n.d.]).

Each week an aanbieder earns the tariffs of its clients in care and pays for its nominal
places (``assumptions.cost_ratio`` × the tariffs, with tariff inflation): empty places cost
money. Once a year, an aanbieder whose reserve is negative shrinks its places by 5%; one whose
losses exceed ``exit_reserve_weeks`` of its nominal revenue leaves the region (unless it is the
last), its clients are doorgeplaatst and its wachtlijst re-referred; its place is filled at the
next tender.

Off: reserves do not move and nobody shrinks or exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Aanbieder
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio


class AanbiederFinance(Mechanism):
    switch = "aanbieder_finance"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.a = model.spec.assumptions
        self.inflation_per_year = model.spec.uncertainties.tariff_inflation_per_year

    def settle_region(self, region: "Inkoopregio", week: int) -> None:
        tariffs = self.model.pathway.base_tariff
        inflation = (1.0 + self.inflation_per_year) ** (week / 52.0)
        for ab in region.aanbieders:
            ab.reserve += ab.revenue_rate - ab.weekly_cost(tariffs, self.a.cost_ratio) * inflation

    def year_start(self, week: int) -> None:
        """Sustained losses: an aanbieder shrinks, and beyond its reserve it exits."""
        tariffs = self.model.pathway.base_tariff
        for region in self.model.regions:
            for ab in list(region.aanbieders):
                weekly = ab.nominal_revenue(tariffs)
                if ab.reserve < -self.a.exit_reserve_weeks * weekly and len(region.aanbieders) > 1:
                    self.exit(region, ab, week)
                elif ab.reserve < 0:
                    ab.nominal = [x * 0.95 for x in ab.nominal]

    def exit(self, region: "Inkoopregio", ab: "Aanbieder", week: int) -> None:
        model = self.model
        model.recorder.exits += 1
        region.aanbieders.remove(ab)
        region.rebuild_provider_index()
        region.vacancies.append(ab)
        model.move_caseload(region, ab, None, week)
        ab.active = False
        ab.remove()
