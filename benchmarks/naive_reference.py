"""Naive reference: the care pathway written the plain-Mesa way, as a yardstick for speed.

Every youth of the population (not only those with a need) is a Mesa agent, and every agent is
stepped every week through ``AgentSet.shuffle_do("step")``. Each week each healthy youth draws
whether a need arises (weekly probability from the scenario's incidence rates), each waiting
youth draws whether it escalates or withdraws (the scenario's hazards), each youth in care
counts down its care weeks, and the organisations scan their lists: the toegang walks its
queue of signalled youth, the aanbieders walk their wachtlijsten to fill free places, and
youth that leave a list early are removed with ``list.remove``. The weekly record counts the
states of all agents with one scan, through a ``mesa.DataCollector``.

This is an honest implementation of that style, not a deliberately slowed one: one pass per
agent per week, local variables in the hot methods, Python's ``random`` (the model's
``self.random``) for draws. It is *not* the project's model and is not calibrated to it; it
reads the same parameters from the same ``Scenario`` object and produces the same broad
outputs (youth in care, wachtlijst, waits, uithuisplaatsingen), which the benchmark prints
side by side as a plausibility check.

What it leaves out (all of it cheap in the event-driven model, none of it changes the cost
structure here, which is dominated by stepping every youth every week):

* the expertteam (complex cases and maatwerk are not distinguished; they are referred like
  other cases), trust dynamics and resource sharing between aanbieders, pull allocation and
  cherry picking, the central wachtlijst variant, no-wrong-door;
* procurement churn, aanbieder finances and exits, budget pressure; prevention is held at its
  steady-state effect for the scenario's prevention budget instead of the delayed pipeline;
* doorplaatsingen and the solidarity pool; costs are care tariffs plus assessments only;
* needs arise only for youth that have no active trajectory (the event-driven model draws
  incidence from the whole cohort), and the population is stationary (a youth who reaches
  the age limit is replaced by a newborn).

Usage::

    uv run python benchmarks/naive_reference.py klas --years 2          # the naive model
    uv run python benchmarks/naive_reference.py klas --years 2 --model ours   # the real one, same timing

Both print one JSON object: build and run seconds (in-process, imports excluded), youth-weeks
per second and a few broad KPIs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from itertools import accumulate
from typing import Any

import mesa

from zorgnetwerk_sim.caretypes import CARE_KEYS

# states of a youth
HEALTHY, SIGNALLED, WAITING, IN_CARE, PAUSED = 0, 1, 2, 3, 4
WIJKTEAM, AMBULANT_LICHT, AMBULANT_INTENSIEF, DAGBEHANDELING, PLEEGZORG, RESIDENTIEEL, GESLOTEN, CRISIS = range(8)
VERBLIJF = frozenset({PLEEGZORG, RESIDENTIEEL, GESLOTEN})
STEP_UP = frozenset({AMBULANT_LICHT, AMBULANT_INTENSIEF})


def _cumulative(shares: list[float]) -> list[float]:
    return list(accumulate(shares))


def _pick(rng, cumulative: list[float]) -> int:
    x = rng.random() * cumulative[-1]
    for i, c in enumerate(cumulative):
        if x < c:
            return i
    return len(cumulative) - 1


def _lighter(care: int) -> int | None:
    if care == CRISIS:
        return AMBULANT_INTENSIEF
    return care - 1 if care > 1 else None


class Youth(mesa.Agent):
    """One young person of the population, stepped every week."""

    def __init__(self, model: "NaiveModel", gemeente: "NaiveGemeente", age_weeks: int) -> None:
        super().__init__(model)
        self.gemeente = gemeente
        self.age_weeks = age_weeks
        self.state = HEALTHY
        self.severity = 0
        self.care = -1
        self.urgent = False
        self.weeks_waited = 0        # weeks in the current wait (escalation hazard grows with it)
        self.referred_week = -1      # week of entry on a wachtlijst (wait statistics)
        self.care_weeks_left = 0
        self.provider: NaiveAanbieder | None = None
        self.return_in = 0           # weeks until a relapse / return need (0: none pending)
        self.return_severity = 0
        self.pause_left = 0
        self.counted_year = -1

    # -- the weekly step ---------------------------------------------------------------------
    def step(self) -> None:
        m = self.model
        self.age_weeks += 1
        if self.age_weeks >= m.max_age_weeks:
            self.age_out()
            return
        state = self.state
        if state == HEALTHY:
            if self.return_in > 0:
                self.return_in -= 1
                if self.return_in == 0:
                    self.need_arises(min(self.return_severity, 2), returned=True)
                return
            band = 0 if self.age_weeks < 208 else 1 if self.age_weeks < 624 else 2 if self.age_weeks < 936 else 3
            if m.random.random() < m.weekly_need_p[band]:
                x = m.random.random()
                sev = 2 if x < m.p_ernstig else 1 if x < m.p_ernstig + m.p_matig else 0
                self.need_arises(sev)
        elif state == SIGNALLED or state == WAITING:
            self.weeks_waited += 1
            rnd = m.random.random
            if m.waiting_hurts and rnd() < m.esc_base + m.esc_growth * self.weeks_waited:
                self.escalate()
            elif m.withdrawal and rnd() < m.withdrawal_p:
                self.withdraw()
        elif state == IN_CARE:
            self.care_weeks_left -= 1
            if self.care_weeks_left <= 0:
                self.care_ends()
        elif state == PAUSED:
            self.pause_left -= 1
            if self.pause_left <= 0:
                self.signal()

    # -- transitions -----------------------------------------------------------------------------
    def need_arises(self, severity: int, returned: bool = False) -> None:
        m = self.model
        m.count("new_needs")
        self.severity = severity
        self.urgent = severity >= 2
        self.weeks_waited = 0
        self.signal()

    def signal(self) -> None:
        self.state = SIGNALLED
        self.gemeente.toegang.append(self)

    def off_lists(self) -> None:
        if self.state == SIGNALLED:
            self.gemeente.toegang.remove(self)
        elif self.state == WAITING and self.provider is not None:
            self.provider.waitlists[self.care].remove(self)
            self.provider = None

    def escalate(self) -> None:
        m = self.model
        m.count("escalations")
        if m.random.random() < m.a.crisis_share_of_escalations:
            self.off_lists()
            m.count("crisis")
            self.urgent = True
            self.start_care(None, CRISIS)
            self.referred_week = -1  # the referral's wait was interrupted, not served
            return
        self.severity = min(self.severity + 1, 2)
        self.urgent = True
        if self.state == WAITING:
            self.off_lists()
            if self.care in STEP_UP:
                self.care += 1
            self.gemeente.refer(self, may_bounce=False)

    def withdraw(self) -> None:
        m = self.model
        m.count("withdrawals")
        self.off_lists()
        if m.random.random() < m.a.return_share_after_withdrawal:
            self.plan_return(m.a.return_after_weeks_mean, self.severity + 1)
        self.leave()

    def plan_return(self, mean_weeks: float, severity: int) -> None:
        m = self.model
        self.return_in = max(1, math.ceil(-mean_weeks * math.log(1.0 - m.random.random())))
        self.return_severity = severity

    def start_care(self, provider: "NaiveAanbieder | None", care: int) -> None:
        m = self.model
        if self.referred_week >= 0:
            m.wait_done(m.week - self.referred_week)
            self.referred_week = -1
        self.state = IN_CARE
        self.care = care
        self.provider = provider
        if provider is not None:
            provider.occupied[care] += 1
        if care in VERBLIJF:
            m.count("placements")
        if self.counted_year != m.week // 52:
            self.counted_year = m.week // 52
            m.count("youth_in_care")
        m.count("care_starts")
        u1, u2 = 1.0 - m.random.random(), 1.0 - m.random.random()
        duration = -0.5 * m.mean_duration[care] * math.log(u1 * u2)  # gamma, shape 2
        if m.waiting_hurts:
            duration *= 1.0 + m.a.late_help_duration_per_week_waited * self.weeks_waited
        self.care_weeks_left = max(1, round(duration))
        self.weeks_waited = 0

    def stop_care(self) -> None:
        if self.provider is not None:
            self.provider.occupied[self.care] -= 1
            self.provider = None

    def care_ends(self) -> None:
        m = self.model
        care = self.care
        provider = self.provider
        self.stop_care()
        if care == CRISIS:
            placed = m.random.random() < m.a.placement_after_crisis
            self.care = (PLEEGZORG if self.age_weeks < 12 * 52 else RESIDENTIEEL) if placed else AMBULANT_INTENSIEF
            self.urgent = True
            self.gemeente.refer(self, front=True, may_bounce=False)
            return
        down = _lighter(care)
        if down is not None and m.random.random() < m.a.afschaling_share:
            self.urgent = False
            if down == WIJKTEAM:
                self.start_care(None, WIJKTEAM)
            elif provider is not None and down in provider.waitlists and provider.free(down) > 0:
                self.start_care(provider, down)
            else:
                self.care = down
                self.gemeente.refer(self, may_bounce=False)
            return
        m.count("completed")
        if m.relapse and m.random.random() < m.a.relapse_share:
            self.plan_return(m.a.relapse_after_weeks_mean, self.severity)
        self.leave()

    def leave(self) -> None:
        self.state = HEALTHY
        self.care = -1
        self.provider = None
        self.referred_week = -1
        self.weeks_waited = 0

    def age_out(self) -> None:
        """Reaching the age limit ends any trajectory; a newborn takes the place (stationary)."""
        if self.state == IN_CARE:
            self.stop_care()
        elif self.state in (SIGNALLED, WAITING):
            self.off_lists()
        self.leave()
        self.age_weeks = 0
        self.return_in = 0


class NaiveGemeente(mesa.Agent):
    def __init__(self, model: "NaiveModel", name: str, youth: int, region: "NaiveRegion") -> None:
        super().__init__(model)
        self.name = name
        self.youth = youth
        self.region = region
        self.toegang: list[Youth] = []
        self.credit = 0.0

    def step(self) -> None:
        """The wijkteam assesses signalled youth in order, as far as its capacity goes."""
        m = self.model
        capacity = self.youth / 1000.0 * m.a.assessments_per_1000_youth_per_week
        self.credit += capacity
        while self.toegang and self.credit >= 1.0:
            j = self.toegang.pop(0)
            self.credit -= 1.0
            m.count("assessments")
            m.cost_toegang += m.a.cost_per_assessment_eur
            j.care = _pick(m.random, m.referral[j.severity])
            if j.care == WIJKTEAM:
                j.start_care(None, WIJKTEAM)
            else:
                self.refer(j)
        if not self.toegang:
            self.credit = min(self.credit, capacity)

    def refer(self, j: Youth, front: bool = False, may_bounce: bool = True) -> None:
        m = self.model
        region = self.region
        care = region.offered(j.care)
        j.care = care
        providers = region.providers_of.get(care)
        if not providers:
            j.leave()
            return
        if j.referred_week < 0:
            j.referred_week = m.week
            m.count("waitlist_entries")
        if may_bounce and m.bouncing and m.random.random() < m.mismatch_p:
            m.count("bounces")
            j.state = PAUSED
            j.pause_left = m.a.bounce_delay_weeks
            return
        # push allocation, weighted by the aanbieders' size (no trust, no regie)
        x = m.random.random() * sum(p.size for p in providers)
        target = providers[-1]
        for p in providers:
            x -= p.size
            if x < 0:
                target = p
                break
        j.state = WAITING
        j.provider = target
        if front:
            target.waitlists[care].insert(0, j)
        else:
            target.waitlists[care].append(j)


class NaiveAanbieder(mesa.Agent):
    def __init__(self, model: "NaiveModel", name: str, care_types: list[int], size: float) -> None:
        super().__init__(model)
        self.name = name
        self.care_types = care_types
        self.size = size
        self.capacity = [0] * 8
        self.occupied = [0] * 8
        self.waitlists: dict[int, list[Youth]] = {t: [] for t in care_types}

    def free(self, care: int) -> int:
        return self.capacity[care] - self.occupied[care]

    def step(self) -> None:
        """Fill free places from the wachtlijst: scan for urgent cases first if prioritised."""
        m = self.model
        for care, waitlist in self.waitlists.items():
            free = self.capacity[care] - self.occupied[care]
            while free > 0 and waitlist:
                pick = 0
                if m.urgency:
                    pick = next((i for i, j in enumerate(waitlist) if j.urgent), 0)
                j = waitlist.pop(pick)
                j.provider = None
                j.start_care(self, care)
                free -= 1


class NaiveRegion:
    def __init__(self, name: str) -> None:
        self.name = name
        self.gemeenten: list[NaiveGemeente] = []
        self.aanbieders: list[NaiveAanbieder] = []
        self.providers_of: dict[int, list[NaiveAanbieder]] = {}

    def offered(self, care: int) -> int:
        if self.providers_of.get(care):
            return care
        order = sorted((t for t in self.providers_of if t != CRISIS and self.providers_of[t]),
                       key=lambda t: (abs(t - care), -t))
        return order[0] if order else care


class NaiveModel(mesa.Model):
    def __init__(self, scenario: Any, seed: int | None = None) -> None:
        super().__init__(rng=scenario.seed if seed is None else seed)
        self.spec = scenario
        a = self.a = scenario.assumptions
        mech, u, c = scenario.mechanisms, scenario.uncertainties, scenario.levers.coordination
        self.week = 0
        self.max_age_weeks = a.max_age_years * 52
        self.waiting_hurts, self.withdrawal = mech.waiting_hurts, mech.withdrawal
        self.relapse, self.bouncing = mech.relapse, mech.bouncing and c.allocation == "push"
        self.urgency = c.urgency_priority
        self.esc_base, self.esc_growth = a.escalation_hazard_per_week, a.escalation_hazard_growth_per_week
        self.withdrawal_p = a.withdrawal_hazard_per_week
        self.mismatch_p = a.mismatch_share * (1.0 - c.role_clarity)
        # prevention at the steady-state effect of the scenario's prevention budget
        spend = scenario.levers.prevention.budget_share * a.budget_per_youth_eur_per_year
        reduction = a.prevention_max_reduction * spend / (spend + a.prevention_half_effect_eur_per_youth) \
            if mech.prevention else 0.0
        self.weekly_need_p = [r / 52.0 * u.incidence_multiplier * (1.0 - reduction)
                              for r in a.incidence_per_youth_per_year]
        shift = a.prevention_severity_shift * reduction
        self.p_ernstig = a.severity_mix[2] * (1.0 - shift)
        self.p_matig = a.severity_mix[1] * (1.0 - shift / 2.0)
        self.referral = [_cumulative(a.referral_licht), _cumulative(a.referral_matig),
                         _cumulative(a.referral_ernstig)]
        self.mean_duration = [a.care.of(k).mean_duration_weeks for k in CARE_KEYS]
        self.tariff = [a.care.of(k).tariff_eur_per_week for k in CARE_KEYS]
        self.counts: Counter = Counter()
        self.year_counts: list[Counter] = []
        self.wait_n = 0
        self.wait_sum = 0
        self.cost_toegang = 0.0
        self.cost_care = 0.0
        self.regions: list[NaiveRegion] = []
        self._build(scenario)
        self.youth_agents = self.agents_by_type[Youth]
        self.org_agents = [*self.agents_by_type[NaiveGemeente], *self.agents_by_type[NaiveAanbieder]]
        self.datacollector = mesa.DataCollector(model_reporters={
            "waiting_toegang": lambda m: m.states[SIGNALLED] + m.states[PAUSED],
            "waiting_list": lambda m: m.states[WAITING],
            "in_care": lambda m: m.states[IN_CARE],
            "in_verblijf": lambda m: m.in_verblijf,
        })
        self._warm_start()

    # -- building ------------------------------------------------------------------------------
    def _build(self, sc: Any) -> None:
        a, c = sc.assumptions, sc.levers.coordination
        max_age = a.max_age_years * 52
        for spec in sc.network.regions:
            region = NaiveRegion(spec.name)
            self.regions.append(region)
            for g_spec in spec.gemeenten:
                n = int(round(g_spec.inhabitants * a.youth_share_of_inhabitants))
                g = NaiveGemeente(self, g_spec.name, n, region)
                region.gemeenten.append(g)
                for _ in range(n):  # the whole population, with a uniform age structure
                    Youth(self, g, int(self.random.random() * max_age))
            if spec.aanbieders:
                specs = [(s.name, [CARE_KEYS.index(k) for k in s.care_types], s.size) for s in spec.aanbieders]
            else:  # generated portfolios: every aanbieder offers everything (a simplification)
                specs = [(f"{spec.name} {i}", list(range(1, 8)), 1.0) for i in range(spec.n_generated_aanbieders)]
            for name, care, size in specs:
                ab = NaiveAanbieder(self, name, care, size)
                region.aanbieders.append(ab)
                for t in care:
                    region.providers_of.setdefault(t, []).append(ab)
            youth = sum(g.youth for g in region.gemeenten)
            contracts = 1 if c.uniform_agreements else len(region.gemeenten)
            overhead = 0.0
            if sc.mechanisms.admin_burden:
                overhead += min(a.admin_max_share, a.admin_base_share + scenario.uncertainties.admin_share_per_contract * (contracts - 1))
            if sc.mechanisms.meeting_fragmentation:
                overhead += scenario.uncertainties.capacity_loss_per_overlegtafel * c.overlegtafels
            keep = (1.0 - min(overhead, 0.9)) * sc.uncertainties.staff_availability
            for t, providers in region.providers_of.items():
                places = youth / 1000.0 * a.care.of(CARE_KEYS[t]).capacity_per_1000_youth
                total = sum(p.size for p in providers)
                for p in providers:
                    p.capacity[t] = int(math.floor(places * p.size / total * keep + 0.5))

    def _warm_start(self) -> None:
        """Places mostly occupied and a short wachtlijst, as in the event-driven model."""
        a = self.a
        by_gemeente: dict[NaiveGemeente, list[Youth]] = {}
        for y in self.youth_agents:
            by_gemeente.setdefault(y.gemeente, []).append(y)
        for region in self.regions:
            pool = [y for g in region.gemeenten for y in by_gemeente[g]]
            self.random.shuffle(pool)
            for t, providers in region.providers_of.items():
                if t == CRISIS:
                    continue
                for p in providers:
                    for _ in range(int(p.capacity[t] * a.initial_occupancy)):
                        if not pool:
                            return
                        y = pool.pop()
                        y.start_care(p, t)
                        y.care_weeks_left = max(1, round(-0.375 * self.mean_duration[t] * math.log(
                            (1.0 - self.random.random()) * (1.0 - self.random.random()))))
            weekly = sum(g.youth * sum(self.weekly_need_p) / 4 for g in region.gemeenten)
            for t, providers in region.providers_of.items():
                if t in (CRISIS, WIJKTEAM) or not providers:
                    continue
                share = sum(s * (self.referral[i][t] - (self.referral[i][t - 1] if t else 0.0))
                            for i, s in enumerate(self.a.severity_mix))
                for _ in range(int(weekly * share * a.initial_wait_weeks)):
                    if not pool:
                        return
                    y = pool.pop()
                    y.severity = 1
                    y.care = t
                    y.gemeente.refer(y, may_bounce=False)
        self.counts.clear()
        self.wait_n = self.wait_sum = 0

    # -- bookkeeping -----------------------------------------------------------------------------
    def count(self, name: str) -> None:
        self.counts[name] += 1

    def wait_done(self, weeks: int) -> None:
        self.wait_n += 1
        self.wait_sum += weeks

    # -- the weekly cycle ------------------------------------------------------------------------
    def step(self) -> None:
        if self.week % 52 == 0:
            self.year_counts.append(Counter())
            year = self.week // 52
            for y in self.youth_agents:  # in care when the year starts: counts for the year (CBS)
                if y.state == IN_CARE:
                    y.counted_year = year
                    self.counts["youth_in_care"] += 1
        self.youth_agents.shuffle_do("step")
        for org in self.org_agents:  # gemeenten (toegang) first, then aanbieders fill places
            org.step()
        # one scan of all agents for the weekly record (plain Mesa: no incremental stocks)
        states: Counter = Counter()
        verblijf = 0
        cost = 0.0
        tariff = self.tariff
        for y in self.youth_agents:
            s = y.state
            states[s] += 1
            if s == IN_CARE:
                cost += tariff[y.care]
                if y.care in VERBLIJF:
                    verblijf += 1
        self.states, self.in_verblijf = states, verblijf
        self.cost_care += cost
        self.datacollector.collect(self)
        self.year_counts[-1].update(self.counts)
        if self.week == self.spec.warmup_weeks:
            self.wait_n = self.wait_sum = 0
            self.cost_care = self.cost_toegang = 0.0
        self.counts.clear()
        self.week += 1

    def summary(self) -> dict[str, float]:
        sc = self.spec
        w0 = sc.warmup_weeks
        df = self.datacollector.get_model_vars_dataframe().iloc[w0:]
        years = max((self.week - w0) / 52.0, 1e-9)
        after = Counter()
        for c in self.year_counts[w0 // 52:]:
            after.update(c)
        youth = sum(g.youth for r in self.regions for g in r.gemeenten)
        return {
            "youth_population": float(youth),
            "waitlist_mean": float(df["waiting_list"].mean()),
            "toegang_queue_mean": float(df["waiting_toegang"].mean()),
            "in_care_mean": float(df["in_care"].mean()),
            "verblijf_mean": float(df["in_verblijf"].mean()),
            "wait_weeks_mean": self.wait_sum / self.wait_n if self.wait_n else float("nan"),
            "new_needs_per_year": after["new_needs"] / years,
            "youth_in_care_per_year": after["youth_in_care"] / years,
            "placements_per_year": after["placements"] / years,
            "crisis_per_year": after["crisis"] / years,
            "cost_care_per_year_eur": self.cost_care / years,
        }


# ------------------------------------------------------------------------------------------------
KPIS = ("youth_population", "waitlist_mean", "toegang_queue_mean", "in_care_mean", "verblijf_mean",
        "wait_weeks_mean", "new_needs_per_year", "youth_in_care_per_year", "placements_per_year",
        "crisis_per_year", "cost_care_per_year_eur")


def measure(model_kind: str, scenario_name: str, years: float, seed: int | None) -> dict[str, Any]:
    """Build and run one model in this process; imports are excluded from the timings."""
    from zorgnetwerk_sim.scenario import load_scenario

    sc = load_scenario(scenario_name, years=years, seed=seed)
    t0 = time.perf_counter()
    if model_kind == "naive":
        model = NaiveModel(sc)
        t1 = time.perf_counter()
        for _ in range(sc.weeks):
            model.step()
        summary = model.summary()
        n_agents = len(model.agents)
    else:
        from zorgnetwerk_sim.model import ZorgnetwerkModel

        model = ZorgnetwerkModel(sc)
        t1 = time.perf_counter()
        while model.week < sc.weeks:
            model.step()
        full = model.recorder.summary()
        summary = {k: full.get(k, float("nan")) for k in KPIS}
        summary["cost_care_per_year_eur"] = full["cost_care_per_year_eur"]
        n_agents = len(model.agents)
    t2 = time.perf_counter()
    youth = summary["youth_population"]
    return {"model": model_kind, "scenario": scenario_name, "years": years, "weeks": sc.weeks,
            "build_s": t1 - t0, "run_s": t2 - t1, "total_s": t2 - t0,
            "youth_weeks_per_s": youth * sc.weeks / (t2 - t0), "agents_at_end": n_agents,
            "summary": summary}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scenario", nargs="?", default="klas")
    p.add_argument("--years", type=float, default=2.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--model", choices=("naive", "ours"), default="naive")
    args = p.parse_args(argv)
    json.dump(measure(args.model, args.scenario, args.years, args.seed), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
