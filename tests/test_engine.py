"""The weekly calendar: events fire in order, and none is lost."""

from zorgnetwerk_sim.engine import Calendar


def test_an_event_scheduled_for_a_week_that_already_fired_runs_next_week():
    cal = Calendar(horizon=10)
    seen = []
    cal.fire(3)
    cal.schedule(3, lambda subject, epoch: seen.append((subject, epoch)), "late", 1)
    cal.fire(4)
    assert seen == [("late", 1)]

