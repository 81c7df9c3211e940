"""The weekly calendar: events fire in order, and none is lost."""

from zorgnetwerk_sim.engine import Calendar


def _recorder():
    """A handler that records the subjects it is called with, and the list it records into."""
    seen = []

    def record(subject, epoch):
        seen.append(subject)

    return seen, record


def test_an_event_scheduled_for_a_week_that_already_fired_runs_next_week():
    cal = Calendar(horizon=10)
    seen = []
    cal.fire(3)
    cal.schedule(3, lambda subject, epoch: seen.append((subject, epoch)), "late", 1)
    cal.fire(4)
    assert seen == [("late", 1)]



def test_a_cancelled_event_does_not_fire_and_the_calendar_lets_go_of_its_subject():
    cal = Calendar(horizon=10)
    seen, record = _recorder()
    keep = cal.schedule(5, record, "keep")
    drop = cal.schedule(5, record, "drop")
    assert keep == (5, 0) and drop == (5, 3)
    cal.cancel(drop, "drop")
    assert "drop" not in cal._buckets[5]  # no reference left to the cancelled subject
    cal.fire(5)
    assert seen == ["keep"]


def test_cancel_leaves_fired_and_foreign_events_alone():
    cal = Calendar(horizon=10)
    seen, record = _recorder()
    fired = cal.schedule(2, record, "a")
    cal.fire(2)
    cal.cancel(fired, "a")  # already fired: nothing to do, no error
    other = cal.schedule(4, record, "b")
    cal.cancel(other, "not b")  # the key is not this subject's: left alone
    assert cal.schedule(11, record, "c") is None  # beyond the horizon: not stored, no key
    cal.fire(3)
    cal.fire(4)
    assert seen == ["a", "b"]


def test_an_event_can_cancel_a_later_event_of_the_same_week():
    cal = Calendar(horizon=10)
    seen, record = _recorder()
    keys = {}

    def first(subject, epoch):
        seen.append(subject)
        cal.cancel(keys["second"], "second")

    cal.schedule(6, first, "first")
    keys["second"] = cal.schedule(6, record, "second")
    cal.fire(6)
    assert seen == ["first"]
