"""Withdrawal (switch ``withdrawal``; docs/model.md §7.2; Giesen et al.).

A waiting jongere may give up: each wait draws its withdrawal week once from a constant hazard
(``assumptions.withdrawal_hazard_per_week``). A withdrawal from the toegang or a wachtlijst ends
the trajectory; with probability ``return_share_after_withdrawal`` the same jongere comes back
after ``return_after_weeks_mean`` weeks (exponential) with a need one step heavier.

Off: nobody withdraws.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..agents.jongere import NEVER
from ..engine import exp_draw
from ..metrics import F
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents.jongere import Jongere
    from ..model import ZorgnetwerkModel

F_WITHDRAWALS = F["withdrawals"]


class Withdrawal(Mechanism):
    switch = "withdrawal"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        a = model.spec.assumptions
        self.mean = 1.0 / a.withdrawal_hazard_per_week if a.withdrawal_hazard_per_week > 0 else None
        self.return_share = a.return_share_after_withdrawal
        self.return_after = a.return_after_weeks_mean

    def wait_withdrawal(self, j: "Jongere", week: int) -> int:
        if self.mean is None:
            return NEVER
        t = math.ceil(exp_draw(j.u, self.mean))
        return week + (t if t > 1 else 1)

    def withdraw(self, j: "Jongere", week: int) -> None:
        pw = self.model.pathway
        j.gemeente.flow[F_WITHDRAWALS] += 1
        if j.u() < self.return_share:
            pw.schedule_return(j, week, self.return_after, j.severity + 1, "return")
        pw.leave(j, week, "withdrawn")
