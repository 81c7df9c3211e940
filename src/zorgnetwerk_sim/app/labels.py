"""The app's Dutch words: KPI names and units, control labels and explanations, scenario names.

Everything a policy maker reads lives here, so the pages hold layout only. Units, ranges and
sources of the controls come from the schema (:func:`zorgnetwerk_sim.scenario.parameter_table`);
this module adds the Dutch label and a plain explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .format import decimals_for, eur_decimals, eur_unit, nl_eur, nl_number, nl_percent


# ---------------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kpi:
    """A headline KPI as the app shows it."""

    key: str  # summary key of a run (metrics.summarize)
    label: str  # short heading
    noun: str  # as used in a sentence: 'de gemiddelde wachttijd'
    unit: str  # after a number: 'weken'; '' for euros and shares (the formatter adds € or %)
    kind: str  # 'count', 'weeks', 'eur', 'share', 'index'
    down: str  # verb when the option lowers it: 'verkort'
    up: str  # verb when it raises it: 'verlengt'
    lower_is_better: bool | None = True
    #: for euros: the unit every amount of this KPI is written in ('mln': a difference of € 0,76 mln
    #: beside a mean of € 191,2 mln, never '€ 761.485'); None: each amount picks its own.
    eur_unit: str | None = None

    def decimals(self, *values: float | None) -> int:
        """Decimals that suit the largest of ``values`` as this KPI writes them (a value and its interval)."""
        if self.kind == "share":
            return 1
        if self.kind == "eur":
            finite = [abs(v) for v in values if v is not None and v == v and abs(v) != float("inf")]
            largest = max(finite, default=0.0)
            return eur_decimals(largest, self.eur_unit or eur_unit(largest))
        return decimals_for(*values)

    def fmt(self, value: float | None, decimals: int | None = None, signed: bool = False) -> str:
        """The value with its unit, in Dutch notation (for euros ``decimals`` count in :attr:`eur_unit`)."""
        if self.kind == "eur":
            return nl_eur(value, signed, self.eur_unit, decimals)
        if self.kind == "share":
            return nl_percent(value, 0 if decimals is None else decimals, signed)
        text = nl_number(value, decimals, signed)
        return f"{text} {self.unit}".rstrip() if text != "–" else text

    def fmt_plain(self, value: float | None, decimals: int | None = None) -> str:
        """The number without its unit word (an interval after a formatted value); euros keep their €."""
        if self.kind == "eur":
            return nl_eur(value, unit=self.eur_unit, decimals=decimals)
        if self.kind == "share":
            return nl_percent(value, 0 if decimals is None else decimals)
        return nl_number(value, decimals)


KPIS: dict[str, Kpi] = {k.key: k for k in (
    Kpi("waitlist_mean", "Wachtlijst", "de wachtlijst", "jongeren", "count", "verkort", "verlengt"),
    Kpi("wait_weeks_mean", "Gemiddelde wachttijd", "de gemiddelde wachttijd", "weken", "weeks", "verkort",
        "verlengt"),
    Kpi("placements_per_year", "Uithuisplaatsingen per jaar", "het aantal uithuisplaatsingen", "per jaar",
        "count", "verlaagt", "verhoogt"),
    Kpi("crisis_per_year", "Crisisopnames per jaar", "het aantal crisisopnames", "per jaar", "count",
        "verlaagt", "verhoogt"),
    Kpi("cost_per_year_eur", "Kosten per jaar", "de kosten per jaar", "", "eur", "verlaagt", "verhoogt",
        eur_unit="mln"),  # a region's costs: always in mln, as the charts ("mln euro")
    Kpi("cost_vs_budget", "Kosten t.o.v. budget", "de kosten ten opzichte van het budget", "", "share",
        "verlaagt", "verhoogt"),
    Kpi("trust_mean", "Vertrouwen (0–1)", "het gemiddelde vertrouwen tussen organisaties", "", "index",
        "verlaagt", "verhoogt", lower_is_better=False),
)}

#: The KPIs of a comparison, in the order of the page.
COMPARE_KPIS = ("waitlist_mean", "wait_weeks_mean", "placements_per_year", "crisis_per_year",
                "cost_per_year_eur", "trust_mean")

#: Weekly series of a comparison (experiment presets or sums of weekly columns) with their heading.
COMPARE_SERIES: dict[str, str] = {
    "wachtlijst": "Wachtlijst (jongeren)",
    "uithuisplaatsingen": "Uithuisplaatsingen per jaar",
    "crisis": "Crisisopnames per jaar",
    "kosten": "Kosten per jaar (mln euro)",
}


# ---------------------------------------------------------------------------------------------
# Controls: levers and uncertainties
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ControlText:
    label: str
    meaning: str
    group: str
    options: dict[str, str] | None = None  # value → Dutch label (for a choice)


LEVER_GROUPS = ("Samenwerking en regie", "Expertteam", "Vertrouwen", "Preventie", "Inkoop en solidariteit")
UNCERTAINTY_GROUP = "Wat de regio niet weet"

CONTROLS: dict[str, ControlText] = {
    "levers.coordination.collaboration_form": ControlText(
        "Samenwerkingsvorm", "Een pakket instellingen voor de hele samenwerking (de vier samenwerkingsvormen uit de "
        "whitepaper Samenwerken in de Jeugdzorg, OchtendMensen). Losse instellingen "
        "hieronder gaan vóór het pakket.", "Samenwerking en regie",
        {"": "geen (losse instellingen)", "verkennend": "verkennend", "transactioneel": "transactioneel",
         "ondernemend": "ondernemend", "functioneel": "functioneel"}),
    "levers.coordination.queue": ControlText(
        "Wachtlijst", "Houdt elke aanbieder een eigen wachtlijst bij, of is er één regionale wachtlijst per "
        "zorgsoort?", "Samenwerking en regie",
        {"per_aanbieder": "per aanbieder", "central": "centraal (één lijst per zorgsoort)"}),
    "levers.coordination.allocation": ControlText(
        "Toewijzing", "Wijst de toegang de jongere toe aan een aanbieder (push), of kiezen aanbieders zelf "
        "jongeren van de lijst (pull)?", "Samenwerking en regie",
        {"push": "toegang wijst toe (push)", "pull": "aanbieders kiezen (pull)"}),
    "levers.coordination.urgency_priority": ControlText(
        "Urgentie gaat voor", "Ernstige (urgente) casussen worden eerder geholpen dan andere.",
        "Samenwerking en regie"),
    "levers.coordination.regie_strength": ControlText(
        "Sterkte van de regie", "Hoe sterk de gemeente regie voert: geïnformeerd toewijzen, centraal matchen.",
        "Samenwerking en regie"),
    "levers.coordination.role_clarity": ControlText(
        "Duidelijkheid van rollen", "Hoe duidelijk rollen en verantwoordelijkheden zijn (wie doet wat).",
        "Samenwerking en regie"),
    "levers.coordination.overlegtafels": ControlText(
        "Overlegtafels", "Aantal afzonderlijke overlegtafels waar professionals aan deelnemen; elke tafel kost "
        "uren.", "Samenwerking en regie"),
    "levers.coordination.independent_regisseur": ControlText(
        "Onafhankelijke regisseur", "Een onafhankelijke regisseur of procesbegeleider voor de regio.",
        "Samenwerking en regie"),
    "levers.coordination.joint_kpis": ControlText(
        "Gezamenlijke doelen", "Aanbieders zijn samen verantwoordelijk voor de regionale wachtlijst "
        "(gezamenlijke doelen en KPI's).", "Samenwerking en regie"),
    "levers.coordination.no_wrong_door": ControlText(
        "Geen verkeerde deur", "Een organisatie die niet kan helpen, geeft de casus zelf door.",
        "Samenwerking en regie"),
    "levers.coordination.uniform_agreements": ControlText(
        "Eén set afspraken", "Eén set afspraken voor de hele regio in plaats van één per gemeente.",
        "Samenwerking en regie"),
    "levers.coordination.referrer_involvement": ControlText(
        "Betrokkenheid verwijzer", "Hoe sterk de verwijzer betrokken blijft bij de casus.", "Samenwerking en regie"),
    "levers.coordination.escalation_route": ControlText(
        "Escalatieroute", "Een route naar het hogere management om vastgelopen casussen los te trekken.",
        "Expertteam"),
    "levers.coordination.expertteam_triage": ControlText(
        "Welke casussen naar het expertteam", "Bespreekt het expertteam elke complexe casus, of alleen casussen "
        "die maatwerk nodig hebben?", "Expertteam",
        {"all_complex": "alle complexe casussen", "maatwerk_only": "alleen maatwerk"}),
    "levers.coordination.expertteam_handling": ControlText(
        "Rol van het expertteam", "Adviseert het expertteam alleen, of neemt het de casus over en volgt het die?",
        "Expertteam", {"advice": "adviseert", "takeover": "neemt over"}),
    "levers.coordination.expertteam_hours_per_100k_youth": ControlText(
        "Uren expertteam", "Uren van de gedelegeerden per week, per 100.000 jongeren tot 23 jaar.", "Expertteam"),
    "levers.coordination.expertteam_meeting_interval_weeks": ControlText(
        "Weken tussen overleggen", "Aantal weken tussen twee overleggen van het expertteam.", "Expertteam"),
    "levers.trust.informal_contacts_per_year": ControlText(
        "Informele contactmomenten", "Informele contactmomenten per jaar per paar organisaties; die bouwen "
        "vertrouwen op.", "Vertrouwen"),
    "levers.trust.cost_per_contact_eur": ControlText(
        "Kosten per contactmoment", "Wat één informeel contactmoment een organisatie kost.", "Vertrouwen"),
    "levers.prevention.budget_share": ControlText(
        "Preventiebudget", "Deel van het zorgbudget dat naar preventie gaat (werkt pas na ongeveer twee jaar).",
        "Preventie"),
    "levers.coordination.solidarity_pooling": ControlText(
        "Solidariteit", "Dure trajecten worden betaald uit een regionale pot in plaats van door de gemeente "
        "zelf.", "Inkoop en solidariteit"),
    "levers.coordination.pooling_min_tariff_eur_per_week": ControlText(
        "Grens voor de pot", "Zorg met minstens dit weektarief gaat naar de regionale pot.",
        "Inkoop en solidariteit"),
    "levers.coordination.budget_ceiling": ControlText(
        "Budgetplafond", "Een regio die meer uitgeeft dan haar budget, koopt geen extra plaatsen in (geen "
        "overschrijding toegestaan).", "Inkoop en solidariteit"),
    "levers.coordination.accepted_wait_weeks": ControlText(
        "Aanvaarde wachttijd", "Boven deze verwachte wachttijd koopt de regio extra plaatsen in, voor zover "
        "geld en arbeidsmarkt dat toelaten.", "Inkoop en solidariteit"),
    "levers.coordination.procurement_cycle_years": ControlText(
        "Jaren tussen aanbestedingen", "Om de hoeveel jaar contracten opnieuw worden aanbesteed.",
        "Inkoop en solidariteit"),
    "levers.coordination.procurement_churn_share": ControlText(
        "Wisseling bij aanbesteding", "Deel van de contracten dat bij een aanbesteding verandert.",
        "Inkoop en solidariteit"),
    "levers.coordination.power_exponent": ControlText(
        "Gewicht grote gemeenten", "Hoe zwaar een gemeente weegt in regionale keuzes (naar inwonertal; 0 = elke "
        "gemeente even zwaar).", "Inkoop en solidariteit"),
    "uncertainties.demand_growth_per_year": ControlText(
        "Groei van de vraag", "Groei van het aantal nieuwe hulpvragen per jaar.", UNCERTAINTY_GROUP),
    "uncertainties.staff_availability": ControlText(
        "Beschikbaarheid personeel", "Vermenigvuldiger op de capaciteit van aanbieders (kleiner dan 1 = "
        "personeelstekort).", UNCERTAINTY_GROUP),
    "uncertainties.incidence_multiplier": ControlText(
        "Omvang van de vraag", "Vermenigvuldiger op alle nieuwe hulpvragen.", UNCERTAINTY_GROUP),
    "uncertainties.maatwerk_share": ControlText(
        "Deel maatwerk", "Deel van de complexe casussen dat maatwerk nodig heeft (8 van de 10 casussen bij Team "
        "Toegang Friesland, RUG 2021).",
        UNCERTAINTY_GROUP),
    "uncertainties.tariff_inflation_per_year": ControlText(
        "Tariefstijging", "Stijging van de tarieven per jaar.", UNCERTAINTY_GROUP),
    "uncertainties.labour_market_headroom": ControlText(
        "Ruimte op de arbeidsmarkt", "Hoeveel plaatsen er binnen een jaar bij kunnen komen als de wachttijden te "
        "lang worden.", UNCERTAINTY_GROUP),
    "uncertainties.extra_place_premium": ControlText(
        "Meerprijs extra plaatsen", "Hoeveel duurder extra ingekochte plaatsen zijn dan het gewone tarief "
        "(spotcontracten, zorg buiten de regio, inhuur).", UNCERTAINTY_GROUP),
    "uncertainties.accepted_overspend_share": ControlText(
        "Aanvaarde budgetoverschrijding", "Hoeveel gemeenten boven hun jeugdbudget uitgeven voordat de regio "
        "stopt met extra plaatsen inkopen.", UNCERTAINTY_GROUP),
    "uncertainties.budget_growth_per_year": ControlText(
        "Groei van het jeugdbudget", "Reële groei van de jeugdbudgetten per jaar, bovenop de prijsstijging.",
        UNCERTAINTY_GROUP),
    "uncertainties.admin_share_per_contract": ControlText(
        "Administratie per contract", "Capaciteit die verloren gaat aan administratie voor elke extra set "
        "afspraken.", UNCERTAINTY_GROUP),
    "uncertainties.capacity_loss_per_overlegtafel": ControlText(
        "Tijdverlies per overlegtafel", "Tijd van professionals die per afzonderlijke overlegtafel verloren gaat.",
        UNCERTAINTY_GROUP),
    "uncertainties.alternative_route_max_share": ControlText(
        "Alternatieve route", "Bij wachttijden van twee keer de norm blijft dit deel van de verwijzingen naar "
        "lichte ambulante hulp bij het wijkteam.", UNCERTAINTY_GROUP),
}

#: Units of the schema in Dutch.
UNITS: dict[str, str] = {
    "share": "aandeel (0–1)",
    "count per region": "aantal per regio",
    "hours/week per 100,000 youth < 23": "uur/week per 100.000 jongeren",
    "weeks": "weken",
    "years": "jaar",
    "EUR/week": "euro per week",
    "share of contracts": "aandeel van de contracten",
    "exponent": "exponent",
    "contacts/year per pair": "per jaar per paar",
    "EUR per organisation per contact": "euro per organisatie per contact",
    "share of care budget": "aandeel van het zorgbudget",
    "share/year": "aandeel per jaar",
    "multiplier": "vermenigvuldiger",
    "share of complex cases": "aandeel van de complexe casussen",
    "share of places per year": "aandeel van de plaatsen per jaar",
    "share of capacity per extra contract": "aandeel van de capaciteit per extra contract",
    "share of capacity per table": "aandeel van de capaciteit per tafel",
    "share of budget": "aandeel van het budget",
    "share of the regular tariff": "aandeel van het gewone tarief",
    "share of referrals": "aandeel van de verwijzingen",
    "bool": "ja/nee",
    "choice": "keuze",
    "preset": "pakket",
}


# ---------------------------------------------------------------------------------------------
# Sources of the controls
# ---------------------------------------------------------------------------------------------
#: The schema cites sources by their key in docs/sources.md ("[RUG 2021]"); the app shows a
#: readable Dutch reference instead: what it is, then who and when.
SOURCES_NL: dict[str, str] = {
    "Verbeta 2024": "Samenwerking in de jeugdzorg in Zuidoost-Brabant (Verbeta, 2024)",
    "Zorg&Sociaalweb 2022": "Regionale samenwerking in de jeugdzorg als panacee? (Zorg&Sociaalweb, 2022)",
    "Q-Consult n.d.": "Lokale en regionale samenwerking voor tijdige hulp aan kinderen (Q-Consult Zorg, z.j.)",
    "RUG 2021": "Team Toegang Friesland (RUG, 2021)",
    "OchtendMensen n.d.": "Samenwerken in de Jeugdzorg (whitepaper, OchtendMensen, z.j.)",
    "Giesen et al.": "Wachtrijen in de jeugdzorg, een agent-based analyse (Giesen, Ketter & Zuidwijk)",
    "Jøsang & Ismail 2002": "Vertrouwen als reputatie (Jøsang & Ismail, 2002)",
    "Slovic 1993": "Vertrouwen breekt sneller af dan het groeit (Slovic, 1993)",
    "Sterman 1989": "Terugkoppeling verkeerd inschatten (Sterman, 1989)",
    "Sterman 2000": "Capaciteit bijsturen met vertraging (Sterman, 2000)",
    "Homer & Hirsch 2006": "Preventie werkt met vertraging (Homer & Hirsch, 2006)",
    "Milstein et al. 2011": "Preventie kost nu en levert later op (Milstein e.a., 2011)",
    "CBS Jeugdmonitor 2024": "Jeugdmonitor 2024 (CBS, 2024)",
    "CBS StatLine 03759NED": "Bevolking op 1 januari (CBS StatLine, tabel 03759NED)",
    "Jeugdautoriteit 2023": "De Stand van de Jeugdzorg 2023 (Jeugdautoriteit, 2023)",
    "Jeugdautoriteit 2024": "De Stand van de Jeugdzorg 2024 (Jeugdautoriteit, 2024)",
    "Binnenlands Bestuur AZW n.d.": "Administratieve druk in jeugdzorg het hoogst (Binnenlands Bestuur, "
                                    "over de CBS-werknemersenquête zorg en welzijn)",
}

#: The English wording of the schema's sources that a control can show, in Dutch.
SOURCE_PHRASES_NL: dict[str, str] = {
    "stylised assumption, documented in docs/model.md": "aanname van het model, toegelicht in docs/model.md",
    "staff shortage in jeugdzorg": "personeelstekort in de jeugdzorg",
    "regeldruk in jeugdhulp": "regeldruk in de jeugdhulp",
    "CBS national figures: jeugdzorg counts youth < 23": "CBS: de jeugdzorg telt jongeren tot 23 jaar",
    "+3.3%/yr before 2020, +1.5% 2021, ~+1% 2022-23": "+3,3% per jaar vóór 2020, +1,5% in 2021, ongeveer +1% in "
                                                      "2022-2023",
    "budgetplafonds in regional contracts": "budgetplafonds in regionale contracten",
    "Treeknorm / regional wait norms (9 weeks); what a region accepts is its choice":
        "Treeknorm en regionale wachttijdnormen (9 weken); wat een regio aanvaardt, kiest zij zelf",
    "Jeugdautoriteit, De Stand van de Jeugdzorg 2024 h.4 (87 of 109 gemeenten spend more than budgeted); ~8% over "
    "the Rijk budget in 2023, AEF 2020: €1.6-1.8 bn short a year (~30%)":
        "De Stand van de Jeugdzorg 2024 (Jeugdautoriteit, 2024), hoofdstuk 4: 87 van 109 gemeenten geven meer uit "
        "dan begroot; in 2023 ongeveer 8% boven het budget van het Rijk; AEF 2020: jaarlijks € 1,6 tot 1,8 mld "
        "tekort (ongeveer 30%)",
}

# A key, an optional chapter ("h.11") and an optional English gloss in brackets ("(Team Toegang ...)").
_SOURCE_KEY = re.compile(r"\[([^\[\]]+)\]( h\.(\d+))?(?: \([^()]*\))?")


def source_nl(source: str) -> str:
    """The schema's source text as a Dutch reader should see it: each docs/sources.md key becomes a
    readable reference ('[RUG 2021] (Team Toegang Friesland factsheet)' → 'Team Toegang Friesland
    (RUG, 2021)'), known English phrases become Dutch; a key without a Dutch reference stays as it is."""
    def reference(m: re.Match[str]) -> str:
        nl = SOURCES_NL.get(m.group(1))
        if nl is None:
            return m.group(0)
        return nl + (f", hoofdstuk {m.group(3)}" if m.group(3) else "")

    text = _SOURCE_KEY.sub(reference, source)
    for english, dutch in SOURCE_PHRASES_NL.items():
        text = text.replace(english, dutch)
    return text


def unit_nl(unit: str | None) -> str:
    return UNITS.get(unit or "", unit or "")


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------
#: Shipped scenarios in plain Dutch: name → (title, what it is).
SCENARIOS: dict[str, tuple[str, str]] = {
    "default": ("Zuidoost-Brabant", "Twee inkoopregio's, 21 gemeenten (gestileerd), huidig beleid"),
    "klas": ("Klasregio", "Eén kleine regio met 5 gemeenten; rekent in een paar seconden"),
    "nederland": ("Nederland", "Alle 342 gemeenten in 42 jeugdregio's; rekent enkele minuten per run"),
    "centrale-wachtlijst": ("Centrale wachtlijst", "Eén regionale wachtlijst per zorgsoort, de toegang wijst toe"),
    "functioneel": ("Functionele samenwerking", "Een gezamenlijke uitvoeringsorganisatie (pakket 'functioneel')"),
    "ondernemend": ("Ondernemende samenwerking", "Gezamenlijke doelen, solidariteit en vertrouwen (pakket "
                    "'ondernemend')"),
    "preventie-5pct": ("Preventie 5%", "5% van het zorgbudget naar preventie (effect na ongeveer twee jaar)"),
    "vertrouwen": ("Investeren in vertrouwen", "Maandelijks informeel contact en duidelijkere rollen"),
}

BASELINE_OPTION = "Huidig beleid"


def scenario_title(name: str) -> str:
    return SCENARIOS.get(name, (name, ""))[0]


def scenario_blurb(name: str, fallback: str = "") -> str:
    return SCENARIOS.get(name, ("", fallback))[1]

