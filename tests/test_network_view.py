"""The Netwerk page's picture of a running model (app/network.py): read from the model's state."""

from __future__ import annotations

from zorgnetwerk_sim import Simulation
from zorgnetwerk_sim.app.network import echarts_option, referral_counts, snapshot


def test_referrals_of_the_last_weeks_are_drawn_as_arrows_from_gemeente_to_aanbieder():
    sim = Simulation("klas", seed=2)
    before = referral_counts(sim.model)
    sim.step(8)
    after = referral_counts(sim.model)
    sent = {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}
    assert sent, "klas refers jongeren to aanbieders every week"
    snap = snapshot(sim.model, before)
    arrows = {(e.source, e.target): e.weight for e in snap.edges if e.kind == "verwijzing"}
    assert arrows == {(f"o{g}", f"o{a}"): float(n) for (g, a), n in sent.items()}
    # every referral counted is one that reached that aanbieder's own lists
    total = sum(ab.referrals_from.get(g.org_id, 0) for r in sim.model.regions for ab in r.aanbieders
                for g in r.gemeenten)
    assert total == sum(after.values())
    option = echarts_option(snap)
    links = option["series"][0]["links"]
    assert sum(1 for link in links if link.get("symbol") == ["none", "arrow"]) == len(arrows)
    # without a reference point (the page's first picture) there are no referral arrows
    assert not [e for e in snapshot(sim.model).edges if e.kind == "verwijzing"]
