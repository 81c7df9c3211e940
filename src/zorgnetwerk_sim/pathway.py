"""The care pathway of one trajectory (docs/model.md §3) as state transitions and scheduled events.

need arises → toegang assessment (waits for wijkteam capacity) → wijkteam support, or a
referral to a care type → complex cases go to the expertteam first → wachtlijst → care →
afgerond / afschaling / escalation / crisis / uithuisplaatsing / relapse later.

The pathway is the state machine of a trajectory and reads no mechanism switch: at fixed
points it calls the hooks of the enabled mechanisms (``mechanisms/``), which may set a wait's
deadlines, change a care type or a duration, take a referral elsewhere or send it back.

Nothing here loops over waiting jongeren: each wait draws its time to escalation and to
withdrawal once (from the hazard) and keeps one event in the calendar, for whichever of its
deadlines (escalation, ageing out, withdrawal) comes first; the event is cancelled when the
wait ends, so a finished trajectory leaves nothing behind. Each care episode schedules its end,
and events whose trajectory has moved on are recognised by an epoch number and ignored.
"""

from __future__ import annotations

import math
from itertools import accumulate
from typing import TYPE_CHECKING

from .agents.jongere import (AT_EXPERTTEAM, BETWEEN, DONE, IN_CARE, NEVER, PAUSED, SIGNALLED, STATE_IDS,
                             STATE_STOCK, WAITING_STATES,
                             WAITING, Jongere)
from .caretypes import CARE_KEYS, VERBLIJF, CareType, lighter
from .engine import choice_draw, exp_draw, gamma2_draw
from .eventlog import (AFSCHALING, DOORPLAATSING, END_ACTIVITY, HERBEOORDELING, SIGNAAL, START_ACTIVITY, TERUGKEER,
                       TERUGVAL, TOEGANG, WACHTLIJST, ZORG_ONDERBROKEN)
from .mechanisms.base import STOP
from .metrics import C, F, S

if TYPE_CHECKING:
    from .agents import Aanbieder, Gemeente
    from .engine import RandomStream
    from .model import ZorgnetwerkModel
    from .region import Inkoopregio

#: Counter indices (metrics.F/S/C) as module constants: the pathway touches a dozen per trajectory.
C_COST_TOEGANG = C["cost_toegang"]
F_AFSCHALINGEN = F["afschalingen"]
F_AGED_OUT = F["aged_out"]
F_ASSESSMENTS = F["assessments"]
F_CARE_STARTS = F["care_starts"]
F_COMPLETED = F["completed"]
F_CRISIS = F["crisis"]
F_BASELINE_CRISES = F["baseline_crises"]
F_WAITS_LEFT = F["waits_left_uncompleted"]
F_WAITS_LEFT_WEEKS = F["waits_left_weeks_sum"]
F_DOORPLAATSINGEN = F["doorplaatsingen"]
F_NEW_NEEDS = F["new_needs"]
F_PLACEMENTS = F["placements"]
F_RELAPSES = F["relapses"]
F_RETURNS = F["returns"]
F_TRAJECTORIES_ENDED = F["trajectories_ended"]
F_TRAJECTORY_WEEKS_SUM = F["trajectory_weeks_sum"]
F_WAIT_WEEKS_SUM = F["wait_weeks_sum"]
F_WAITLIST_ENTRIES = F["waitlist_entries"]
F_WAITS_COMPLETED = F["waits_completed"]
F_WAITS_OVER_NORM = F["waits_over_norm"]
F_YOUTH_IN_CARE = F["youth_in_care"]
F_YOUTH_IN_SPECIALIST_CARE = F["youth_in_specialist_care"]
S_IN_CRISIS = S["in_crisis"]
S_IN_VERBLIJF = S["in_verblijf"]

PRIORITY_OFFSET = 1 << 40  # places below this are priority places (after crisis, expertteam success)
#: The stock counted for each state id (0..6), None where a state is not a stock; the last
#: entry answers for the initial state -1 (a tuple index instead of a dict lookup).
STOCK_OF_STATE = tuple(S[STATE_STOCK[state]] if state in STATE_STOCK else None
                       for state in range(max(STATE_IDS) + 1)) + (None,)
WIJKTEAM, CRISIS = int(CareType.WIJKTEAM), int(CareType.CRISIS)
AMBULANT_INTENSIEF = int(CareType.AMBULANT_INTENSIEF)
PLEEGZORG, RESIDENTIEEL = int(CareType.PLEEGZORG), int(CareType.RESIDENTIEEL)
VERBLIJF_IDS = frozenset(int(c) for c in VERBLIJF)
#: ``lighter()`` per care type id, as ints (None: care can simply end); avoids building a
#: CareType for every finished episode.
LIGHTER_IDS = tuple(None if lighter(c) is None else int(lighter(c)) for c in CareType)


class Pathway:
    """Transitions of a trajectory; the model owns one and calls it from its weekly cycle."""

    def __init__(self, model: "ZorgnetwerkModel") -> None:
        self.model = model
        sc = model.spec
        a, self.c = sc.assumptions, sc.levers.coordination
        self.a = a
        # What happens to a trajectory (care type, complexity, waiting deadlines, durations,
        # outcomes) draws from its own numbers, ``j.u``; decisions that policies change (where a
        # referral goes, bouncing, the expertteam's verdict, diversion to the wijkteam) draw from
        # a stream per kind of decision (docs/model.md §4.9).
        self.s_alloc = model.streams.allocation
        self.calendar = model.calendar
        care = [a.care.of(k) for k in CARE_KEYS]
        self.base_tariff = [p.tariff_eur_per_week for p in care]
        self.mean_duration = [p.mean_duration_weeks for p in care]
        self.referral = [list(accumulate(a.referral_licht)), list(accumulate(a.referral_matig)),
                         list(accumulate(a.referral_ernstig))]
        self.max_age_weeks = a.max_age_years * 52
        self.seq = 0
        self.log = model.event_log
        if self.log is not None:
            self.record = self.log.add  # type: ignore[method-assign]  # (one call less per event)
        self._inflation_week = -1  # set_inflation(): the week's tariffs are computed once per week
        self._tariffs: tuple[list[float], list[float]] = ([], [])  # (standard, maatwerk) per care type
        self._pooling_min_tariff = self.c.pooling_min_tariff_eur_per_week
        self._maatwerk_share = sc.uncertainties.maatwerk_share
        # The enabled mechanisms' hooks, looked up once (mechanisms/base.py lists them).
        hooks = model.hooks
        self._wait_escalation, self.escalate = hooks.one("wait_escalation"), hooks.one("escalate")
        self._wait_withdrawal, self.withdraw = hooks.one("wait_withdrawal"), hooks.one("withdraw")
        self._assessed, self._route, self._referral = hooks.assessed, hooks.route, hooks.referral
        self._care_duration, self._care_started = hooks.care_duration, hooks.care_started
        self._completed, self._cooperation = hooks.completed, hooks.cooperation
        self._maatwerk_acceptance, self._free_places = hooks.one("maatwerk_acceptance"), hooks.free_places

    # -- bookkeeping ---------------------------------------------------------------------------
    def set_state(self, j: Jongere, state: int) -> None:
        if j.state == WAITING or state == WAITING:
            self.list_accounting(j, state)
        stock = j.gemeente.stock
        old = STOCK_OF_STATE[j.state]
        if old is not None:
            stock[old] -= 1
        new = STOCK_OF_STATE[state]
        if new is not None:
            stock[new] += 1
        j.state = state

    def list_accounting(self, j: Jongere, state: int) -> None:
        """Time on each care type's wachtlijst, whatever ends it (Little's law per care type)."""
        rec, week = self.model.recorder, self.model.week
        if j.state == WAITING:
            rec.list_left(j.list_care, week - j.list_since)
        if state == WAITING:
            j.list_since = week
            j.list_care = j.care
            rec.list_stock[j.care] += 1

    def wait_left_unserved(self, j: Jongere, week: int) -> None:
        """A referral's wait that ended without care (crisis, withdrawal, ageing out, …): it
        still counts in the time spent waiting by everyone who left the list."""
        if j.referred_week >= 0:
            g = j.gemeente
            g.flow[F_WAITS_LEFT] += 1
            g.flow[F_WAITS_LEFT_WEEKS] += week - j.referred_week
            j.referred_week = -1

    def set_verblijf(self, j: Jongere, in_verblijf: bool) -> None:
        if in_verblijf != j.in_verblijf:
            j.gemeente.stock[S_IN_VERBLIJF] += 1 if in_verblijf else -1
            j.in_verblijf = in_verblijf
            if in_verblijf:
                j.gemeente.flow[F_PLACEMENTS] += 1

    def record(self, j: Jongere, activity: str, week: int, org: object = None) -> None:
        """An event-log row (eventlog.py): ``org`` is the acting agent or regio (None: the gemeente)."""
        if self.log is not None:
            self.log.add(j, activity, week, org)

    def set_inflation(self, week: int) -> None:
        """The tariffs of ``week`` per care type, standard and maatwerk, with that week's inflation.

        Computed once per week and shared by every care start of the week (one float object per
        tariff, not one per episode)."""
        self._inflation_week = week
        inflation = (1.0 + self.model.spec.uncertainties.tariff_inflation_per_year) ** (week / 52.0)
        multiplier = self.a.maatwerk_tariff_multiplier
        self._tariffs = ([base * inflation for base in self.base_tariff],
                         [base * inflation * multiplier for base in self.base_tariff])

    def tariffs_of(self, week: int) -> list[float]:
        """The standard tariffs of ``week`` per care type (with that week's inflation)."""
        if week != self._inflation_week:
            self.set_inflation(week)
        return self._tariffs[0]

    # -- waits: one draw per wait replaces a weekly check (waiting hurts; withdrawal) -----------
    def begin_wait(self, j: Jongere, week: int) -> None:
        """Start a wait: draw its deadlines (escalation, withdrawal; ageing out is known) and
        schedule one event for the earliest. The wait goes on through the toegang, the
        expertteam and the wachtlijst until care starts or the trajectory ends."""
        if j.wait_since >= 0:
            return
        j.wait_since = week
        j.queue_place = None
        j.wait_epoch += 1
        j.escalation_week = self._wait_escalation(j, week) if self._wait_escalation is not None else NEVER
        # (conditional expressions instead of max()/min() on ints: a builtin call costs more,
        # and these run several million times in a national run)
        age_out = j.birth_week + self.max_age_weeks
        j.age_out_week = age_out if age_out > week else week + 1
        j.withdrawal_week = self._wait_withdrawal(j, week) if self._wait_withdrawal is not None else NEVER
        self.schedule_wait_event(j)

    def schedule_wait_event(self, j: Jongere) -> None:
        """One pending event per wait, at its earliest deadline (competing risks)."""
        when = j.escalation_week
        if j.age_out_week < when:
            when = j.age_out_week
        if j.withdrawal_week < when:
            when = j.withdrawal_week
        j.wait_event = self.calendar.schedule(when, on_wait_deadline, j, j.wait_epoch) if when < NEVER else None

    def end_wait(self, j: Jongere) -> int:
        """End the current wait and cancel its pending event; returns the weeks it lasted."""
        if j.wait_since < 0:
            return 0
        waited = self.model.week - j.wait_since
        j.wait_since = -1
        j.wait_epoch += 1
        if j.wait_event is not None:
            # Cancelled rather than left to be skipped: the calendar then holds no reference to
            # a finished trajectory, which is freed at once.
            self.calendar.cancel(j.wait_event, j)
            j.wait_event = None
        if j.team_event is not None:  # (the time at the expertteam is part of the wait)
            self.calendar.cancel(j.team_event, j)
            j.team_event = None
        return waited

    # -- entry and toegang -----------------------------------------------------------------------
    def new_need(self, g: "Gemeente", birth_week: int, severity: int, week: int, kind: str = "new",
                 past: tuple | None = None, numbers: bytes | None = None) -> Jongere:
        """A need is signalled; ``past`` is what a return keeps of the earlier trajectory of the
        same jongere (see ``schedule_return``); ``numbers`` the trajectory's own random numbers
        (default: fresh ones from the ``returns`` stream)."""
        model = self.model
        if numbers is None:
            numbers = model.numbers_for(model.streams.returns)
        j = Jongere(model, g, birth_week, severity, week, kind == "return" or kind == "relapse",
                    -1 if past is None else past[0], numbers)
        if past is not None:
            # The same person: counted once per year, and a case lost from view at the
            # expertteam comes back as complex as it left ([RUG 2021]).
            _, j.counted_year, j.counted_specialist_year, j.complex, j.maatwerk = past
        model.n_entered += 1
        flow = g.flow
        flow[F_NEW_NEEDS] += 1
        if kind == "return":
            flow[F_RETURNS] += 1
        elif kind == "relapse":
            flow[F_RELAPSES] += 1
        if self.log is not None:
            self.record(j, SIGNAAL if kind in ("new", "crisis") else TERUGKEER if kind == "return" else TERUGVAL,
                        week)
        if kind == "crisis":  # baseline crisis: straight to crisis care, no toegang ([Q-Consult n.d.])
            flow[F_BASELINE_CRISES] += 1
            self.crisis(j, week)
        else:
            self.enter_toegang(j, week)
        return j

    def enter_toegang(self, j: Jongere, week: int) -> None:
        self.set_state(j, SIGNALLED)
        j.queue_token += 1
        j.gemeente.toegang.append((j, j.queue_token))
        self.begin_wait(j, week)

    def run_toegang(self, g: "Gemeente", week: int) -> None:
        """The wijkteam assesses as many signalled needs as its capacity allows this week."""
        capacity = g.assessment_capacity()
        g.toegang_credit += capacity
        queue = g.toegang
        assess = self.assess
        while queue and g.toegang_credit >= 1.0:
            j, token = queue.popleft()
            if j.state != SIGNALLED or j.queue_token != token:
                continue
            g.toegang_credit -= 1.0
            assess(j, week)
        if not queue:
            g.toegang_credit = min(g.toegang_credit, capacity)  # unused hours are not banked

    def assess(self, j: Jongere, week: int) -> None:
        a, g = self.a, j.gemeente
        g.flow[F_ASSESSMENTS] += 1
        g.cost[C_COST_TOEGANG] += a.cost_per_assessment_eur
        if j.care >= 0:
            # A bounced referral comes back with the same need: the toegang only has to
            # find it another place, so the assessment costs time but decides nothing new.
            self.record(j, HERBEOORDELING, week)
            self.route(j, week)
            return
        j.care = choice_draw(j.u, self.referral[j.severity])
        for hook in self._assessed:
            hook(j, week)
        if j.care >= AMBULANT_INTENSIEF and not j.complex:
            share = a.complex_share_ernstig if j.severity == 2 else a.complex_share_matig if j.severity == 1 else 0.0
            j.complex = j.u() < share
            j.maatwerk = j.complex and j.u() < self._maatwerk_share
        if self.log is not None:
            self.record(j, TOEGANG, week)
        self.route(j, week)

    def route(self, j: Jongere, week: int) -> None:
        if j.care == WIJKTEAM:
            self.start_care(j, None, WIJKTEAM, week)
            return
        for hook in self._route:
            if hook(j, week):
                return
        self.refer(j, week)

    # -- wachtlijst ------------------------------------------------------------------------------
    def offered_care(self, region: "Inkoopregio", care: int) -> int:
        """The care type itself, or the nearest one the region's aanbieders offer."""
        if region.providers_of.get(care):
            return care
        order = sorted((t for t in region.providers_of if t != CRISIS and region.providers_of[t]),
                       key=lambda t: (abs(t - care), -t))
        return order[0] if order else care

    def refer(self, j: Jongere, week: int, front: bool = False, to: "Aanbieder | None" = None,
              may_bounce: bool = True) -> None:
        g = j.gemeente
        region = g.region
        providers = region.providers_of.get(j.care)
        if not providers:  # not offered here: the nearest care type that is
            j.care = self.offered_care(region, j.care)
            providers = region.providers_of.get(j.care)
            if not providers:  # nobody in the region offers any care: the need cannot be served
                self.leave(j, week, "no provider")
                return
        care = j.care
        if j.referred_week < 0:
            j.referred_week = week
            g.flow[F_WAITLIST_ENTRIES] += 1
        central = self.c.queue == "central"
        target = to if to is not None else (None if central else g.choose_aanbieder(providers, care))
        if may_bounce and to is None:
            for hook in self._referral:  # (a referral may be sent back)
                target = hook(j, week, target, providers, central)
                if target is STOP:
                    return
        if j.wait_since < 0:  # (usually the wait began at the toegang and goes on)
            self.begin_wait(j, week)
        self.set_state(j, WAITING)
        if central:
            waitlist = region.central[care]
        else:
            receiver = target or providers[0]
            waitlist = receiver.waitlists[care]
            counts = receiver.referrals_from
            counts[g.org_id] = counts.get(g.org_id, 0) + 1
        self.seq += 1
        if front:
            j.queue_place = self.seq - PRIORITY_OFFSET  # priority: ahead of all normal places, FIFO among priority
        elif j.queue_place is None:
            j.queue_place = self.seq   # joins the back; keeps this place if moved later
        waitlist.push(j, j.queue_place)
        if self.log is not None:
            self.record(j, WACHTLIJST, week, target if target is not None else region)

    def allocate(self, region: "Inkoopregio", week: int) -> None:
        """Fill free places from the wachtlijsten (push: in order; pull: aanbieders pick)."""
        c = self.c
        pick = self._maatwerk_acceptance if c.allocation == "pull" else None
        cherry = pick is not None
        urgency = c.urgency_priority
        central = c.queue == "central"
        stream = self.s_alloc
        for care, providers in region.providers_of.items():
            if care == CRISIS or not providers:
                continue
            n = len(providers)
            shift = week % n  # rotate who goes first, so no aanbieder is always first in line
            for k in range(n):
                a = providers[(k + shift) % n]
                free = a.capacity[care] - a.occupied[care]
                if free <= 0:
                    continue
                waitlist = region.central[care] if central else a.waitlists[care]
                acceptance = pick(a, region) if cherry else 1.0
                while free > 0:
                    j = waitlist.pop(urgency, cherry, acceptance, stream)
                    if j is None:
                        break
                    self.start_care(j, a, care, week)
                    free -= 1
                if free > 0:
                    for hook in self._free_places:
                        hook(a, care, free, providers, week)

    # -- care --------------------------------------------------------------------------------------
    def start_care(self, j: Jongere, a: "Aanbieder | None", care: int, week: int) -> tuple[int, int] | None:
        """Start a care episode; returns the calendar key of its end (None if the jongere aged out)."""
        g = j.gemeente
        age_out = j.birth_week + self.max_age_weeks
        if week >= age_out:
            g.flow[F_AGED_OUT] += 1
            self.leave(j, week, "aged out")
            return None
        waited = self.end_wait(j)
        flow = g.flow
        if j.referred_week >= 0:
            wait = week - j.referred_week
            flow[F_WAITS_COMPLETED] += 1
            flow[F_WAIT_WEEKS_SUM] += wait
            if wait > self.a.wait_norm_weeks:
                flow[F_WAITS_OVER_NORM] += 1
            self.model.recorder.wait_completed(g.large, 2 if j.maatwerk else 1 if j.urgent else 0, wait)
            j.referred_week = -1
        self.set_state(j, IN_CARE)
        # The care path runs once per care episode (millions of times in a national run), so
        # the tariff, take_place and set_verblijf are written out here.
        j.care = care
        j.aanbieder = a
        if week != self._inflation_week:
            self.set_inflation(week)
        tariff = self._tariffs[1 if j.maatwerk else 0][care]
        j.tariff = tariff
        j.pooled = tariff >= self._pooling_min_tariff
        g.cost_rate += tariff
        if j.pooled:
            g.pool_rate += tariff
        if a is not None:
            a.occupied[care] += 1
            a.clients.add(j)
            a.revenue_rate += tariff
        if (care in VERBLIJF_IDS) != j.in_verblijf:
            self.set_verblijf(j, not j.in_verblijf)
        if care == CRISIS:
            g.stock[S_IN_CRISIS] += 1
        year = week // 52
        if j.counted_year != year:  # distinct jongeren in care during the year
            flow[F_YOUTH_IN_CARE] += 1
            j.counted_year = year
        if care != WIJKTEAM and j.counted_specialist_year != year:
            flow[F_YOUTH_IN_SPECIALIST_CARE] += 1
            j.counted_specialist_year = year
        flow[F_CARE_STARTS] += 1
        duration = gamma2_draw(j.u, self.mean_duration[care])
        # Drawn for every episode with a place, whether waiting hurts or not, so that both
        # settings keep drawing the same numbers for the same trajectory.
        misfit = j.u() if a is not None else 1.0
        for hook in self._care_duration:
            duration = hook(j, duration, waited)
        if j.maatwerk:
            duration *= self.a.maatwerk_duration_multiplier
        j.care_start = week
        weeks = round(duration)
        end = week + (weeks if weeks > 1 else 1)
        j.care_end = end if end < age_out else age_out
        j.epoch += 1
        key = self.calendar.schedule(j.care_end, on_care_end, j, j.epoch)
        if a is not None:
            for hook in self._care_started:
                hook(j, week, waited, misfit)
        if self.log is not None:  # (the message is only formatted when there is a log)
            self.record(j, START_ACTIVITY[care], week, a)
        return key

    def care_under_way(self, j: Jongere, a: "Aanbieder", care: int, waited: int, source: "RandomStream") -> None:
        """Care already under way when the run starts (the warm start, week 0): an episode like
        any other (``start_care``) whose end is the part that remains. Of a stationary flow of
        Gamma(2) durations 0.75 of the mean remains on average; the mean is the realised one,
        after a wait of ``waited`` weeks (the duration hooks: late help lasts longer). Drawn from
        ``source``, the warm start's stream."""
        full_episode = self.start_care(j, a, care, 0)
        if j.state != IN_CARE:  # (aged out instead)
            return
        if full_episode is not None:  # (None: it would have ended after the run)
            self.calendar.cancel(full_episode, j)  # replaced by the remaining part
        realised = self.mean_duration[care]
        for hook in self._care_duration:
            realised = hook(j, realised, waited)
        j.care_end = max(1, round(source.gamma2(realised * 0.75)))
        j.epoch += 1
        self.calendar.schedule(j.care_end, on_care_end, j, j.epoch)

    def stop_care(self, j: Jongere, week: int) -> None:
        """Release the place and settle the cost of the episode."""
        g = j.gemeente
        g.cost_rate -= j.tariff
        if j.pooled:
            g.pool_rate -= j.tariff
        if j.care == CRISIS:
            g.stock[S_IN_CRISIS] -= 1
        self.release_place(j, week)
        self.set_state(j, BETWEEN)
        j.epoch += 1

    def release_place(self, j: Jongere, week: int) -> None:
        a = j.aanbieder
        if a is not None:
            a.occupied[j.care] -= 1
            a.clients.discard(j)
            a.revenue_rate -= j.tariff
        weeks = week - j.care_start
        j.cost += j.tariff * (weeks if weeks > 0 else 0)
        j.care_start = week
        j.aanbieder = None

    def take_place(self, j: Jongere, a: "Aanbieder") -> None:
        a.occupied[j.care] += 1
        a.clients.add(j)
        a.revenue_rate += j.tariff
        j.aanbieder = a

    def transfer(self, j: Jongere, to: "Aanbieder | None", week: int, takeover: bool = False) -> None:
        """Doorplaatsing: care continues elsewhere, with a continuity break ([Q-Consult n.d.]).

        ``takeover``: a successor after procurement takes over running care even beyond its
        places (continuity of care); otherwise the receiver needs a free place."""
        care, remaining = j.care, max(j.care_end - week, 1)
        g = j.gemeente
        if to is None or (not takeover and to.capacity[care] - to.occupied[care] <= 0):
            # No place elsewhere: care is interrupted and the jongere waits with priority.
            stopped_by = j.aanbieder
            self.stop_care(j, week)
            self.record(j, ZORG_ONDERBROKEN, week, stopped_by)
            self.set_verblijf(j, False)
            self.set_state(j, PAUSED)
            j.urgent = True
            self.refer(j, week, front=True, may_bounce=False)
            return
        g.flow[F_DOORPLAATSINGEN] += 1
        self.release_place(j, week)
        self.take_place(j, to)
        j.epoch += 1
        j.care_end = week + remaining + self.a.transfer_delay_weeks
        self.calendar.schedule(j.care_end, on_care_end, j, j.epoch)
        self.record(j, DOORPLAATSING, week, to)

    def next_after_care(self, j: Jongere, week: int) -> None:
        """Outcome of a finished care episode: afschaling, afgerond (maybe relapse later)."""
        a, care, g = j.aanbieder, j.care, j.gemeente
        self.stop_care(j, week)
        if a is not None:
            for hook in self._cooperation:
                hook(g.region, g.org_id, a.org_id, True, 1.0)
        if week >= j.birth_week + self.max_age_weeks:
            g.flow[F_AGED_OUT] += 1
            self.leave(j, week, "aged out")
            return
        if care == CRISIS:
            # After a crisis admission: an uithuisplaatsing, or intensive care at home.
            placed = j.u() < self.a.placement_after_crisis
            j.care = (PLEEGZORG if (week - j.birth_week) < 12 * 52 else RESIDENTIEEL) if placed else AMBULANT_INTENSIEF
            j.urgent = True
            self.set_verblijf(j, False)
            self.refer(j, week, front=True, may_bounce=False)
            return
        nxt = LIGHTER_IDS[care]
        if nxt is not None and j.u() < self.a.afschaling_share:
            g.flow[F_AFSCHALINGEN] += 1
            j.urgent = False
            if self.log is not None:
                self.record(j, AFSCHALING, week, a)
            if a is not None and a.active and nxt in a.waitlists and a.capacity[nxt] - a.occupied[nxt] > 0:
                self.start_care(j, a, nxt, week)  # continuity: the same aanbieder steps down
            else:
                self.set_verblijf(j, False)
                j.care = nxt
                self.refer(j, week, may_bounce=False)
            return
        g.flow[F_COMPLETED] += 1
        for hook in self._completed:
            hook(j, week)
        self.leave(j, week, "afgerond", a)

    def cooperated(self, region: "Inkoopregio", a: int, b: int, success: bool, weight: float = 1.0) -> None:
        """Organisations ``a`` and ``b`` (org ids) worked on a case together, with this outcome."""
        for hook in self._cooperation:
            hook(region, a, b, success, weight)

    def crisis(self, j: Jongere, week: int) -> None:
        g = j.gemeente
        g.flow[F_CRISIS] += 1
        if j.waitlist is not None:
            j.waitlist.discard(j)
        j.urgent = True
        self.wait_left_unserved(j, week)  # the wait was interrupted by the crisis, not served
        self.start_care(j, None, CRISIS, week)

    # -- leaving and coming back ---------------------------------------------------------------
    def schedule_return(self, j: Jongere, week: int, mean_weeks: float, severity: int, kind: str) -> None:
        when = week + max(1, math.ceil(exp_draw(j.u, mean_weeks)))
        if when - j.birth_week < self.max_age_weeks:
            # A small tuple, not the trajectory itself: the calendar holds nothing finished.
            keeps_complexity = kind == "return" and j.complex
            past = (j.person_id, j.counted_year, j.counted_specialist_year, keeps_complexity,
                    keeps_complexity and j.maatwerk)
            self.calendar.schedule(when, on_return, (j.gemeente, j.birth_week, min(severity, 2), kind, past), 0)

    def leave(self, j: Jongere, week: int, reason: str, by: "Aanbieder | None" = None) -> None:
        """End the trajectory; ``by``: the aanbieder whose care it ends with (for the event log)."""
        if j.state == DONE:
            return
        g = j.gemeente
        if j.state == IN_CARE:
            self.stop_care(j, week)
        if j.waitlist is not None:
            j.waitlist.discard(j)
        self.wait_left_unserved(j, week)
        if j.wait_since >= 0:
            self.end_wait(j)
        if j.in_verblijf:
            self.set_verblijf(j, False)
        self.set_state(j, DONE)
        j.epoch += 1
        flow = g.flow
        flow[F_TRAJECTORIES_ENDED] += 1
        flow[F_TRAJECTORY_WEEKS_SUM] += week - j.entry_week
        self.model.recorder.trajectory_cost(j.cost)
        if self.log is not None:
            self.record(j, END_ACTIVITY[reason], week, by)
        self.model.n_left += 1
        j.remove()

# -- calendar handlers (module-level functions: cheap to store, no bound-method objects) ---------
def on_care_end(j: Jongere, epoch: int) -> None:
    if epoch == j.epoch and j.state == IN_CARE:
        j.model.pathway.next_after_care(j, j.model.week)


def on_wait_deadline(j: Jongere, epoch: int) -> None:
    """The earliest deadline of a wait has come: escalation, ageing out or withdrawal.

    Deadlines that fall in the same week are handled in that order; whatever does not end
    the wait is followed by an event for the next deadline."""
    if epoch != j.wait_epoch:
        return
    j.wait_event = None  # fired: nothing to cancel any more
    pw, week = j.model.pathway, j.model.week
    if j.escalation_week <= week:  # (only a mechanism with an escalation hook sets one)
        pw.escalate(j, week)
        if epoch != j.wait_epoch:  # the escalation was a crisis: the wait is over
            return
    if j.age_out_week <= week and j.state in WAITING_STATES:
        j.gemeente.flow[F_AGED_OUT] += 1
        pw.leave(j, week, "aged out")
        return
    if j.withdrawal_week <= week:
        j.withdrawal_week = NEVER
        if j.state in (SIGNALLED, WAITING):
            pw.withdraw(j, week)
            return
    pw.schedule_wait_event(j)


def on_return(payload: tuple, epoch: int) -> None:
    g, birth_week, severity, kind, past = payload
    model = g.model
    week = model.week
    # (the birth week as it always was: from the age in years, truncated to whole weeks)
    model.pathway.new_need(g, week - int((week - birth_week) / 52.0 * 52), severity, week, kind, past)

