"""ZorgnetwerkModel: builds the youth-care network from a Scenario; ``step()`` is one week."""

from __future__ import annotations

from collections.abc import Callable

import mesa
import networkx as nx
import numpy as np

from .agents import Aanbieder, Expertteam, Gemeente, Jongere
from .agents.gemeente import AGE_BANDS
from .agents.jongere import IN_CARE
from .caretypes import CARE_KEYS, PROVIDER_CARE, CareType
from .engine import (TRAJECTORY_BYTES, TRAJECTORY_DRAWS, Calendar, RandomStream, Streams, choice_from,
                     gc_paused, numbers_from)
from .eventlog import SIGNAAL, EventLog
from .mechanisms import Hooks, Mechanism, enabled
from .mesa_adapter import QuietRegistration
from .metrics import C, F, Recorder
from .pathway import Pathway
from .trust import TrustNetwork
from .region import Inkoopregio
from .scenario.schema import AanbiederSpec, Scenario


_BAND_LOW = np.array([lo for lo, _ in AGE_BANDS])
_BAND_WIDTH = np.array([hi - lo for lo, hi in AGE_BANDS])

# Generated portfolios: groups of related care types a generated aanbieder specialises in.
PORTFOLIO_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ambulant_licht", "ambulant_intensief"),
    ("ambulant_intensief", "dagbehandeling"),
    ("pleegzorg",),
    ("residentieel", "gesloten"),
    ("ambulant_licht", "dagbehandeling"),
    ("residentieel", "pleegzorg"),
)


class ZorgnetwerkModel(QuietRegistration, mesa.Model):
    """The youth-care network of one or more inkoopregio's.

    The weekly cycle (``step``) reads like docs/model.md §3: the year's bookkeeping, prevention,
    new needs, scheduled events (care ends, escalations, withdrawals, returns), the toegang,
    the expertteams, allocation of free places, trust, money, and the week's record. What the
    switchable mechanisms do happens in their hooks (``mechanisms/``), collected once here.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.spec = scenario
        self.seed_used = scenario.seed if seed is None else int(seed)
        super().__init__(rng=self.seed_used)
        self.levers = scenario.levers
        self.week = 0
        self.n_entered = 0
        self.n_left = 0
        self.n_persons = 0  # distinct young people so far (Jongere.person_id)
        # Random numbers from the model seed: an arrivals generator (the counts of new needs and
        # each need's own numbers, new_needs) and a stream per kind of decision (engine.Streams).
        # Scenarios compared with the same seed then face the same needs, and the same jongere
        # the same draws as far as its path is the same (common random numbers, docs/model.md §4.9).
        arrivals_seed, process_seed = np.random.SeedSequence(self.seed_used).spawn(2)
        self.arrival_rng = np.random.default_rng(arrivals_seed)
        self.own_draws = scenario.run.random_streams == "per_trajectory"
        self.streams = Streams(process_seed, self.own_draws)
        self.calendar = Calendar(horizon=scenario.weeks)
        self.event_log: EventLog | None = None  # created with the network (it names the gemeenten)
        self.regions: list[Inkoopregio] = []
        self.gemeenten: list[Gemeente] = []
        self.expertteams: list[Expertteam] = []
        self._next_org = 0
        # The enabled mechanisms (mechanisms/): created before the network, whose places and
        # hours they may reduce, and started once the network, the pathway and the recorder exist.
        self.mechanisms: list[Mechanism] = enabled(self)
        self._by_switch = {m.switch: m for m in self.mechanisms}
        self.hooks = Hooks(self.mechanisms)
        self._build_network()
        if scenario.run.event_log:
            self.event_log = EventLog(scenario.run.start_date, self.gemeenten)
        self.pathway = Pathway(self)
        self.recorder = Recorder(self)
        for mechanism in self.mechanisms:
            mechanism.start()
        a = scenario.assumptions
        self._no_reduction = np.zeros(len(self.gemeenten))
        self._rates = np.array(a.incidence_per_youth_per_year)
        self._refresh_age_weights()
        with gc_paused():  # the warm start creates thousands of trajectories at once
            self._warm_start()

    def mechanism(self, switch: str) -> Mechanism | None:
        """The enabled mechanism with this switch (``mechanisms/``), or None when it is off."""
        return self._by_switch.get(switch)

    # ------------------------------------------------------------------ building the network
    def org_id(self) -> int:
        """A new organisation id (gemeenten, aanbieders; the trust matrices are indexed by it)."""
        self._next_org += 1
        return self._next_org - 1

    def _build_network(self) -> None:
        sc = self.spec
        c = sc.levers.coordination
        teams = {t.name: t for t in sc.network.expertteams}
        team_agents: dict[str, Expertteam] = {}
        for r_index, spec in enumerate(sc.network.regions):
            region = Inkoopregio(self, r_index, spec.name)
            self.regions.append(region)
            for g_spec in spec.gemeenten:
                g = Gemeente(self, len(self.gemeenten), self.org_id(), g_spec.name, g_spec.inhabitants, region)
                region.gemeenten.append(g)
                self.gemeenten.append(g)
            specs = spec.aanbieders or self._generate_aanbieders(spec.name, spec.n_generated_aanbieders,
                                                                 spec.portfolio_overlap)
            for a_spec in specs:
                care = [int(CareType[k.upper()]) for k in a_spec.care_types]
                region.aanbieders.append(Aanbieder(self, self.org_id(), a_spec.name, region, care,
                                                   a_spec.size, a_spec.flexibility))
            region.rebuild_provider_index()
            self._size_capacity(region)
            team_name = spec.expertteam or f"Expertteam {spec.name}"
            if team_name not in team_agents:
                hours = teams[team_name].hours_per_week if team_name in teams else None
                team_agents[team_name] = Expertteam(self, team_name, hours)
            region.expertteam = team_agents[team_name]
            team_agents[team_name].regions.append(region)
            a = sc.assumptions
            region.trust = TrustNetwork(region.org_ids(), a.trust_prior_positive, a.trust_prior_negative,
                                        a.trust_gain, a.trust_loss, a.trust_forgetting_per_year)
            region.refresh_provider_trust()
        self.expertteams = list(team_agents.values())
        for team in self.expertteams:
            if team.hours_per_week is None:  # scaled to the youth the team serves
                team.hours_per_week = c.expertteam_hours_per_100k_youth * sum(r.youth for r in team.regions) / 1e5
        for region in self.regions:
            for ab in region.aanbieders:
                ab.reserve = ab.nominal_revenue(self.pathway_tariffs()) * sc.assumptions.initial_reserve_weeks

    def _generate_aanbieders(self, region: str, n: int, overlap: float) -> list[AanbiederSpec]:
        """Portfolios from specialised groups; with overlap, aanbieders also offer other groups."""
        specs = []
        for i in range(n):
            care = set(PORTFOLIO_GROUPS[i % len(PORTFOLIO_GROUPS)])
            for group in PORTFOLIO_GROUPS:
                if self.streams.build.u() < overlap / len(PORTFOLIO_GROUPS):
                    care.update(group)
            if i == 0:
                care.add("crisis")
            size = 0.5 + self.streams.build.u() * 1.5
            flexibility = 0.3 + self.streams.build.u() * 0.4
            specs.append(AanbiederSpec(name=f"{region} aanbieder {i + 1}", care_types=sorted(care),
                                       size=size, flexibility=flexibility))
        return specs

    def _size_capacity(self, region: Inkoopregio) -> None:
        """Regional places per care type (per 1,000 youth), split over aanbieders by size."""
        a = self.spec.assumptions
        for t in PROVIDER_CARE:
            providers = region.providers_of.get(int(t), [])
            total_size = sum(p.size for p in providers)
            places = region.youth / 1000.0 * a.care.of(t.key).capacity_per_1000_youth
            for p in providers:
                p.size_share[t] = p.size / total_size
                p.nominal[t] = places * p.size / total_size
        for p in region.aanbieders:
            p.contract_nominal = list(p.nominal)
            p.year_start_nominal = list(p.nominal)
        for p in region.aanbieders:
            p.refresh_capacity()

    def pathway_tariffs(self) -> list[float]:
        return [self.spec.assumptions.care.of(k).tariff_eur_per_week for k in CARE_KEYS]

    def _refresh_age_weights(self) -> None:
        self._band_youth = np.array([g.band_youth() for g in self.gemeenten])
        weights = self._band_youth * self._rates
        self._age_cum = [np.cumsum(w / w.sum()).tolist() if w.sum() > 0 else [1.0] * 4 for w in weights]
        # Expected needs per gemeente per year: the age bands added in a fixed order, not with a
        # matrix product. BLAS may round differently on another CPU (so another machine could
        # draw other Poisson counts from the same seed), and OpenBLAS leaves worker threads
        # spinning after each call, which takes CPU from the other runs of a parallel sweep.
        incidence = weights[:, 0].copy()
        for band in range(1, weights.shape[1]):
            incidence += weights[:, band]
        self._incidence_per_year = incidence

    def _draw_age(self, g: Gemeente, u: Callable[[], float]) -> float:
        return self._age_from(g, u(), u())

    def _age_from(self, g: Gemeente, x_band: float, x_age: float) -> float:
        """An age from two uniforms: the band by the gemeente's weights, then uniform within it."""
        band = choice_from(x_band, self._age_cum[g.index])
        lo, hi = AGE_BANDS[band]
        return lo + x_age * (hi - lo)

    def numbers_for(self, source: RandomStream) -> bytes | None:
        """The own random numbers of a new trajectory, ``TRAJECTORY_DRAWS`` taken from ``source``
        at once (docs/model.md §4.9); None with ``run.random_streams = "single"`` (it then draws
        from the one shared stream)."""
        return numbers_from(source) if self.own_draws else None

    def _warm_start(self) -> None:
        """Start near a steady state: places mostly occupied and a wachtlijst of a few weeks, so a
        short warm-up suffices (docs/model.md §2.7)."""
        a = self.spec.assumptions
        pw = self.pathway
        stream = self.streams.warm_start
        intake_hook = self.hooks.one("initial_intake")
        severity_of = {t: (2 if t >= CareType.PLEEGZORG else 1 if t >= CareType.AMBULANT_INTENSIEF else 0)
                       for t in CareType}
        for region in self.regions:
            youth = np.array([g.youth for g in region.gemeenten])
            cum = np.cumsum(youth / youth.sum()).tolist()
            weekly_need = self.expected_weekly_referrals(region)
            for t, providers in region.providers_of.items():
                if t == CareType.CRISIS:
                    continue
                for ab in providers:
                    for _ in range(int(ab.capacity[t] * a.initial_occupancy)):
                        g = region.gemeenten[stream.choice_index(cum)]
                        j = Jongere(self, g, -int(self._draw_age(g, stream.u) * 52), severity_of[CareType(t)], 0,
                                    numbers=self.numbers_for(stream))
                        self.n_entered += 1
                        j.entry_week = -int(stream.exp(self.pathway.mean_duration[t] * 0.5))
                        pw.record(j, SIGNAAL, j.entry_week)
                        pw.care_under_way(j, ab, t, a.initial_wait_weeks, stream)
                # The wachtlijst at the start: ``initial_wait_weeks`` of the weekly intake, i.e.
                # an expected wait of that many weeks: the first referrals' need, or what a
                # mechanism holds the lists at (the capacity response: what the places take in).
                intake = (intake_hook(region, t, providers) if intake_hook is not None
                          else weekly_need.get(t, 0.0))
                n_wait = int(intake * a.initial_wait_weeks)
                for _ in range(n_wait):
                    g = region.gemeenten[stream.choice_index(cum)]
                    j = Jongere(self, g, -int(self._draw_age(g, stream.u) * 52), severity_of[CareType(t)], 0,
                                numbers=self.numbers_for(stream))
                    self.n_entered += 1
                    j.care = t
                    j.entry_week = -int(stream.u() * 2 * a.initial_wait_weeks)
                    pw.record(j, SIGNAAL, j.entry_week)
                    pw.refer(j, 0, may_bounce=False)  # their waits count from week 0 (warm-up)
        # the warm start is not part of any KPI
        for g in self.gemeenten:
            g.flow = [0] * len(g.flow)
            g.cost = [0.0] * len(g.cost)
        self.count_youth_in_care(0)

    def expected_weekly_referrals(self, region: Inkoopregio) -> dict[int, float]:
        """Expected referrals per care type per week from incidence and the referral shares."""
        a = self.spec.assumptions
        needs = sum(float(self._incidence_per_year[g.index]) for g in region.gemeenten) / 52.0
        needs *= self.spec.uncertainties.incidence_multiplier
        mats = (a.referral_licht, a.referral_matig, a.referral_ernstig)
        out: dict[int, float] = {}
        for sev, share in enumerate(a.severity_mix):
            for t, p in enumerate(mats[sev]):
                out[t] = out.get(t, 0.0) + needs * share * p
        return out

    def run_model(self) -> None:
        """Run until the horizon, with garbage collection paused for the whole run (see ``step``)."""
        with gc_paused():
            super().run_model()

    # ------------------------------------------------------------------ the weekly cycle
    def step(self) -> None:
        # Garbage collection waits until the week is over (see engine.gc_paused: a third of
        # a national run otherwise); the week itself is ``_week``. Whole runs (``run_model``,
        # ``Simulation.run``) keep it paused from the first week to the last.
        with gc_paused():
            self._week()

    def _week(self) -> None:
        week = self.week
        hooks = self.hooks
        if week > 0 and week % 52 == 0:
            self.new_year(week)
        for hook in hooks.week_start:
            hook(week)
        self.new_needs(week)
        self.calendar.fire(week)
        for hook in hooks.review:
            hook(week)
        for g in self.gemeenten:
            self.pathway.run_toegang(g, week)
        for hook in hooks.after_toegang:
            hook(week)
        for region in self.regions:
            region.refresh_provider_trust()
            self.pathway.allocate(region, week)
            for hook in hooks.region_week_end:
                hook(region)
        self.settle_week(week)
        self.recorder.close_week(week)
        self.week += 1
        if self.week >= self.spec.weeks:
            self.running = False
            if self.week % 52 == 0:  # a run that ends on a year boundary: judge its last year too
                self.judge_budgets(self.week // 52 - 1)

    def new_needs(self, week: int) -> None:
        """Incidence from the cohorts: Poisson counts per gemeente, lowered by prevention."""
        u = self.spec.uncertainties
        growth = (1.0 + u.demand_growth_per_year) ** (week / 52.0)
        reduction = self._no_reduction
        for hook in self.hooks.needs_reduction:  # (prevention)
            reduction = hook()
        lam = self._incidence_per_year / 52.0 * u.incidence_multiplier * growth * (1.0 - reduction)
        counts = self.arrival_rng.poisson(lam)
        a = self.spec.assumptions
        n_new = counts.tolist()
        total = sum(n_new)
        if total == 0:
            return
        new_need = self.pathway.new_need
        # Part of the severe needs may start as a crisis (mechanism baseline_crisis), drawn with
        # the need itself (the draw is made whether or not), so every policy faces the same crises.
        p_crisis = 0.0
        for hook in self.hooks.new_crisis_share:
            p_crisis = hook()
        # Each new need takes its numbers from the arrivals generator at once: four for itself
        # (severity, crisis, age band, age) and TRAJECTORY_DRAWS for what will happen to it
        # (docs/model.md §4.9), which it keeps as a small bytes object of its own (a view of
        # the block would keep the whole block alive for as long as any of its trajectories
        # lives). With one shared stream ("single") it keeps none and draws from that stream.
        # The week's needs take one block, gemeente by gemeente (the generator gives the same
        # doubles as one block per gemeente in turn), and their severity, crisis and birth week
        # are computed for all of them at once, with the same double arithmetic as one at a time.
        own = self.own_draws
        width = 4 + TRAJECTORY_DRAWS
        block = self.arrival_rng.random(total * width).reshape(total, width)
        at = np.repeat(np.arange(len(n_new)), counts)  # the gemeente of each need
        birth, severity, crisis = self.need_attributes(block, at, reduction, p_crisis, week)
        raw = memoryview(block).cast("B")
        gemeenten = self.gemeenten
        for i, gi, birth_week, sev, is_crisis in zip(range(total), at.tolist(), birth.tolist(), severity.tolist(),
                                                     crisis.tolist()):
            o = 8 * width * i + 32
            new_need(gemeenten[gi], birth_week, sev, week, "crisis" if is_crisis else "new", None,
                     bytes(raw[o:o + TRAJECTORY_BYTES]) if own else None)

    def need_attributes(self, block: np.ndarray, at: np.ndarray, reduction: np.ndarray, p_crisis: float,
                        week: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Birth week, severity and baseline crisis of new needs from their first four numbers
        (severity, crisis, age band, age; one row per need, ``at`` its gemeente), for all needs at
        once: the same double arithmetic as one need at a time (tests/test_streams.py)."""
        mix = self.spec.assumptions.severity_mix
        shift = self.spec.assumptions.prevention_severity_shift * reduction
        p_ernstig = mix[2] * (1.0 - shift)
        p_matig = mix[1] * (1.0 - shift / 2.0)
        x = block[:, 0]
        severity = np.where(x < p_ernstig[at], 2, np.where(x < (p_ernstig + p_matig)[at], 1, 0))
        crisis = (severity == 2) & (block[:, 1] < p_crisis)
        # The age band by the gemeente's weights (engine.choice_from: the number of cumulative
        # weights at or below the scaled draw), then uniform within the band.
        cum = np.array(self._age_cum)[at]
        band = np.minimum((cum <= (block[:, 2] * cum[:, -1])[:, None]).sum(axis=1), len(AGE_BANDS) - 1)
        age = _BAND_LOW[band] + block[:, 3] * _BAND_WIDTH[band]
        return week - (age * 52).astype(np.int64), severity, crisis

    def settle_week(self, week: int) -> None:
        """Weekly money: care (with the solidarity pool), the region's own costs (the independent
        regisseur, informal contacts) and those of the mechanisms (contracts, overlegtafels, the
        expertteam, extra places, prevention), then the aanbieders' money."""
        sc = self.spec
        a, c = sc.assumptions, self.levers.coordination
        hooks = self.hooks
        pooling = c.solidarity_pooling
        for region in self.regions:
            youth = region.youth
            costs = RegionCosts()
            if c.independent_regisseur:
                costs.coordination += a.regisseur_cost_eur_per_year / 52.0
            for hook in hooks.region_costs:
                hook(region, week, costs)
            n_orgs = len(region.aanbieders) + len(region.gemeenten)
            trust_cost = self.levers.trust.informal_contacts_per_year * self.levers.trust.cost_per_contact_eur \
                * n_orgs / 52.0
            pool = sum(g.pool_rate for g in region.gemeenten) if pooling else 0.0
            for g in region.gemeenten:
                share = g.youth / youth
                cost = g.cost
                cost[C["cost_care"]] += g.cost_rate - (g.pool_rate - pool * share if pooling else 0.0)
                cost[C["cost_extra_capacity"]] += costs.extra_capacity * share
                # (per gemeente: each manages its own contracts, unless the agreements are uniform)
                cost[C["cost_admin"]] += costs.contracts * (share if c.uniform_agreements else 1.0)
                cost[C["cost_coordination"]] += costs.coordination * share
                cost[C["cost_trust"]] += trust_cost * share
                for hook in hooks.gemeente_costs:
                    hook(g, week, cost)
                g.year_spend += sum(cost)
            for hook in hooks.settle_region:
                hook(region, week)

    # ------------------------------------------------------------------ once a year
    def new_year(self, week: int) -> None:
        year = week // 52
        self.judge_budgets(year - 1)
        for g in self.gemeenten:
            g.age_cohorts()
        self._refresh_age_weights()
        self.count_youth_in_care(year)
        for hook in self.hooks.year_start:  # (budget pressure, the aanbieders' finances, the tender)
            hook(week)
        for region in self.regions:
            for ab in region.aanbieders:
                ab.year_start_nominal = list(ab.nominal)
                ab.refresh_capacity()

    def count_youth_in_care(self, year: int) -> None:
        """Everyone in care when the year starts counts for that year (CBS: in care at any time
        in the year); later care starts add the others. Once a year, O(active trajectories)."""
        in_care = F["youth_in_care"]
        specialist = F["youth_in_specialist_care"]
        for j in self.agents_by_type.get(Jongere, ()):
            if j.state == IN_CARE:
                j.counted_year = year
                j.gemeente.flow[in_care] += 1
                if j.care != CareType.WIJKTEAM:
                    j.counted_specialist_year = year
                    j.gemeente.flow[specialist] += 1

    def budget_growth(self, week: int) -> float:
        """How far every gemeente's jeugd budget per year has grown by ``week``: tariff inflation
        and the real growth of budgets (``uncertainties.budget_growth_per_year``)."""
        u = self.spec.uncertainties
        return ((1.0 + u.tariff_inflation_per_year) * (1.0 + u.budget_growth_per_year)) ** (week / 52.0)

    def budget_of(self, g: Gemeente, week: int) -> float:
        """A gemeente's jeugd budget per year in ``week``."""
        return g.budget_eur_per_year * self.budget_growth(week)

    def judge_budgets(self, year: int) -> None:
        """Compare each gemeente's spending in ``year`` with its budget, then start a new year."""
        sc = self.spec
        for g in self.gemeenten:
            budget = self.budget_of(g, 52 * year)
            self.recorder.overspent[year, g.index] = g.year_spend > budget * (1.0 + sc.assumptions.overspend_tolerance)
            g.year_spend = 0.0
        self.recorder.judged[year] = True

    def move_caseload(self, region: Inkoopregio, old: Aanbieder, new: Aanbieder | None, week: int) -> None:
        """An aanbieder leaves (an exit, a tender): its clients in care are doorgeplaatst — to
        ``new``, its successor, or to another aanbieder with a free place — and its wachtlijst
        moves to the successor or is re-referred."""
        pw = self.pathway
        for j in sorted(old.clients, key=lambda x: x.unique_id):
            if j.state != IN_CARE:
                continue
            target = new
            if target is None:
                others = [p for p in region.providers_of.get(j.care, []) if p.free(j.care) > 0]
                target = others[0] if others else None
            pw.transfer(j, target, week, takeover=new is not None)
        for t, wl in old.waitlists.items():
            while True:
                j = wl.pop(False, False, 1.0, self.streams.allocation)
                if j is None:
                    break
                pw.refer(j, week, to=new, may_bounce=False)

    # ------------------------------------------------------------------ inspection
    @property
    def jongeren_active(self) -> int:
        return self.n_entered - self.n_left

    def network_graph(self) -> nx.Graph:
        """Organisations as nodes; contracts and trust as edges (for inspection and the app)."""
        graph = nx.Graph()
        for region in self.regions:
            for g in region.gemeenten:
                graph.add_node(g.org_id, kind="gemeente", name=g.name, region=region.name)
            for ab in region.aanbieders:
                graph.add_node(ab.org_id, kind="aanbieder", name=ab.name, region=region.name)
                for g in region.gemeenten:
                    graph.add_edge(g.org_id, ab.org_id, contract=True,
                                   trust=region.trust.trust(g.org_id, ab.org_id))
            for i, x in enumerate(region.aanbieders):
                for y in region.aanbieders[i + 1:]:
                    graph.add_edge(x.org_id, y.org_id, contract=False, trust=region.trust.trust(x.org_id, y.org_id))
        return graph



class RegionCosts:
    """A region's weekly costs that the ``region_costs`` hooks add up (EUR per week): shared by its
    gemeenten by youth, except ``contracts``, which each gemeente pays itself unless the region
    has uniform agreements."""

    __slots__ = ("coordination", "contracts", "extra_capacity")

    def __init__(self) -> None:
        self.coordination = 0.0     # overlegtafels, the expertteam, the independent regisseur
        self.contracts = 0.0        # managing the contracts (per gemeente)
        self.extra_capacity = 0.0   # the premium on places contracted extra
