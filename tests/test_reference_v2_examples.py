"""Hand-written examples of the v2 reference (tests/reference_v2.py), from the SPEC text."""

from __future__ import annotations

from typing import Any

from reference_v2 import ref_answer, ref_check

NOW = "2026-11-30T12:00:00Z"


def starts(answer: dict[str, Any]) -> list[str]:
    return [s["start"] for d in answer["days"] for s in d["slots"]]


def one(weekly: dict[str, list[list[str]]], event: dict[str, Any], query: dict[str, Any],
        busy: list[dict[str, Any]] | None = None, zone: str = "America/New_York",
        **schedule: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"schedule": {"timezone": zone, "weekly": weekly, **schedule},
                           "event": event, "query": {"now": NOW, **query}}
    if busy:
        doc["busy"] = busy
    return doc


def test_overnight_hours_make_one_window() -> None:
    """§2: fri 22:00–24:00 and sat 00:00–02:00 make one window in which 23:30 + 60 min fits."""
    doc = one({"fri": [["22:00", "24:00"]], "sat": [["00:00", "02:00"]]},
              {"duration": 60, "step": 30}, {"start": "2026-12-11", "end": "2026-12-12"})
    assert "2026-12-11T23:30:00-05:00" in starts(ref_answer(doc))
    assert len(starts(ref_answer(doc))) == 7


def test_busy_entry_buffers_add_to_the_event_buffers() -> None:
    """§2: a booking 09:00–09:30 with buffer_after 10 keeps a 30-minute slot with
    buffer_before 5 from starting before 09:45."""
    doc = one({"mon": [["09:00", "11:00"]]}, {"duration": 30, "step": 5, "buffer_before": 5},
              {"start": "2026-12-07", "end": "2026-12-07"},
              [{"start": "2026-12-07T14:00:00Z", "end": "2026-12-07T14:30:00Z",
                "buffer_after": 10}])
    assert starts(ref_answer(doc))[0] == "2026-12-07T09:45:00-05:00"
    check = ref_check(doc, "2026-12-07T14:40:00Z")
    assert (check["reason"], check["next_available"]) == ("busy", "2026-12-07T09:45:00-05:00")


def test_team_grid_two_hosts_meet_on_the_half_hour() -> None:
    """§7: hosts 09:00–17:00 and 09:30–17:00 meet on 09:30, 10:30, … with a 60-minute step;
    with "grid": "host" they never meet."""
    hosts = [{"id": "a", "schedule": {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}},
             {"id": "b", "schedule": {"timezone": "UTC", "weekly": {"mon": [["09:30", "17:00"]]}}}]
    doc: dict[str, Any] = {"hosts": hosts, "event": {"duration": 60},
                           "query": {"now": NOW, "start": "2026-12-07", "end": "2026-12-07"}}
    got = starts(ref_answer(doc))
    assert got[:2] == ["2026-12-07T09:30:00+00:00", "2026-12-07T10:30:00+00:00"]
    assert len(got) == 7
    doc["team"] = {"mode": "all", "grid": "host"}
    assert starts(ref_answer(doc)) == []


def test_one_period_for_a_free_window() -> None:
    """§4: a window 09:00–10:00 with nothing booked and duration 30 is one period 09:00–10:00."""
    doc = one({"mon": [["09:00", "10:00"]]}, {"duration": 30},
              {"start": "2026-12-07", "end": "2026-12-07", "output": "periods"})
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T09:00:00-05:00", "end": "2026-12-07T10:00:00-05:00"}]


def test_period_of_a_single_feasible_start() -> None:
    """A window exactly one duration long: the only feasible start makes one period."""
    doc = one({"mon": [["09:00", "10:00"]]}, {"duration": 60},
              {"start": "2026-12-07", "end": "2026-12-07", "output": "periods"})
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T09:00:00-05:00", "end": "2026-12-07T10:00:00-05:00"}]


def test_period_cut_by_a_horizon_midnight_ends_a_duration_later() -> None:
    """§4: a run that a horizon ends at midnight M has b = M, so it ends at M + duration."""
    doc = one({"mon": [["22:00", "24:00"]], "tue": [["00:00", "02:00"]]},
              {"duration": 30, "horizon_days": 1},
              {"start": "2026-12-07", "end": "2026-12-08", "output": "periods"})
    doc["query"]["now"] = "2026-12-07T12:00:00Z"
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T22:00:00-05:00", "end": "2026-12-08T00:30:00-05:00"}]


def test_period_cut_by_a_full_day() -> None:
    """max_per_day 1 with a booking on Tuesday: Monday's run ends at Tuesday's midnight."""
    doc = one({"mon": [["22:00", "24:00"]], "tue": [["00:00", "02:00"]]},
              {"duration": 30, "max_per_day": 1},
              {"start": "2026-12-07", "end": "2026-12-08", "output": "periods"},
              [{"start": "2026-12-08T20:00:00Z", "end": "2026-12-08T20:30:00Z", "seats": 1}])
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T22:00:00-05:00", "end": "2026-12-08T00:30:00-05:00"}]


def test_period_range_end_cuts_the_run() -> None:
    """An instant range ending at 09:30 keeps starts before 09:30: the period ends at 10:00."""
    doc = one({"mon": [["09:00", "12:00"]]}, {"duration": 30},
              {"start": "2026-12-07T14:00:00Z", "end": "2026-12-07T14:30:00Z",
               "output": "periods"})
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T09:00:00-05:00", "end": "2026-12-07T10:00:00-05:00"}]


def test_check_lists_repeat_conflicts_whatever_the_reason() -> None:
    """§4: conflicts are listed even when an earlier reason applies."""
    doc = one({"mon": [["09:00", "12:00"]]},
              {"duration": 60, "repeat": {"interval_days": 7, "count": 3}}, {},
              [{"start": "2026-12-07T14:00:00Z", "end": "2026-12-07T15:00:00Z"},
               {"start": "2026-12-21T14:00:00Z", "end": "2026-12-21T15:00:00Z"}])
    got = ref_check(doc, "2026-12-07T14:00:00Z")
    assert got["reason"] == "busy"
    assert got["conflicts"] == ["2026-12-21T09:00:00-05:00"]


def test_repeat_reads_the_wall_time_across_dst() -> None:
    """Rule 7: a weekly 09:00 booking on 26 October stays at 09:00 after the clocks change."""
    doc = one({"mon": [["09:00", "10:00"]]},
              {"duration": 60, "repeat": {"interval_days": 7, "count": 2}},
              {"start": "2026-10-26", "end": "2026-10-26"},
              [{"start": "2026-11-02T13:00:00Z", "end": "2026-11-02T14:00:00Z"}])
    doc["query"]["now"] = "2026-10-01T00:00:00Z"
    # 09:00 EST on 2 November is 14:00Z: the busy hour 13:00–14:00Z does not touch it
    assert starts(ref_answer(doc)) == ["2026-10-26T09:00:00-04:00"]
    doc["busy"][0]["end"] = "2026-11-02T14:01:00Z"
    assert starts(ref_answer(doc)) == []


def test_business_day_horizon_counts_closed_dates() -> None:
    """§2: business days go by weekday; a date closed by an override still counts."""
    doc = one({d: [["09:00", "10:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
              {"duration": 60, "horizon_business_days": 2},
              {"start": "2026-12-07", "end": "2026-12-11"},
              overrides=[{"date": "2026-12-08", "intervals": []}])
    doc["query"]["now"] = "2026-12-07T12:00:00Z"
    assert starts(ref_answer(doc)) == ["2026-12-07T09:00:00-05:00"]


def test_travel_zone_does_not_move_the_limit_dates() -> None:
    """§2 zones: only the reading of hours changes; max_per_day still counts home dates."""
    doc = one({"tue": [["01:00", "03:00"]]}, {"duration": 60, "max_per_day": 1},
              {"start": "2026-12-07", "end": "2026-12-08"},
              [{"start": "2026-12-08T00:00:00Z", "end": "2026-12-08T00:30:00Z", "seats": 1}],
              zones=[{"from": "2026-12-08", "until": "2026-12-08", "timezone": "Asia/Tokyo"}])
    # Tokyo 01:00–03:00 on the 8th is 11:00–13:00 New York on the 7th; the booking is on the
    # 7th in New York (19:00), so the day is full
    assert starts(ref_answer(doc)) == []
    doc["busy"][0]["seats"] = None
    del doc["busy"][0]["seats"]
    doc["busy"][0]["start"], doc["busy"][0]["end"] = "2026-12-06T00:00:00Z", "2026-12-06T00:01:00Z"
    assert starts(ref_answer(doc)) == ["2026-12-07T11:00:00-05:00", "2026-12-07T12:00:00-05:00"]


def _team(hosts: list[tuple[str, list[list[str]], list[dict[str, Any]]]], team: dict[str, Any],
          event: dict[str, Any], **query: Any) -> dict[str, Any]:
    return {"hosts": [{"id": i, "schedule": {"timezone": "UTC", "weekly": {"mon": hours}},
                       "busy": busy} for i, hours, busy in hosts],
            "team": team, "event": event,
            "query": {"now": NOW, "timezone": "UTC", "start": "2026-12-07",
                      "end": "2026-12-07", **query}}


def test_team_check_reason_hosts_and_conflicts() -> None:
    """§4 team check: not bookable, the first reason of a host that is not free, every free
    host listed, and the union of the hosts' conflicts."""
    busy_a = [{"start": "2026-12-14T10:00:00Z", "end": "2026-12-14T11:00:00Z"}]
    busy_b = [{"start": "2026-12-07T10:00:00Z", "end": "2026-12-07T11:00:00Z"},
              {"start": "2026-12-21T10:00:00Z", "end": "2026-12-21T11:00:00Z"}]
    doc = _team([("a", [["09:00", "12:00"]], busy_a), ("b", [["09:00", "12:00"]], busy_b),
                 ("c", [["09:00", "12:00"]], [])], {"require": {"all": ["a", "b", "c"]}},
                {"duration": 60, "repeat": {"interval_days": 7, "count": 3}})
    got = ref_check(doc, "2026-12-07T10:00:00Z")
    assert got == {"bookable": False, "reason": "busy", "remaining": 0,
                   "next_available": "2026-12-07T11:00:00+00:00",
                   "hosts": ["c"],
                   "conflicts": ["2026-12-14T10:00:00+00:00", "2026-12-21T10:00:00+00:00"]}


def test_team_periods_free_stretches_and_listed_hosts() -> None:
    """§4 team periods with align free: each host's own free stretches bound its starts; the
    period lists every host listed at some start of it."""
    doc = _team([("a", [["09:00", "12:00"]], [{"start": "2026-12-07T10:00:00Z",
                                               "end": "2026-12-07T10:30:00Z"}]),
                 ("b", [["09:30", "11:00"]], [])], {"mode": "any"},
                {"duration": 30, "align": "free"}, output="periods")
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T09:00:00+00:00", "end": "2026-12-07T12:00:00+00:00",
         "hosts": ["a", "b"]}]
    doc["team"] = {"mode": "all"}
    assert ref_answer(doc)["periods"] == [
        {"start": "2026-12-07T09:30:00+00:00", "end": "2026-12-07T10:00:00+00:00",
         "hosts": ["a", "b"]},
        {"start": "2026-12-07T10:30:00+00:00", "end": "2026-12-07T11:00:00+00:00",
         "hosts": ["a", "b"]}]


def test_clock_grid_stays_home_on_travel_dates() -> None:
    """§2 zones: align clock keeps using the home zone: Kolkata hours (+05:30) on a travel
    date, a 60-minute clock grid in New York puts starts on New York's whole hours."""
    doc = one({"mon": [["09:00", "12:00"]]}, {"duration": 60, "align": "clock"},
              {"start": "2026-12-06", "end": "2026-12-07"},
              zones=[{"from": "2026-12-07", "until": "2026-12-07", "timezone": "Asia/Kolkata"}])
    # 09:00–12:00 in Kolkata is 22:30–01:30 New York: whole hours 23:00 and 00:00
    assert starts(ref_answer(doc)) == ["2026-12-06T23:00:00-05:00", "2026-12-07T00:00:00-05:00"]
