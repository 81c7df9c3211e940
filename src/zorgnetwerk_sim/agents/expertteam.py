"""Expertteam: regional or bovenregionaal team for complex cases (docs/model.md §2.3; [RUG 2021]).

Delegates have limited hours per week and meet every few weeks. Each new case costs intake
hours and each followed case costs follow-up hours; what is left decides how many cases a
meeting can take. Whether a case succeeds depends on the factors of [RUG 2021]: a clear solution
(existing offer vs maatwerk), clear roles, partners' trust and flexibility, the referrer's
involvement, time to follow up, and an escalation route.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush
from typing import TYPE_CHECKING

import mesa

from .jongere import AT_EXPERTTEAM, Jongere

if TYPE_CHECKING:
    from ..model import ZorgnetwerkModel
    from ..region import Inkoopregio
    from .aanbieder import Aanbieder


class Expertteam(mesa.Agent):
    def __init__(self, model: "ZorgnetwerkModel", name: str, hours_per_week: float | None) -> None:
        super().__init__(model)
        self.name = name
        self.hours_per_week = hours_per_week
        self.regions: list["Inkoopregio"] = []
        self.queue: deque["Jongere"] = deque()
        self.followups: list[int] = []  # end weeks of the cases it follows (a heap)
        self.hours_bank = 0.0
        self.short_of_time = False
        self.time_coverage = 1.0  # share of the hours its caseload needs that it had at its last meeting

    def available_hours_per_week(self) -> float:
        """Its hours net of what the mechanisms take (overlegtafels; their ``team_hours_loss`` hooks)."""
        loss = 0.0
        for hook in self.model.hooks.team_hours_loss:
            loss += hook(self)
        return self.hours_per_week * (1.0 - loss)

    def success_probability(self, j: "Jongere", region: "Inkoopregio", partner: "Aanbieder | None") -> float:
        """Chance that the team's solution works ([RUG 2021]), as a logit of its factors.

        Through the network: the trust between the referring gemeente and the partner that
        would take the case, and for maatwerk that partner's willingness to build it. Through the
        team's own load: the share of the hours its cases need that it has (``time_coverage``).
        Set directly by the region: role clarity, referrer involvement, the escalation route and
        the handling. A fixed term remains for a clear solution (an existing offer), an
        assumption."""
        model = self.model
        a = model.spec.assumptions
        c = model.levers.coordination
        x = (a.expertteam_base_logit
             + a.expertteam_weight_role_clarity * (c.role_clarity - 0.4)
             + a.expertteam_weight_referrer * (c.referrer_involvement - 0.4)
             + (a.expertteam_weight_escalation_route if c.escalation_route else 0.0)
             + (a.expertteam_weight_takeover if c.expertteam_handling == "takeover" else 0.0)
             + a.expertteam_weight_time * (self.time_coverage - 1.0))
        trust = region.provider_trust
        if partner is not None:
            trust = region.trust.trust(j.gemeente.org_id, partner.org_id)
        x += a.expertteam_weight_trust * (trust - 0.6)
        if not j.maatwerk:
            x += a.expertteam_weight_clear_solution
        elif partner is not None:
            willing = partner.flexibility
            if c.joint_kpis:
                willing = max(willing, a.joint_kpis_min_acceptance)
            x += a.expertteam_weight_partner * (willing - 0.5)
        return 1.0 / (1.0 + math.exp(-x))

    def follow(self, until_week: int) -> None:
        """Follow a case until ``until_week``: it costs follow-up hours every week until then."""
        heappush(self.followups, until_week)

    def meet(self, week: int) -> list["Jongere"]:
        """Decide which queued cases this meeting can take, given the hours available."""
        a = self.model.spec.assumptions
        while self.followups and self.followups[0] <= week:
            heappop(self.followups)
        follow_load = len(self.followups) * a.expertteam_followup_hours_per_week * \
            self.model.levers.coordination.expertteam_meeting_interval_weeks
        self.hours_bank -= follow_load
        # The share of the hours the caseload needs (follow-up of the cases held, intake of the
        # queue) that the team has for this meeting ([RUG 2021]: lack of time makes cases fail).
        needed = follow_load + len(self.queue) * a.expertteam_intake_hours
        have = self.hours_bank + follow_load
        self.time_coverage = 1.0 if needed <= have else max(0.0, have) / needed
        taken: list["Jongere"] = []
        while self.queue and self.hours_bank >= a.expertteam_intake_hours:
            j = self.queue.popleft()
            if j.state != AT_EXPERTTEAM:  # left the queue meanwhile (crisis, aged out, withdrawn)
                continue
            self.hours_bank -= a.expertteam_intake_hours
            taken.append(j)
        # Time is short when cases are left waiting or follow-up ate the hours ([RUG 2021]).
        self.short_of_time = bool(self.queue) or self.hours_bank < 0
        self.hours_bank = max(self.hours_bank, 0.0)
        return taken

    def overdue(self, week: int) -> list["Jongere"]:
        """Cases that waited longer than the team can keep them in view: they leave the queue
        and go on without the team ([RUG 2021]: too little time, cases drop out of view)."""
        limit = week - self.model.spec.assumptions.expertteam_max_wait_weeks
        out: list["Jongere"] = []
        while self.queue and (self.queue[0].state != AT_EXPERTTEAM or self.queue[0].team_since <= limit):
            j = self.queue.popleft()
            if j.state == AT_EXPERTTEAM:
                out.append(j)
        return out
