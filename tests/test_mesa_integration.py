"""Jongeren are Mesa agents: registered while their trajectory runs, with Mesa's signals intact.

The model registers trajectories without Mesa's signal wrapper when nobody listens (a speed
path, see ``ZorgnetwerkModel.register_agent``); these tests pin down that the registries, the
unique ids and the signals behave exactly as with plain Mesa, and that runs leave no cyclic
garbage (the garbage collector is paused during runs).
"""

import gc

import numpy as np
from mesa.model import ModelSignals

from zorgnetwerk_sim import Simulation
from zorgnetwerk_sim.agents import Gemeente, Jongere
from zorgnetwerk_sim.model import ZorgnetwerkModel
from zorgnetwerk_sim.scenario import load_scenario


def _model(weeks: int = 30, seed: int = 5) -> ZorgnetwerkModel:
    return ZorgnetwerkModel(load_scenario("klas", {"run.warmup_years": 0}, seed=seed, years=weeks / 52))


def _run(model: ZorgnetwerkModel) -> ZorgnetwerkModel:
    while model.running:
        model.step()
    return model


def test_active_trajectories_are_exactly_the_registered_jongeren():
    model = _run(_model())
    jongeren = list(model.agents_by_type[Jongere])
    assert model.n_left > 0  # trajectories did end, so deregistration was exercised
    assert len(jongeren) == model.n_entered - model.n_left
    assert len(model.agents) == len(jongeren) + sum(len(s) for t, s in model.agents_by_type.items() if t is not Jongere)
    assert all(j in model.agents for j in jongeren)
    ids = [a.unique_id for a in model.agents]
    assert len(set(ids)) == len(ids)
    # ids keep counting across removals: the newest trajectory has the highest id ever given
    assert max(ids) == model.agent_id_counter - 1 >= model.n_entered


def test_trajectories_keep_every_attribute_in_slots():
    # A Jongere attribute missing from __slots__ would silently cost an instance dict per
    # trajectory (memory and speed of national runs).
    model = _run(_model())
    jongeren = list(model.agents_by_type[Jongere])
    assert jongeren
    assert all(not vars(j) for j in jongeren)


def test_agent_signals_reach_subscribers_and_change_nothing():
    quiet = _run(_model())
    model = _model()
    added, removed = [], []

    def on_added(message):  # Mesa keeps weak references to handlers: these live in this frame
        added.append(message)

    def on_removed(message):
        removed.append(message)

    model.observe("agents", ModelSignals.AGENT_ADDED, on_added)
    model.observe("agents", ModelSignals.AGENT_REMOVED, on_removed)
    entered, left = model.n_entered, model.n_left
    _run(model)
    assert len(added) == model.n_entered - entered > 0
    assert len(removed) == model.n_left - left > 0
    assert all(isinstance(m.additional_kwargs["args"][0], Jongere) for m in added)
    np.testing.assert_equal(model.recorder.summary(), quiet.recorder.summary())  # NaN == NaN here


def test_a_removed_jongere_can_be_removed_again_harmlessly():
    model = _model()
    g = model.gemeenten[0]
    assert isinstance(g, Gemeente)
    j = Jongere(model, g, -520, 1, 0)
    assert j in model.agents
    j.remove()
    j.remove()  # as mesa.Agent.remove: no error
    assert j not in model.agents


def test_a_run_leaves_no_cyclic_garbage():
    # The collector is paused for whole runs (Simulation.run, run_model): safe only because
    # the model's objects form no reference cycles and are freed by reference counting.
    sim = Simulation("klas", seed=3, overrides={"run.years": 2})
    gc.collect()
    gc.disable()
    try:
        sim.step(sim.weeks)
        found = gc.collect()
    finally:
        gc.enable()
    assert sim.model.n_left > 1000
    assert found == 0


def test_the_collector_is_back_on_after_a_run():
    assert gc.isenabled()
    Simulation("klas", seed=1, overrides={"run.years": 0.2, "run.warmup_years": 0}).run()
    assert gc.isenabled()
    model = _model(weeks=6)
    model.run_model()
    assert gc.isenabled()


def test_mesa_debug_messages_appear_when_its_logger_is_at_debug():
    # The quick registration path skips Mesa's debug message only while nobody could see it.
    import logging

    from mesa.model import _mesa_logger

    messages = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Collect(level=logging.DEBUG)
    level = _mesa_logger.level
    _mesa_logger.addHandler(handler)
    _mesa_logger.setLevel(logging.DEBUG)
    try:
        model = _run(_model(weeks=6))
    finally:
        _mesa_logger.removeHandler(handler)
        _mesa_logger.setLevel(level)
    registered = [m for m in messages if m.startswith("registered Jongere")]
    deregistered = [m for m in messages if m.startswith("deregistered agent")]
    assert len(registered) == model.n_entered
    assert len(deregistered) == model.n_left > 0
    quiet = _run(_model(weeks=6))  # and logging changes nothing in the run
    np.testing.assert_equal(model.recorder.summary(), quiet.recorder.summary())


def test_a_mesa_whose_internals_are_unknown_gets_the_same_run_through_mesas_own_path(monkeypatch):
    # mesa_adapter registers jongeren directly when it knows Mesa's internals; without them
    # (another Mesa version) every agent goes through Mesa's Agent.__init__ and remove, and the
    # run must be the same: ids, registries and results.
    from zorgnetwerk_sim import mesa_adapter

    direct = _run(_model())
    monkeypatch.setattr(mesa_adapter, "_direct", False)
    slow = _run(_model())
    same = {k: v for k, v in direct.recorder.summary().items() if v == v}  # (NaN is not equal to itself)
    assert {k: v for k, v in slow.recorder.summary().items() if v == v} == same
    assert sorted(a.unique_id for a in slow.agents) == sorted(a.unique_id for a in direct.agents)
    assert len(slow.agents_by_type[Jongere]) == slow.jongeren_active
