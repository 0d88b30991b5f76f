"""Dates and datelines as a page prints them.

`find_date` reads the first date in a text, with the span it is printed in (ISO, year
first, month names either way round, all-numeric day/month/year, a time and a zone);
`page_day_first` tells whether a page writes numeric dates day-first; `is_date_line` tells
a line that is only a date; `story_dateline` matches the dateline that opens a news story
or press release ("SEOUL, March 5 (Yonhap) --", "LAS VEGAS – December 9, 2021 –"). Relative
timestamps ("Updated 18 minutes ago", "5h ago", "Yesterday at 10:20") are
`RELATIVE_TIME_RE`: a dateline without a date, kept as printed.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

# Dateline opening a story: "SEOUL, March 5 (Yonhap) --", "BEIJING -- ",
# "DENVER, Colo., Oct. 12, 2024 /PRNewswire/ --". The place is in capitals or the line names
# an agency or newswire, so an ordinary sentence with a dash never matches.
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_STORY_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z .'’-]{1,40}?)(?:,\s*[A-Z][A-Za-z .]{1,30}?)?"
    rf"(?:,?\s+(?P<date>{_MONTH_ABBR}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH_ABBR}(?:\s+\d{{4}})?))?"
    r"\s*(?:\((?P<agency>[A-Z][\w .&-]{1,30})\)|/(?P<wire>[A-Z][\w .&-]{1,30})/)?"
    r"\s*(?:--|[-–—])\s+"
)


# A press release's dateline with the date between dashes: "LAS VEGAS – December 9, 2021 –".
# The empty `agency`/`wire` groups keep the match's groups the same as the story dateline's.
_RELEASE_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}?)(?:,\s*[A-Z][A-Za-z .]{1,30}?)?\s*(?:--|[-–—])\s*"
    rf"(?P<date>{_MONTH_ABBR}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH_ABBR},?\s+\d{{4}})"
    r"\s*(?:--|[-–—])\s*(?P<agency>(?!))?(?P<wire>(?!))?"
)


# A wire dateline with no place, only the day: "Aug 26 (Reuters) -". The empty `place` and
# `wire` groups keep the match's groups the same as the story dateline's.
_DAY_WIRE_DATELINE_RE = re.compile(
    rf"^(?P<place>(?!))?(?P<date>{_MONTH_ABBR}\s+\d{{1,2}}(?:,\s*\d{{4}})?"
    rf"|\d{{1,2}}\s+{_MONTH_ABBR}(?:\s+\d{{4}})?)"
    r"\s*\((?P<agency>[A-Z][\w .&-]{1,30})\)(?P<wire>(?!))?\s*(?:--|[-–—])\s+"
)


def story_dateline(paragraph: str) -> re.Match[str] | None:
    """Match the dateline that opens a news story or press release, if there is one."""
    m = _DAY_WIRE_DATELINE_RE.match(paragraph)
    if m is not None:
        return m
    m = _RELEASE_DATELINE_RE.match(paragraph)
    if m is not None and len(m.group("place").strip()) > 2:
        return m
    m = _STORY_DATELINE_RE.match(paragraph)
    if m is not None:
        place = m.group("place").strip()
        if m.group("agency") or m.group("wire") or (place.isupper() and len(place) > 2):
            return m
    return None


# Timestamps that are not dates: "Updated 18 minutes ago", "an hour ago", "Just now".
# "Updated 5h ago", "2 hrs ago", "Yesterday at 10:20 AM": kept as printed, never a date.
_RELATIVE_LABEL = r"(?:(?:last\s+)?(?:updated|posted|published|modified|edited)\s*:?\s*)?"
RELATIVE_TIME_RE = re.compile(
    rf"^{_RELATIVE_LABEL}"
    r"(?:(?:about|over|almost|nearly|just|less than)\s+)?"
    r"(?:\d+\s*|(?:an?|one|two|three|four|five|a few|several)\s+)"
    r"(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?"
    r"|[hdmwy](?=\s))\s+ago\.?$"
    rf"|^{_RELATIVE_LABEL}(?:just now|moments ago|(?:yesterday|today)"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?)$",
    re.I,
)


DATELINE_LABEL_RE = re.compile(
    r"^(?:(?:first |originally )?published|(?:last )?updated|posted|date|modified)"
    r"(?:\s+on)?\s*:?\s*",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?,?", re.I
)


def is_date_line(line: str) -> bool:
    """Tell whether a line is only a date (with optional label, weekday, time and zone)."""
    if len(line) > 80:
        return False
    found = find_date(line)
    if found is None:
        return False
    _, start, end = found
    rest = line[:start] + " " + line[end:]
    rest = DATELINE_LABEL_RE.sub("", rest.strip())
    rest = _WEEKDAY_RE.sub("", rest)
    rest = re.sub(
        r"\b(?:updated|published|posted|on|at|KST|UTC|GMT|EST|EDT)\b", "", rest, flags=re.I
    )
    return sum(ch.isalpha() for ch in rest) <= 3


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_TIME = (
    r"(?:,?\s*(?:[-–—|@·]|at)?\s*(?P<H>\d{1,2})"
    r"(?::|\.(?=\d{2}\s*(?:[AaPp]\.?\s?[Mm]|[A-Z]{3}\b|[+-]\d)))(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?(?![\w])))?)?"
)
_TZ = (
    r"(?:\s*\(?(?P<tz>(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|Z|UTC|GMT|KST|JST|HKT|SGT|EST|EDT"
    r"|PST|PDT|CET|CEST|BST)\)?(?![\w]))?"
)
_DATE_RES = {
    "iso": re.compile(
        r"(?<![\d/.])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
        r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
        r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?(?![\d])"
    ),
    "ymd": re.compile(
        r"(?<![\d/.])(?P<y>\d{4})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/])\.?"
        + _TIME
        + _TZ
    ),
    "mdy": re.compile(
        r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?![\d])" + _TIME + _TZ,
        re.IGNORECASE,
    ),
    "dmy": re.compile(
        r"(?<![\d])(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?|(?P<dsep>[/-]))"
        + _MON
        + r"(?(dsep)(?P=dsep)|,?\s+)(?P<y>\d{4})(?![\d])"
        + _TIME
        + _TZ,
        re.IGNORECASE,
    ),
    "num": re.compile(
        r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d])"
        + _TIME
        + _TZ
    ),
}
_TZ_OFFSETS = {
    "Z": 0, "UTC": 0, "GMT": 0, "KST": 9, "JST": 9, "HKT": 8, "SGT": 8,
    "EST": -5, "EDT": -4, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "BST": 1,
}  # fmt: skip


def find_date(text: str, *, day_first: bool | None = None) -> tuple[datetime, int, int] | None:
    """Find the first date in `text`; return it with the span of the date as printed.

    Formats: ISO (2024-03-05, 2024-03-05T10:20:00Z), year first with slashes or dots
    (2019/7/9 19:48:40, 2011.04.21), month names either way round (Jul 20, 2022 11:43 PM;
    April 21, 2011 - 18:53; 5 March 2024; 03-Dec-2024; a time printed before the date, "3:45
    PM EST, Tue December 3, 2024") and all-numeric day/month/year. For the last,
    day-first when the first number is > 12, month-first when the second is; otherwise
    `day_first` decides, and without it dots and hyphens (05.03.2024) read day-first
    (European) and slashes (03/05/2024) month-first (US).

    The result is naive — the time as printed — unless the page prints a zone (Z, UTC, GMT,
    +09:00 or a common abbreviation such as KST), then it is aware. No zone is invented.
    """
    best: tuple[datetime, int, int] | None = None
    for kind, rx in _DATE_RES.items():
        for m in rx.finditer(text):
            if best is not None and m.start() >= best[1]:
                break
            value = _build_date(kind, m, day_first)
            if value is not None:
                best = (value, m.start(), m.end())
                if m.groupdict().get("H") is None:
                    best = _with_time_before(text, best)
                break
    return best


# A time printed before its date: "3:45 PM EST, Tue December 3, 2024" (AP's house style).
_TIME_BEFORE_RE = re.compile(
    r"(?<![\d:.])(?P<H>\d{1,2})(?P<sep>[:.])(?P<M>\d{2})(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?"
    + _TZ
    + r"\s*[,|·–—-]?\s*"
    + r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s*)?$",
    re.IGNORECASE,
)


def _with_time_before(text: str, found: tuple[datetime, int, int]) -> tuple[datetime, int, int]:
    """Add the time printed just before a date to it, and the time to its printed span."""
    value, start, end = found
    m = _TIME_BEFORE_RE.search(text, max(0, start - 40), start)
    if m is None or (m.group("sep") == "." and not (m.group("ampm") or m.group("tz"))):
        return found  # "12.50" is a price or a score unless a zone or am/pm says otherwise
    hour, minute = int(m.group("H")), int(m.group("M"))
    ampm = (m.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if (ampm and not 1 <= int(m.group("H")) <= 12) or hour > 23 or minute > 59:
        return found
    value = value.replace(hour=hour, minute=minute)
    tz = _parse_tz(m.group("tz") or "")
    return (value.replace(tzinfo=tz) if tz is not None else value), m.start(), end


def _build_date(kind: str, m: re.Match[str], day_first: bool | None) -> datetime | None:
    """Make a datetime from one regex match; None when the numbers are not a real date."""
    g = m.groupdict()
    year = int(g["y"])
    if kind in {"mdy", "dmy"}:
        month, day = _MONTHS[g["mon"][:3].lower()], int(g["d"])
    elif kind == "num":
        a, b = int(g["a"]), int(g["b"])
        first_is_day = a > 12 or (
            b <= 12 and (day_first if day_first is not None else g["sep"] in ".-")
        )
        day, month = (a, b) if first_is_day else (b, a)
    else:
        month, day = int(g["m"]), int(g["d"])
    hour = int(g.get("H") or 0)
    minute = int(g.get("M") or 0)
    second = int(g.get("S") or 0)
    ampm = (g.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if not 1900 <= year <= 2100:
        return None
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    tz = _parse_tz(g.get("tz") or "")
    return value.replace(tzinfo=tz) if tz is not None else value


def _parse_tz(raw: str) -> timezone | None:
    """Return a fixed-offset zone for a printed zone, or None when there is none."""
    raw = raw.strip().upper()
    if not raw:
        return None
    if raw in _TZ_OFFSETS:
        return timezone(timedelta(hours=_TZ_OFFSETS[raw]))
    m = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?", raw)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def page_day_first(text: str) -> bool | None:
    """Tell whether the page writes dates day-first ("5 March 2024"); None if it does not say."""
    head = text[:3000]
    dmy = bool(_DATE_RES["dmy"].search(head))
    mdy = bool(_DATE_RES["mdy"].search(head))
    if dmy != mdy:
        return dmy
    return None
