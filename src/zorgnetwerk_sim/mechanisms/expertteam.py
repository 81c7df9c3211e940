"""The expertteam (switch ``expertteam``; docs/model.md §7.6; [RUG 2021]).

Complex cases (all of them, or only maatwerk: ``levers.coordination.expertteam_triage``) go to
the region's expertteam before a wachtlijst. The team meets every
``expertteam_meeting_interval_weeks``; each new case costs intake hours and each case it holds
costs follow-up hours, so its hours decide how many cases a meeting takes (``Expertteam.meet``);
cases that wait longer than ``expertteam_max_wait_weeks`` are referred without it. At the table a
case succeeds with the probability of ``Expertteam.success_probability`` (time coverage, trust
of the pair gemeente ↔ partner, the partner's flexibility for maatwerk, role clarity, referrer,
escalation route): a success is referred with priority to the best partner, whose partners share
trust; a partial success stays a while and is then referred to an offer that partly fits; a
failure costs trust and, without follow-up (``expertteam_handling = "advice"``), drops out of
view and returns heavier later. The gemeenten pay the team's hours at the professional rate.

Off: complex cases go to a wachtlijst like any other, and there is no team to pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..agents.jongere import AT_EXPERTTEAM
from ..eventlog import (EXPERTTEAM, EXPERTTEAM_GEDEELTELIJK, EXPERTTEAM_GEEN_TIJD, EXPERTTEAM_ONSUCCESVOL,
                        EXPERTTEAM_SUCCESVOL)
from ..metrics import F
from .base import Mechanism

if TYPE_CHECKING:
    from ..agents import Expertteam as ExpertteamAgent
    from ..agents.jongere import Jongere
    from ..model import RegionCosts, ZorgnetwerkModel
    from ..region import Inkoopregio

F_CASES = F["expertteam_cases"]
F_CASES_MAATWERK = F["expertteam_cases_maatwerk"]
F_SUCCESS = F["expertteam_success"]
F_PARTIAL = F["expertteam_partial"]
F_FAIL = F["expertteam_fail"]
F_FAIL_MAATWERK = F["expertteam_fail_maatwerk"]
F_WEEKS_SUM = F["expertteam_weeks_sum"]
F_WEEKS_SUCCESS_SUM = F["expertteam_weeks_success_sum"]
F_OVERDUE = F["expertteam_overdue"]
F_LOST_FROM_VIEW = F["lost_from_view"]


class Expertteam(Mechanism):
    switch = "expertteam"

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        super().__init__(model)
        self.a = model.spec.assumptions
        self.c = model.levers.coordination
        self.all_complex = self.c.expertteam_triage == "all_complex"
        self.takeover = self.c.expertteam_handling == "takeover"

    def route(self, j: "Jongere", week: int) -> bool:
        """A complex case goes to the region's expertteam first."""
        team = j.gemeente.region.expertteam
        if j.complex and team is not None and (self.all_complex or j.maatwerk):
            pw = self.model.pathway
            pw.set_state(j, AT_EXPERTTEAM)
            j.team_since = week
            team.queue.append(j)
            if pw.log is not None:
                pw.record(j, EXPERTTEAM, week, team)
            return True
        return False

    def after_toegang(self, week: int) -> None:
        for team in self.model.expertteams:
            self.run(team, week)

    def region_costs(self, region: "Inkoopregio", week: int, costs: "RegionCosts") -> None:
        team = region.expertteam
        if team is not None:
            team_youth = sum(r.youth for r in team.regions)
            costs.coordination += team.hours_per_week * self.a.professional_cost_eur_per_hour * region.youth / team_youth

    def run(self, team: "ExpertteamAgent", week: int) -> None:
        interval = self.c.expertteam_meeting_interval_weeks
        # Unused hours are not banked beyond one meeting's worth (but a small team can always
        # save up for one intake).
        team.hours_bank = min(team.hours_bank + team.available_hours_per_week(),
                              max(team.available_hours_per_week() * interval, self.a.expertteam_intake_hours))
        if week % interval != 0:
            return
        for j in team.meet(week):
            self.decide(team, j, week)
        pw = self.model.pathway
        for j in team.overdue(week):
            # The referrer gives up on the team and refers the case as it is.
            j.gemeente.flow[F_OVERDUE] += 1
            pw.record(j, EXPERTTEAM_GEEN_TIJD, week, team)
            pw.refer(j, week)

    def decide(self, team: "ExpertteamAgent", j: "Jongere", week: int) -> None:
        """One case at the expertteam table: succesvol, gedeeltelijk or onsuccesvol."""
        model, a = self.model, self.a
        pw = model.pathway
        g = j.gemeente
        region = g.region
        g.flow[F_CASES] += 1
        if j.maatwerk:
            g.flow[F_CASES_MAATWERK] += 1
        if self.takeover:
            team.follow(week + a.expertteam_followup_weeks)
        care = pw.offered_care(region, j.care)
        providers = region.providers_of.get(care, [])
        trust = region.trust
        best = max(providers, key=lambda p: p.flexibility * trust.trust(g.org_id, p.org_id)) if providers else None
        p = team.success_probability(j, region, best)
        u = model.streams.expertteam.u()
        # Time at the team depends on the outcome: successful cases about a month, partly
        # successful ones about four, unsuccessful ones half a year or more; the team spends
        # follow-up hours on each case for as long as it holds it.
        outcome_weeks = (a.expertteam_weeks_success if u < p else
                         a.expertteam_weeks_partial if u < p + (1.0 - p) / 2.0 else a.expertteam_weeks_fail)
        if outcome_weeks > 0:
            team.follow(week + outcome_weeks)
        g.flow[F_WEEKS_SUM] += week - j.team_since + outcome_weeks
        if u < p:
            g.flow[F_SUCCESS] += 1
            g.flow[F_WEEKS_SUCCESS_SUM] += week - j.team_since + outcome_weeks
            pw.record(j, EXPERTTEAM_SUCCESVOL, week, team)
            if best is not None:
                pw.cooperated(region, g.org_id, best.org_id, True)
                for other in providers:
                    if other is not best:
                        pw.cooperated(region, best.org_id, other.org_id, True, 0.5)  # partners shared resources
            j.urgent = True
            pw.refer(j, week, front=True, to=best, may_bounce=False)
        elif u < p + (1.0 - p) / 2.0:
            g.flow[F_PARTIAL] += 1
            pw.record(j, EXPERTTEAM_GEDEELTELIJK, week, team)
            # The case stays at the table until the team settles for an existing offer that
            # partly fits.
            j.epoch += 1
            j.team_event = model.calendar.schedule(week + outcome_weeks, on_team_partial, j, j.epoch)
        else:
            g.flow[F_FAIL] += 1
            if j.maatwerk:
                g.flow[F_FAIL_MAATWERK] += 1
            pw.record(j, EXPERTTEAM_ONSUCCESVOL, week, team)
            if best is not None:
                pw.cooperated(region, g.org_id, best.org_id, False)
            j.epoch += 1
            j.team_event = model.calendar.schedule(week + outcome_weeks, on_team_failed, j, j.epoch)

    def after_failure(self, j: "Jongere", week: int) -> None:
        """An unsuccessful case leaves the expertteam's table."""
        pw = self.model.pathway
        if self.takeover:
            pw.refer(j, week, may_bounce=False)  # the team keeps following the case
        else:
            # No follow-up: the case drops out of view and comes back heavier.
            j.gemeente.flow[F_LOST_FROM_VIEW] += 1
            pw.schedule_return(j, week, self.a.expertteam_lost_after_weeks, j.severity + 1, "return")
            pw.leave(j, week, "lost from view")


def on_team_partial(j: "Jongere", epoch: int) -> None:
    j.team_event = None
    if epoch == j.epoch and j.state == AT_EXPERTTEAM:
        j.maatwerk = j.complex = False  # an existing offer that partly fits; the team is done with it
        j.model.pathway.refer(j, j.model.week)


def on_team_failed(j: "Jongere", epoch: int) -> None:
    j.team_event = None
    if epoch == j.epoch and j.state == AT_EXPERTTEAM:
        j.model.mechanism("expertteam").after_failure(j, j.model.week)
