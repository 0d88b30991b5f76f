"""The Jinja2 fragments (workbench/jinja2.py) show every value as Django's templates would."""

import random
import zoneinfo
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from workbench.jinja2 import _date, _shown, _truncatechars, environment

ALPHABET = "ab c'\"<>&.é\u0301\u0327字 "


def django(source: str, **context) -> str:
    return Template(source).render(Context(context))


def jinja(source: str, **context) -> str:
    return environment(autoescape=True).from_string(source).render(context)


def texts(seed: int, n: int = 3000):
    rng = random.Random(seed)
    for i in range(n):
        letters = ALPHABET if i % 2 else "ab c'<>& ."  # half ASCII, half not (NFD too)
        yield "".join(rng.choice(letters) for _ in range(rng.randint(0, 40))), rng.randint(-1, 30)


def test_truncatechars_gives_what_djangos_gives():
    for text, length in texts(13):
        expected = django("{{ t|truncatechars:n }}", t=text, n=length)
        assert jinja("{{ t|truncatechars(n) }}", t=text, n=length) == expected, (text, length)


@pytest.mark.parametrize("fmt", ["c", "Y-m-d H:i", "D j M"])
@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)],
)
def test_dates_are_formatted_in_the_current_time_zone_as_django_does(fmt, moment):
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        expected = django("{{ d|date:f }}", d=moment, f=fmt)
        assert jinja("{{ d|date(f) }}", d=moment, f=fmt) == expected
        assert _date(moment, fmt) == expected


@pytest.mark.parametrize(
    "value",
    [
        'Tom\'s <b>"bold"</b> & co',
        mark_safe("<i>already safe</i>"),
        gettext_lazy("Unreviewed"),
        0,
        123456,
        2.5,
        None,
        True,
        datetime(2026, 12, 3, 23, 59, tzinfo=UTC),
    ],
)
def test_values_are_localised_and_escaped_as_django_shows_them(value):
    with timezone.override(zoneinfo.ZoneInfo("Asia/Seoul")):
        assert jinja("{{ v }}", v=value) == django("{{ v }}", v=value)
        assert str(_shown(value)) == django("{{ v }}", v=value)


def test_the_fast_path_is_not_a_different_rule_for_long_non_ascii_text():
    text = "Cafe\u0301 " * 60  # decomposed: Django normalises it before counting
    assert _truncatechars(text, 180) == django("{{ t|truncatechars:180 }}", t=text)


def test_reveal_bidi_gives_what_the_django_filter_gives():
    for text in ["plain", "a\u202eb<c>&", "\u2066x\u2069 \u200f", mark_safe("<i>\u202e</i>")]:
        assert jinja("{{ t|reveal_bidi }}", t=text) == django("{{ t|reveal_bidi }}", t=text)
