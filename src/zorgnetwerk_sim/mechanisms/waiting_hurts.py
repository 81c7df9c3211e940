"""Waiting hurts (switch ``waiting_hurts``; docs/model.md §7.1; [Q-Consult n.d.]).

While a jongere waits — at the toegang, the expertteam or on a wachtlijst — its need may
escalate: the hazard grows with the weeks waited (``assumptions.escalation_hazard_per_week``
+ ``escalation_hazard_growth_per_week`` × weeks). An escalation is a crisis with probability
``crisis_share_of_escalations``; otherwise the need gets one step heavier, the referral becomes
urgent and light care moves one step up. Help that comes late also lasts longer
(``late_help_duration_per_week_waited`` per week waited) and fits less often: after a third of
the episode it turns out not to fit with probability ``late_help_doorplaatsing_per_week_waited``
× weeks waited (at most 0.5), and the jongere is doorgeplaatst.

Off: waits have no escalation deadline, care lasts as long as it would without a wait, and
no misfit happens (the misfit's number is drawn all the same, so both settings draw the same
numbers for the same trajectory).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..agents.jongere import IN_CARE, NEVER, WAITING, WAITING_STATES
from ..caretypes import CareType, heavier
from ..engine import hazard_draw
from ..eventlog import ESCALATIE
from ..metrics import F
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents.jongere import Jongere
    from ..model import ZorgnetwerkModel

F_ESCALATIONS = F["escalations"]
#: Care types that move one step up when the need escalates (care at home); heavier ones stay.
STEP_UP_IDS = frozenset({int(CareType.AMBULANT_LICHT), int(CareType.AMBULANT_INTENSIEF)})


class WaitingHurts(Mechanism):
    switch = "waiting_hurts"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        a = model.spec.assumptions
        self.base, self.growth = a.escalation_hazard_per_week, a.escalation_hazard_growth_per_week
        self.crisis_share = a.crisis_share_of_escalations
        self.late_help = a.late_help_duration_per_week_waited
        self.late_misfit = a.late_help_doorplaatsing_per_week_waited

    def wait_escalation(self, j: "Jongere", week: int) -> int:
        """The week of the next escalation of this wait (NEVER if the hazard is nil)."""
        t = hazard_draw(j.u, self.base, self.growth, week - j.wait_since)
        if t >= 1e6:
            return NEVER
        weeks = math.ceil(t)
        return week + (weeks if weeks > 1 else 1)

    def escalate(self, j: "Jongere", week: int) -> None:
        """The need gets heavier, or a crisis happens."""
        if j.state not in WAITING_STATES:
            j.escalation_week = NEVER
            return
        pw = self.model.pathway
        j.gemeente.flow[F_ESCALATIONS] += 1
        pw.record(j, ESCALATIE, week)
        if j.u() < self.crisis_share:
            pw.crisis(j, week)
            return
        j.severity = min(j.severity + 1, 2)
        j.urgent = True
        if j.care in STEP_UP_IDS:
            # A heavier need at home moves the referral one step up; needs already at
            # dagbehandeling or verblijf level stay put but become urgent.
            j.care = int(heavier(CareType(j.care)))
        if j.state == WAITING and j.waitlist is not None:
            j.waitlist.discard(j)
            pw.refer(j, week, may_bounce=False)  # re-queued in the urgent lane
        j.escalation_week = self.wait_escalation(j, week)

    def care_duration(self, j: "Jongere", duration: float, waited: int) -> float:
        return duration * (1.0 + self.late_help * waited)  # late help lasts longer

    def care_started(self, j: "Jongere", week: int, waited: int, u: float) -> None:
        if waited > 0 and u < min(0.5, self.late_misfit * waited):
            # The need changed while the jongere waited, and after a third of the episode the
            # care turns out not to fit: a doorplaatsing.
            third = (j.care_end - week) // 3
            self.model.calendar.schedule(week + (third if third > 1 else 1), on_misfit, j, j.epoch)

    def misfit(self, j: "Jongere", week: int) -> None:
        """Doorplaatsing to another aanbieder of the same care type with a free place (the one
        the gemeente trusts most), or, without one, care is interrupted and the jongere waits
        again with priority (``Pathway.transfer``)."""
        current = j.aanbieder
        g = j.gemeente
        trust = g.region.trust
        others = [b for b in g.region.providers_of.get(j.care, ()) if b is not current
                  and b.capacity[j.care] - b.occupied[j.care] > 0]
        to = max(others, key=lambda b: trust.trust(g.org_id, b.org_id)) if others else None
        self.model.pathway.transfer(j, to, week)


def on_misfit(j: "Jongere", epoch: int) -> None:
    if epoch == j.epoch and j.state == IN_CARE and j.aanbieder is not None:
        j.model.mechanism("waiting_hurts").misfit(j, j.model.week)
