"""Bouncing referrals (switch ``bouncing``; docs/model.md §7.5; [Q-Consult n.d.]).

Under push allocation a referral does not fit the receiving aanbieder with probability
``assumptions.mismatch_share`` × (1 − ``levers.coordination.role_clarity``) — more often for
maatwerk without joint KPIs (``maatwerk_mismatch_multiplier``), less often with a central list
and regie — and is sent back ('van het kastje naar de muur'): the referral loses its place in
line, costs trust between gemeente and aanbieder, and the jongere waits
``bounce_delay_weeks`` for a new assessment. With ``no_wrong_door`` the receiving organisation
passes the case on itself, to the aanbieder with the shortest expected wait.

Off: every referral is accepted where it is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..agents.jongere import PAUSED
from ..eventlog import TERUGVERWIJZING
from ..metrics import F
from .base import STOP, Mechanism

if TYPE_CHECKING:
    from ..agents import Aanbieder
    from ..agents.jongere import Jongere
    from ..model import ZorgnetwerkModel

F_BOUNCES = F["bounces"]


class Bouncing(Mechanism):
    switch = "bouncing"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.a = model.spec.assumptions
        self.c = model.levers.coordination
        self.push = self.c.allocation == "push"

    def referral(self, j: "Jongere", week: int, target: "Aanbieder | None", providers: list["Aanbieder"],
                 central: bool) -> Any:
        if not self.push:
            return target
        a, c = self.a, self.c
        region = j.gemeente.region
        p = a.mismatch_share * (1.0 - c.role_clarity)
        if j.maatwerk and not c.joint_kpis:
            # With joint goals the receiving aanbieder shares responsibility for complex cases
            # instead of sending them back ([Verbeta 2024], [Zorg&Sociaalweb 2022]).
            p *= a.maatwerk_mismatch_multiplier
        if central:
            p *= 1.0 - region.regie_strength  # a regional coordinator matches better
        if self.model.streams.allocation.u() < p:
            self.bounce(j, week, target)
            if not c.no_wrong_door:
                return STOP
            # No wrong door: the receiving organisation passes the case on itself.
            care = j.care
            others = [b for b in providers if b is not target] or providers
            target = None if central else min(others, key=lambda b: b.expected_wait(care))
        return target

    def bounce(self, j: "Jongere", week: int, target: "Aanbieder | None") -> None:
        """A referral that does not fit is sent back."""
        pw = self.model.pathway
        g = j.gemeente
        g.flow[F_BOUNCES] += 1
        j.bounces += 1
        j.queue_place = None  # sent back: the place in line is lost
        if target is not None:
            pw.cooperated(g.region, g.org_id, target.org_id, False)
        pw.record(j, TERUGVERWIJZING, week, target if target is not None else g.region)
        if not self.c.no_wrong_door:
            pw.begin_wait(j, week)
            pw.set_state(j, PAUSED)
            j.epoch += 1
            self.model.calendar.schedule(week + self.a.bounce_delay_weeks, on_rebounce, j, j.epoch)


def on_rebounce(j: "Jongere", epoch: int) -> None:
    if epoch == j.epoch and j.state == PAUSED:
        j.model.pathway.enter_toegang(j, j.model.week)
