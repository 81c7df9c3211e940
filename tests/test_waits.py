"""Waits keep one calendar event (the earliest deadline) and leave nothing behind when they end."""

from zorgnetwerk_sim.agents import Jongere
from zorgnetwerk_sim.agents.jongere import DONE, SIGNALLED
from zorgnetwerk_sim.engine import gc_paused
from zorgnetwerk_sim.model import ZorgnetwerkModel
from zorgnetwerk_sim.pathway import NEVER, on_wait_deadline
from zorgnetwerk_sim.scenario import load_scenario


def _model(**overrides) -> ZorgnetwerkModel:
    return ZorgnetwerkModel(load_scenario("klas", {"run.warmup_years": 0, **overrides}, seed=11, years=3))


def _pending(model: ZorgnetwerkModel):
    """(handler, subject) of every event still in the calendar."""
    for bucket in model.calendar._buckets[model.week:]:
        for i in range(0, len(bucket), 3):
            yield bucket[i], bucket[i + 1]


def test_every_waiting_jongere_has_exactly_one_wait_event_and_no_finished_one_is_held():
    model = _model()
    with gc_paused():
        for _ in range(60):
            model.step()
    waits = {}
    for handler, subject in _pending(model):
        if isinstance(subject, Jongere):
            assert subject.state != DONE, "the calendar holds a finished trajectory"
            if handler is on_wait_deadline:
                waits[subject] = waits.get(subject, 0) + 1
    waiting = [j for j in model.agents_by_type[Jongere] if j.wait_since >= 0]
    assert waiting
    assert all(n == 1 for n in waits.values())
    # each running wait has its event, unless all its deadlines lie beyond the run
    horizon = model.calendar.horizon
    for j in waiting:
        earliest = min(j.escalation_week, j.age_out_week, j.withdrawal_week)
        assert waits.get(j, 0) == (1 if earliest <= horizon else 0)


def test_a_wait_ends_at_the_age_limit():
    # A toegang with hardly any capacity and a queue ahead: the jongere is still waiting for its
    # assessment when it reaches the age limit, and the wait ends there.
    model = _model(**{"assumptions.assessments_per_1000_youth_per_week": 0.05, "run.event_log": True,
                      "mechanisms.withdrawal": False, "mechanisms.waiting_hurts": False})
    g = model.gemeenten[0]
    for _ in range(20):
        model.pathway.new_need(g, model.week - 10 * 52, 1, model.week)  # born ten years ago
    max_age = model.spec.assumptions.max_age_years
    j = model.pathway.new_need(g, model.week - int((max_age - 0.1) * 52), 1, model.week)  # five weeks below the limit
    assert j.state == SIGNALLED and j.escalation_week == NEVER and j.withdrawal_week == NEVER
    assert j.wait_event is not None and j.wait_event[0] == j.age_out_week
    for _ in range(10):
        model.step()
    assert j.state == DONE
    assert j.care == -1  # never assessed: it left from the toegang queue
    events = model.event_log.table().to_pandas()
    ends = events[(events["trajectory_id"] == j.unique_id) & (events["activity"] == "leeftijdsgrens")]
    assert ends["week"].tolist() == [j.age_out_week]
