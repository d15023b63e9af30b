"""Opening hours (kiosk/hours.py) and their configuration keys (kiosk/config.py).

Every expected value is written by hand from a calendar: 2026-12-07 is a Monday,
2026-12-11 a Friday, 2027-01-01 a Friday."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kiosk.config import ConfigValueError, KioskConfig, config_from_dict, load_config, set_config_value
from kiosk.hours import Hours, Span, parse_dates, parse_night, parse_week, week_lines, when_text

WEEKDAYS = {d: ["08:30-11:30", "13:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def hours(week=None, closed=(), night="") -> Hours:
    return Hours.from_config(KioskConfig(opening_hours=week or {}, closed_dates=list(closed), night_blank=night))


def at(day: int, hh: int, mm: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hh, mm)


# -- is_open -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hh, mm, open_", [
    (8, 29, False), (8, 30, True), (11, 29, True), (11, 30, False), (12, 0, False), (12, 59, False),
    (13, 0, True), (16, 59, True), (17, 0, False), (23, 59, False), (0, 0, False),
])
def test_a_lunch_break_closes_the_hall_between_the_spans(hh, mm, open_):
    assert hours(WEEKDAYS).is_open(at(7, hh, mm)) is open_  # a Monday


def test_a_day_not_listed_is_closed_once_any_day_has_hours():
    h = hours(WEEKDAYS)
    assert not h.is_open(at(12, 10))  # Saturday
    assert not h.is_open(at(13, 10))  # Sunday
    assert h.is_open(at(11, 10))  # Friday


def test_no_hours_configured_is_always_open():
    h = hours()
    assert not h.configured
    for moment in (at(13, 3), at(7, 23, 59), at(1, 0, 0, month=1, year=2027)):
        assert h.is_open(moment) and h.mode(moment) == "open"
    assert h.next_opening(at(13, 3)) == at(13, 3)


def test_a_closed_date_closes_the_whole_day():
    h = hours(WEEKDAYS, closed=["2027-01-01"])
    assert not h.is_open(at(1, 10, month=1, year=2027))  # a Friday, 10:00
    assert h.is_open(at(31, 10))  # the Thursday before
    # even with no weekly hours configured: the date is closed, the next day open from midnight
    h = hours(closed=["2027-01-01"])
    assert not h.is_open(at(1, 10, month=1, year=2027))
    assert h.next_opening(at(1, 10, month=1, year=2027)) == datetime(2027, 1, 2, 0, 0)


def test_24_00_ends_the_day():
    h = hours({"sat": ["08:00-24:00"]})
    assert h.is_open(at(12, 23, 59)) and not h.is_open(at(13, 0, 0))


# -- next_opening ------------------------------------------------------------------------------------
@pytest.mark.parametrize("now, expected", [
    (at(7, 10), at(7, 10)),  # open: now
    (at(7, 7, 0), at(7, 8, 30)),  # before the first span
    (at(7, 12, 0), at(7, 13, 0)),  # the lunch break
    (at(7, 17, 30), at(8, 8, 30)),  # after hours: the next morning
    (at(11, 17, 30), at(14, 8, 30)),  # Friday evening: Monday
    (at(12, 9, 0), at(14, 8, 30)),  # Saturday
])
def test_next_opening(now, expected):
    assert hours(WEEKDAYS).next_opening(now) == expected


def test_next_opening_skips_closed_dates():
    h = hours(WEEKDAYS, closed=["2026-12-14", "2026-12-15"])
    assert h.next_opening(at(11, 17, 30)) == at(16, 8, 30)  # Friday -> Wednesday


def test_a_hall_closed_every_day_never_opens():
    h = hours({"mon": []})
    assert h.next_opening(at(7, 10)) is None and h.mode(at(7, 10)) == "closed"


# -- night ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hh, mm, night", [
    (20, 59, False), (21, 0, True), (23, 59, True), (0, 0, True), (3, 0, True), (6, 59, True), (7, 0, False),
    (12, 0, False),
])
def test_a_night_span_crosses_midnight(hh, mm, night):
    assert hours(WEEKDAYS, night="21:00-07:00").is_night(at(7, hh, mm)) is night


def test_modes_through_a_monday():
    h = hours(WEEKDAYS, night="21:00-07:00")
    assert [h.mode(at(7, hh, mm)) for hh, mm in ((6, 0), (7, 30), (9, 0), (12, 0), (18, 0), (21, 30))] == [
        "night", "closed", "open", "closed", "closed", "night"]
    # a night span over opening hours does not blank an open hall
    assert hours(WEEKDAYS, night="06:00-09:00").mode(at(7, 8, 45)) == "open"
    assert hours(WEEKDAYS).is_night(at(7, 23)) is False  # "" = never


def test_local_wall_clock_without_daylight_saving(monkeypatch):
    """The hours are wall-clock times: an aware time is read by its clock fields, and the
    machine's time zone (whatever DST it keeps) changes nothing."""
    h = hours(WEEKDAYS)
    beijing = timezone(timedelta(hours=8))
    assert h.is_open(datetime(2026, 12, 7, 9, 0, tzinfo=beijing))
    assert not h.is_open(datetime(2026, 12, 7, 9, 0, tzinfo=UTC).astimezone(beijing))  # 17:00 local
    # over a European DST change (2027-03-28) the next opening is still 08:30 wall-clock
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert h.next_opening(datetime(2027, 3, 26, 17, 30)) == datetime(2027, 3, 29, 8, 30)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_texts_for_the_closed_screen():
    now = at(7, 18)
    assert when_text(at(7, 19), now) == "今天 19:00"
    assert when_text(at(8, 8, 30), now) == "明天（星期二）08:30"
    assert when_text(at(9, 8, 30), now) == "后天（星期三）08:30"
    assert when_text(at(14, 8, 30), now) == "12月14日（星期一）08:30"
    assert week_lines(hours(WEEKDAYS)) == [(["mon", "tue", "wed", "thu", "fri"], "08:30—11:30、13:00—17:00"),
                                           (["sat", "sun"], "休息")]
    assert week_lines(hours()) == [(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "全天")]


def test_parsers():
    assert parse_week({"mon": ["13:00-17:00", "8:30-11:30"]}) == {"mon": [Span(510, 690), Span(780, 1020)]}
    assert parse_week({"mon": ["08:00-12:00", "12:00-17:00"]})["mon"][1] == Span(720, 1020)  # touching is fine
    assert parse_night("21:00-07:00") == Span(1260, 420) and parse_night("") is None
    assert parse_dates(["2027-01-02", "2027-01-01", "2027-01-01"]) == [date(2027, 1, 1), date(2027, 1, 2)]


# -- configuration ----------------------------------------------------------------------------------------
def test_configured_hours_are_read_and_tidied():
    cfg, problems = config_from_dict({"opening_hours": {"tue": ["13:00-17:00", "8:30-11:30"], "mon": []},
                                      "closed_dates": ["2027-01-01", " 2026-12-31 "],
                                      "night_blank": "21:00-07:00"})
    assert problems == []
    assert cfg.opening_hours == {"mon": [], "tue": ["08:30-11:30", "13:00-17:00"]}
    assert cfg.closed_dates == ["2026-12-31", "2027-01-01"]
    assert cfg.night_blank == "21:00-07:00"
    again, problems = config_from_dict(cfg.to_dict())  # the staff screen saves through this
    assert problems == [] and again == cfg


def test_the_defaults_are_always_open():
    cfg = KioskConfig()
    assert cfg.opening_hours == {} and cfg.closed_dates == [] and cfg.night_blank == ""


BAD = [
    ("opening_hours", {"mon": ["08:30-25:00"]}, "'25:00' is not a time of day"),
    ("opening_hours", {"mon": ["17:00-08:30"]}, "the end is not after the start"),
    ("opening_hours", {"mon": ["08:30-12:00", "11:00-17:00"]}, "08:30-12:00 and 11:00-17:00 overlap"),
    ("opening_hours", {"monday": ["08:30-17:00"]}, "unknown day(s) 'monday'; days are mon, tue"),
    ("opening_hours", {"mon": "08:30-17:00"}, "mon: expected a list of 'HH:MM-HH:MM' spans"),
    ("opening_hours", ["08:30-17:00"], "expected an object"),
    ("opening_hours", "08:30-17:00", "expected an object"),
    ("opening_hours", None, "expected an object"),
    ("opening_hours", {"mon": [["08:30", "17:00"]]}, "expected text 'HH:MM-HH:MM', got ['08:30', '17:00']"),
    ("opening_hours", {"mon": [{"a": [[[1]]]}]}, "expected text 'HH:MM-HH:MM'"),
    ("opening_hours", {"mon": ["08:30-17:00"] * 10_000}, "10000 spans; at most 6 a day"),
    ("opening_hours", {f"d{i}": [] for i in range(10_000)}, "(+9995 more)"),
    ("opening_hours", {"mon": ["0830-1700"]}, "mon: '0830' is not a time HH:MM"),
    ("opening_hours", {"mon": ["08:60-17:00"]}, "'08:60' is not a time of day"),
    ("opening_hours", {"mon": ["24:00-24:00"]}, "'24:00' is not a time of day"),
    ("opening_hours", {"mon": [True]}, "expected text 'HH:MM-HH:MM', got True"),
    ("opening_hours", {"mon": ["٠٨:٣٠-١٧:٠٠"]}, "'٠٨:٣٠' is not a time HH:MM"),  # digits, but not 0-9
    ("opening_hours", {"mon": ["x" * 100_000]}, "is not a span"),
    ("opening_hours", {"tue": [[[[[[[[["08:30-17:00"]]]]]]]]]}, "tue: expected text 'HH:MM-HH:MM', got [[[...]]]"),
    ("closed_dates", ["2027-02-30"], "'2027-02-30' is not a date in the calendar"),
    ("closed_dates", ["2027/01/01"], "expected a date 'YYYY-MM-DD', got '2027/01/01'"),
    ("closed_dates", ["20270101"], "expected a date 'YYYY-MM-DD'"),
    ("closed_dates", "2027-01-01", "expected a list of dates"),
    ("closed_dates", [20270101], "expected a date 'YYYY-MM-DD', got 20270101"),
    ("closed_dates", ["2027-01-01"] * 10_000, "10000 dates; at most 1000"),
    ("night_blank", "25:00-07:00", "'25:00' is not a time of day"),
    ("night_blank", "07:00-07:00", "start and end are the same time"),
    ("night_blank", "21:00", "is not a span"),
    ("night_blank", 2100, "expected text 'HH:MM-HH:MM', got 2100"),
    ("night_blank", ["21:00-07:00"], "expected text"),
]
DEFAULTS = {"opening_hours": ({}, "always open"), "closed_dates": ([], "no closed dates"),
            "night_blank": ("", "never blanked")}


@pytest.mark.parametrize("key, value, message", BAD, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BAD)])
def test_a_bad_value_is_one_message_and_the_default(key, value, message):
    data = {key: value, "region": "fushun"}
    if key == "night_blank":
        data["opening_hours"] = WEEKDAYS  # (without hours night_blank gets a note of its own)
    cfg, problems = config_from_dict(data)
    default, fallback = DEFAULTS[key]
    assert getattr(cfg, key) == default and cfg.region == "fushun"
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"config: {key}: ") and message in problems[0], problems[0]
    assert problems[0].endswith(f"using the default ({fallback})") and len(problems[0]) < 300


def test_the_problem_names_the_line_in_the_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{\n  "region": "fushun",\n  "opening_hours": {"mon": ["9:00-8:00"]}\n}\n', encoding="utf-8")
    cfg, problems = load_config(path)
    assert problems == [f"{path}:3: opening_hours: mon: '9:00-8:00': the end is not after the start; "
                        "using the default (always open)"]
    assert cfg.opening_hours == {} and cfg.region == "fushun"


def test_night_blank_without_hours_is_noted():
    cfg, problems = config_from_dict({"night_blank": "21:00-07:00"})
    assert cfg.night_blank == "21:00-07:00"
    assert problems == ["config: night_blank: has no effect without opening_hours (a hall without hours counts "
                        "as always open, and only a closed hall is blanked)"]


def _junk(rng: random.Random, depth: int = 0):
    kinds = ["int", "float", "str", "bool", "none", "clock", "span", "date"] + (["list", "dict"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "int":
        return rng.choice([0, -1, 2100, 10**30, 25])
    if kind == "float":
        return rng.choice([1e999, -0.0, 8.5, float("nan")])
    if kind == "str":
        return rng.choice(["", " ", "mon", "休息", "\x00", "x" * 5000, "-", "--", "8:30--9:00", "٠٨:٣٠-١٧:٠٠"])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "clock":
        return f"{rng.randint(-5, 30)}:{rng.randint(-5, 99):02d}"
    if kind == "span":
        return f"{rng.randint(0, 26):02d}:{rng.randint(0, 61):02d}-{rng.randint(0, 26):02d}:{rng.randint(0, 61):02d}"
    if kind == "date":
        return f"{rng.randint(0, 9999):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
    if kind == "list":
        return [_junk(rng, depth + 1) for _ in range(rng.randint(0, 8))]
    keys = ["mon", "tue", "sun", "Mon", "", "0"] if rng.random() < 0.7 else ["x" * 300]
    return {rng.choice(keys): _junk(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_fuzz_never_raises_and_always_gives_usable_hours():
    """2000 hostile values per key: each is accepted (and usable by kiosk.hours) or is
    exactly one message with the default."""
    rng = random.Random(17)
    for _ in range(2000):
        for key in ("opening_hours", "closed_dates", "night_blank"):
            value = _junk(rng)
            if key == "opening_hours" and rng.random() < 0.5:
                value = {rng.choice(["mon", "tue", "sat"]): [_junk(rng, 3) for _ in range(rng.randint(1, 3))]}
            cfg, problems = config_from_dict({key: value, "opening_hours": WEEKDAYS} if key == "night_blank"
                                             else {key: value})
            mine = [p for p in problems if p.startswith(f"config: {key}: ") and "has no effect" not in p]
            assert len(mine) <= 1, problems
            if mine:
                assert getattr(cfg, key) == DEFAULTS[key][0]
            h = Hours.from_config(cfg)  # never raises: what the config holds was validated
            h.mode(at(7, 12))
            h.next_opening(at(7, 12))


def test_fuzzed_config_file_never_raises(tmp_path):
    rng = random.Random(1717)
    path = tmp_path / "config.json"
    for _ in range(300):
        data = {k: _junk(rng) for k in ("opening_hours", "closed_dates", "night_blank")}
        path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
        cfg, problems = load_config(path)
        assert isinstance(cfg, KioskConfig) and all(isinstance(p, str) and str(path) in p for p in problems)
        Hours.from_config(cfg).mode(at(7, 12))


# -- setting them ----------------------------------------------------------------------------------------
def test_set_one_day_dates_and_night():
    cfg = set_config_value(KioskConfig(), "opening_hours.mon", "08:30-11:30, 13:00-17:00")
    cfg = set_config_value(cfg, "opening_hours.sat", "休息")
    cfg = set_config_value(cfg, "closed_dates", "2027-01-01,2026-12-31")
    cfg = set_config_value(cfg, "night_blank", "21:00-07:00")
    assert cfg.opening_hours == {"mon": ["08:30-11:30", "13:00-17:00"], "sat": []}
    assert cfg.closed_dates == ["2026-12-31", "2027-01-01"] and cfg.night_blank == "21:00-07:00"
    cfg = set_config_value(cfg, "opening_hours", '{"sun": ["09:00-12:00"]}')
    assert cfg.opening_hours == {"sun": ["09:00-12:00"]}
    assert set_config_value(cfg, "opening_hours", "").opening_hours == {}
    assert set_config_value(cfg, "closed_dates", "").closed_dates == []


@pytest.mark.parametrize("key, text, message", [
    ("opening_hours.mon", "08:30-25:00", "opening_hours: mon: '25:00' is not a time of day"),
    ("opening_hours.monday", "08:30-17:00", "unknown day 'monday'; days are mon, tue"),
    ("opening_hours", "{not json", "opening_hours: not valid JSON"),
    ("opening_hours", "08:30-17:00", "set one day: opening_hours.mon"),
    ("closed_dates", "2027-13-01", "'2027-13-01' is not a date in the calendar"),
    ("night_blank", "21:00-21:00", "start and end are the same time"),
])
def test_set_refuses_bad_text_with_the_reason(key, text, message):
    with pytest.raises(ConfigValueError) as info:
        set_config_value(KioskConfig(), key, text)
    assert message in str(info.value) and "using the default" not in str(info.value)


@pytest.fixture
def kiosk_env(catalogue_db, tmp_path):
    env = dict(os.environ, KIOSK_DATA_DIR=str(catalogue_db.parent), KIOSK_CONFIG_DIR=str(tmp_path / "config"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env,
                              timeout=120)

    run.config = tmp_path / "config" / "config.json"
    return run


def test_cli_sets_and_shows_the_hours(kiosk_env):
    r = kiosk_env("config", "set", "opening_hours.mon", "08:30-11:30,13:00-17:00")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == 'opening_hours.mon = ["08:30-11:30", "13:00-17:00"]'
    assert "closed all day: tue, wed, thu, fri, sat, sun" in r.stderr
    assert kiosk_env("config", "set", "closed_dates", "2027-01-01").returncode == 0
    assert kiosk_env("config", "set", "night_blank", "21:00-07:00").returncode == 0
    r = kiosk_env("config", "show")
    assert r.returncode == 0 and r.stderr == ""
    assert 'opening_hours = {"mon": ["08:30-11:30", "13:00-17:00"]}' in r.stdout.splitlines()
    assert 'closed_dates = ["2027-01-01"]' in r.stdout.splitlines()
    assert "night_blank = 21:00-07:00" in r.stdout.splitlines()
    saved = json.loads(kiosk_env.config.read_text(encoding="utf-8"))
    assert saved["opening_hours"] == {"mon": ["08:30-11:30", "13:00-17:00"]}
    r = kiosk_env("config", "set", "opening_hours.tue", "17:00-08:00")
    assert r.returncode == 2 and "the end is not after the start" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(kiosk_env.config.read_text(encoding="utf-8")) == saved  # unchanged
