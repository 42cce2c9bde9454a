"""Study days and times: a study day runs from 04:00 local time to 04:00 the next day
(Anki's default), so a late-night session counts for the evening it started in. All stored
times are UTC; fsrs wants exactly `timezone.utc`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

#: Hours after local midnight at which a new study day starts.
DAY_ROLLOVER_HOURS = 4

Clock = Callable[[], datetime]


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware datetime whose tzinfo is exactly `timezone.utc`.

    fsrs rejects any other tzinfo, even ZoneInfo("UTC"); naive datetimes are refused here.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: use timezone-aware UTC datetimes")
    return moment.astimezone(timezone.utc)


def study_day(moment: datetime) -> date:
    """The local study day `moment` falls in (days start at DAY_ROLLOVER_HOURS local time)."""
    local = as_utc(moment).astimezone()
    return (local - timedelta(hours=DAY_ROLLOVER_HOURS)).date()


def day_start(day: date, like: datetime) -> datetime:
    """When study day `day` starts, in UTC, using the local UTC offset in force at `like`."""
    tz = as_utc(like).astimezone().tzinfo
    start = datetime.combine(day, time(DAY_ROLLOVER_HOURS), tzinfo=tz)
    return start.astimezone(timezone.utc)


def end_of_day(now: datetime) -> datetime:
    """The moment (UTC) the study day containing `now` ends."""
    return day_start(study_day(now) + timedelta(days=1), now)


def format_interval(delta: timedelta) -> str:
    """An interval the way review buttons show it: `<1m`, `10m`, `3h`, `4d`, `2.1mo`, `1.5y`."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{hours:.0f}h" if hours >= 10 or hours == int(hours) else f"{hours:.1f}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30.4375:.1f}mo"
    return f"{days / 365.25:.1f}y"
