"""Budget pressure (switch ``budget_pressure``; docs/model.md §7.12; [OchtendMensen n.d.]).

A gemeente that overspent its jeugd budget last year (beyond ``overspend_tolerance``) cuts its
prevention spending this year by ``prevention_cut_when_overspent``. Without a solidarity pool a
small gemeente hit by a few expensive cases is the first to cut. It acts only through
prevention: with ``prevention`` off there is nothing to cut.

Off: budgets are still judged (the KPIs report overspending), but nobody cuts.
"""

from __future__ import annotations

from .base import Mechanism


class BudgetPressure(Mechanism):
    switch = "budget_pressure"

    def year_start(self, week: int) -> None:
        model = self.model
        if model.mechanism("prevention") is None:
            return
        year = week // 52
        rec = model.recorder
        for g in model.gemeenten:
            g.prevention_cut = bool(rec.overspent[year - 1, g.index])
            rec.prevention_cut[year, g.index] = g.prevention_cut
