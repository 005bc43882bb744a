"""Each source's own sync schedule, checked by one periodic 'which sources are due' pass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.catalog import SourceCatalogError
from bot.db.base import utcnow
from bot.sync_schedule import ScheduleError, claim_due_sources, describe_interval, parse_interval


@pytest.mark.parametrize(
    ("text", "minutes"), [("45", 45), ("30m", 30), ("90 min", 90), ("6h", 360), ("1d", 1440), ("off", None), ("Never", None)]
)
def test_intervals_are_read_in_minutes_hours_and_days(text, minutes):
    assert parse_interval(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "0m", "-5m", "5 weeks"])
def test_a_bad_interval_is_refused_with_what_to_write(text):
    with pytest.raises(ScheduleError, match="interval|at least one minute"):
        parse_interval(text)


def test_intervals_are_described_in_the_largest_whole_unit():
    assert [describe_interval(m) for m in (None, 45, 120, 2880)] == ["manual", "every 45m", "every 2h", "every 2d"]


@pytest.fixture
def pages(container, tmp_path):
    for name in ("hourly", "daily", "manual"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.md").write_text(f"# {name}\n\nText.\n")
    container.sources.add("hourly", "folder", str(tmp_path / "hourly"), every_minutes=60)
    container.sources.add("daily", "folder", str(tmp_path / "daily"), every_minutes=1440)
    container.sources.add("manual", "folder", str(tmp_path / "manual"))
    return container


def _due(container, now=None):
    return sorted(source.name for source in claim_due_sources(container.sessions, now))


def test_never_synced_scheduled_sources_are_due_and_queued_once(pages):
    assert _due(pages) == ["daily", "hourly"]
    assert _due(pages) == [], "queued a moment ago: not queued again while waiting for a worker"


def test_a_source_is_due_again_when_its_interval_has_passed_since_its_last_sync(pages):
    for name in ("hourly", "daily"):
        assert pages.sync_service.sync(name).status == "succeeded"
    now = utcnow()
    assert _due(pages, now) == []
    assert _due(pages, now + timedelta(minutes=61)) == ["hourly"]
    assert _due(pages, now + timedelta(minutes=61)) == []
    assert _due(pages, now + timedelta(days=1, minutes=1)) == ["daily", "hourly"]


def test_a_source_that_is_syncing_is_not_due(pages):
    hourly = pages.sources.get("hourly")
    pages.sync_service.leases.acquire(hourly.id, "manual")
    assert _due(pages, utcnow() + timedelta(hours=5)) == ["daily"]


def test_rescheduling_takes_effect_at_once_and_off_stops_it(pages):
    _due(pages)
    pages.sources.schedule("hourly", 5)
    assert _due(pages) == ["hourly"], "a new schedule forgets the old queue mark"
    pages.sources.schedule("hourly", None)
    assert _due(pages, utcnow() + timedelta(days=3)) == ["daily"]
    with pytest.raises(SourceCatalogError, match="no source named"):
        pages.sources.schedule("nope", 5)
