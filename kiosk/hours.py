"""The hall's opening hours, closed dates and night blanking (no Qt).

The source documents give no opening hours, so they are the hall's configuration
(kiosk/config.py: `opening_hours`, `closed_dates`, `night_blank`):

- `opening_hours`: per weekday (mon … sun) a list of "HH:MM-HH:MM" spans, e.g.
  {"mon": ["08:30-11:30", "13:00-17:00"]}. Empty (the default) = always open: a kiosk
  never closes itself on a hall that has not configured hours. Once any day is given,
  a day that is not listed is closed.
- `closed_dates`: ISO dates (public holidays) on which the hall is closed all day.
- `night_blank`: one "HH:MM-HH:MM" span, which may cross midnight ("21:00-07:00"),
  during which the screen is blanked while the hall is closed; "" = never.

Times are the terminal's local wall-clock time. Liaoning keeps China Standard Time all
year (no daylight saving), so a naive local `datetime` is what the hours are compared
with; an aware one is read by its wall-clock fields.

`parse_*` raise HoursError with a message for staff; config.py turns it into a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_NAMES = dict(zip(DAYS, ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"), strict=True))
MAX_SPANS_PER_DAY = 6
MAX_CLOSED_DATES = 1000  # about three years of holidays and closures
DAY_MINUTES = 24 * 60

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class HoursError(ValueError):
    """A value that is not a span, a day's spans or a date; the message says why."""


def _short(value) -> str:
    """A short repr for messages: a long string or deeply nested junk stays one short line."""
    import reprlib

    r = reprlib.Repr()
    r.maxstring, r.maxother, r.maxlevel, r.maxlist, r.maxdict, r.maxlong = 40, 40, 2, 4, 4, 40
    try:
        return r.repr(value)
    except (RecursionError, ValueError):  # (ints over 4300 digits have no str())
        return f"<{type(value).__name__}>"


def parse_clock(text: str, end: bool = False) -> int:
    """'08:30' -> minutes after midnight (510). '24:00' only as the end of a span."""
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        raise HoursError(f"{_short(text)} is not a time HH:MM")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and (mi or not end)):
        raise HoursError(f"{_short(text)} is not a time of day (00:00..23:59{', or 24:00 as an end' if end else ''})")
    return h * 60 + mi


@dataclass(frozen=True, order=True)
class Span:
    """From `start` to `end`, minutes after midnight; end <= start crosses midnight."""
    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"

    def contains(self, minute: int) -> bool:
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end  # across midnight


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_span(text, crossing: bool = False) -> Span:
    """'08:30-11:30' -> Span(510, 690). `crossing`: the end may come before the start
    (a night span, 21:00-07:00); otherwise the end must come after it."""
    if not isinstance(text, str):
        raise HoursError(f"expected text 'HH:MM-HH:MM', got {_short(text)}")
    parts = text.split("-")
    if len(parts) != 2:
        raise HoursError(f"{_short(text)} is not a span 'HH:MM-HH:MM'")
    start, end = parse_clock(parts[0]), parse_clock(parts[1], end=True)
    if crossing:
        if start == end % DAY_MINUTES:
            raise HoursError(f"{_short(text)}: start and end are the same time")
        return Span(start, end % DAY_MINUTES)
    if end <= start:
        raise HoursError(f"{_short(text)}: the end is not after the start")
    return Span(start, end)


def parse_day(value) -> list[Span]:
    """A day's spans, in order, not overlapping (touching is allowed: 08:00-12:00, 12:00-17:00)."""
    if not isinstance(value, list):
        raise HoursError(f"expected a list of 'HH:MM-HH:MM' spans, got {_short(value)}")
    if len(value) > MAX_SPANS_PER_DAY:
        raise HoursError(f"{len(value)} spans; at most {MAX_SPANS_PER_DAY} a day")
    spans = sorted(parse_span(v) for v in value) if all(isinstance(v, str) for v in value) else None
    if spans is None:
        bad = next(v for v in value if not isinstance(v, str))
        raise HoursError(f"expected text 'HH:MM-HH:MM', got {_short(bad)}")
    for a, b in zip(spans, spans[1:], strict=False):
        if b.start < a.end:
            raise HoursError(f"{a} and {b} overlap")
    return spans


def parse_week(value) -> dict[str, list[Span]]:
    """{'mon': [...], ...} -> spans per day. Unknown day names are an error."""
    if not isinstance(value, dict):
        raise HoursError(f"expected an object {{\"mon\": [\"08:30-17:00\"], ...}}, got {_short(value)}")
    unknown = [k for k in value if k not in DAYS]
    if unknown:
        listed = ", ".join(_short(k) for k in unknown[:5]) + (f" (+{len(unknown) - 5} more)" if len(unknown) > 5 else "")
        raise HoursError(f"unknown day(s) {listed}; days are {', '.join(DAYS)}")
    out = {}
    for day in DAYS:
        if day in value:
            try:
                out[day] = parse_day(value[day])
            except HoursError as exc:
                raise HoursError(f"{day}: {exc}") from None
    return out


def parse_dates(value) -> list[date]:
    """['2027-01-01', ...] -> sorted distinct dates."""
    if not isinstance(value, list):
        raise HoursError(f"expected a list of dates 'YYYY-MM-DD', got {_short(value)}")
    if len(value) > MAX_CLOSED_DATES:
        raise HoursError(f"{len(value)} dates; at most {MAX_CLOSED_DATES}")
    out = set()
    for v in value:
        if not isinstance(v, str) or not _DATE.fullmatch(v.strip()):
            raise HoursError(f"expected a date 'YYYY-MM-DD', got {_short(v)}")
        try:
            out.add(date.fromisoformat(v.strip()))
        except ValueError:
            raise HoursError(f"{_short(v)} is not a date in the calendar") from None
    return sorted(out)


def parse_night(value) -> Span | None:
    """'21:00-07:00' -> Span; '' -> None (never blank)."""
    if isinstance(value, str) and not value.strip():
        return None
    return parse_span(value, crossing=True)


def _wall(now: datetime) -> datetime:
    return now.replace(tzinfo=None) if now.tzinfo is not None else now


@dataclass
class Hours:
    """When the hall is open and when the screen is blanked."""
    week: dict[str, list[Span]] = field(default_factory=dict)  # {} = always open
    closed: frozenset[date] = frozenset()
    night: Span | None = None

    @classmethod
    def from_config(cls, cfg) -> Hours:
        """From a validated KioskConfig (kiosk.config checked every value)."""
        return cls(parse_week(cfg.opening_hours), frozenset(parse_dates(cfg.closed_dates)),
                   parse_night(cfg.night_blank))

    @property
    def configured(self) -> bool:
        return bool(self.week)

    def spans_on(self, day: date) -> list[Span] | None:
        """The day's opening spans; [] = closed all day; None = no hours configured (open all day)."""
        if day in self.closed:
            return []
        if not self.week:
            return None
        return self.week.get(DAYS[day.weekday()], [])

    def is_open(self, now: datetime) -> bool:
        now = _wall(now)
        spans = self.spans_on(now.date())
        if spans is None:
            return True
        minute = now.hour * 60 + now.minute
        return any(s.contains(minute) for s in spans)

    def next_opening(self, now: datetime, horizon_days: int = 400) -> datetime | None:
        """The first moment from `now` on when the hall is open (`now` if it is open);
        None when it does not open within `horizon_days` (every day closed)."""
        now = _wall(now)
        if self.is_open(now):
            return now
        minute = now.hour * 60 + now.minute
        for offset in range(horizon_days + 1):
            day = now.date() + timedelta(days=offset)
            spans = self.spans_on(day)
            if spans is None:  # no weekly hours: open from midnight of the next day not closed
                return datetime.combine(day, time(0, 0))
            for s in spans:
                if offset > 0 or s.start > minute:
                    return datetime.combine(day, time(s.start // 60, s.start % 60))
        return None

    def is_night(self, now: datetime) -> bool:
        """Within the night span (whether or not the hall is open; the window blanks only
        when it is closed as well)."""
        if self.night is None:
            return False
        now = _wall(now)
        return self.night.contains(now.hour * 60 + now.minute)

    def mode(self, now: datetime) -> str:
        """What the kiosk shows at Home: 'open' (Home), 'closed' (the closed screen) or
        'night' (the closed screen, blanked)."""
        if self.is_open(now):
            return "open"
        return "night" if self.is_night(now) else "closed"


def day_text(spans: list[Span] | None) -> str:
    """'08:30-11:30、13:00-17:00'; '休息' for a closed day; '全天' when open all day."""
    if spans is None:
        return "全天"
    if not spans:
        return "休息"
    return "、".join(str(s).replace("-", "—") for s in spans)


def when_text(moment: datetime, now: datetime) -> str:
    """'今天 13:00', '明天（星期二）08:30', '12月14日（星期一）08:30' — for the closed screen."""
    moment, now = _wall(moment), _wall(now)
    days = (moment.date() - now.date()).days
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if days == 0:
        return f"今天 {clock}"
    weekday = DAY_NAMES[DAYS[moment.weekday()]]
    if days == 1:
        return f"明天（{weekday}）{clock}"
    if days == 2:
        return f"后天（{weekday}）{clock}"
    return f"{moment.month}月{moment.day}日（{weekday}）{clock}"


def week_lines(hours: Hours) -> list[tuple[list[str], str]]:
    """The weekly hours with days of the same hours together, in weekday order:
    [(['mon', ..., 'fri'], '08:30—11:30、13:00—17:00'), (['sat', 'sun'], '休息')]."""
    out: list[tuple[list[str], str]] = []
    for day in DAYS:
        text = day_text(hours.week.get(day, []) if hours.week else None)
        if out and out[-1][1] == text:
            out[-1][0].append(day)
        else:
            out.append(([day], text))
    return out


def days_text(days: list[str]) -> str:
    """['mon', 'tue', 'wed'] -> 星期一至星期三; ['sat', 'sun'] -> 星期六、星期日."""
    if len(days) >= 3:
        return f"{DAY_NAMES[days[0]]}至{DAY_NAMES[days[-1]]}"
    return "、".join(DAY_NAMES[d] for d in days)
