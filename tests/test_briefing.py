from __future__ import annotations

import datetime as dt

import pytest

from bot.answers import TELEGRAM_LIMIT, Renderer
from bot.briefing import DEFAULT_TIME, SubscriptionError, parse_request, select, topic_filter
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.text import Script

DAY = dt.date(2026, 11, 23)
HTML = Renderer(html_output=True)


def everything(_: object) -> bool:
    return True


@pytest.mark.parametrize(
    ("argument", "time", "topic"),
    [
        ("", DEFAULT_TIME, None),
        ("18:30", dt.time(18, 30), None),
        ("政策 7:05", dt.time(7, 5), "政策"),
        ("８：００ 双选会", dt.time(8, 0), "双选会"),  # full-width digits and colon
        ("08:00:30", dt.time(8, 0, 30), None),
    ],
)
def test_parse_request(argument: str, time: dt.time, topic: str | None) -> None:
    request = parse_request(argument)
    assert (request.send_time, request.topic) == (time, topic)


@pytest.mark.parametrize("argument", ["25:00", "08:61", "08:00 09:00"])
def test_bad_times_are_refused(argument: str) -> None:
    with pytest.raises(SubscriptionError, match="24小时制"):
        parse_request(argument)


def test_topics(matcher: Matcher, factbase: FactBase) -> None:
    policies = topic_filter(matcher.index, "政策")
    assert {f.kind for f in factbase.facts if policies(f)} == {"policy", "initiative"}
    fair = topic_filter(matcher.index, "双选会")
    assert "job-fair-signed" in {f.id for f in factbase.facts if fair(f)}
    assert "xair-award" not in {f.id for f in factbase.facts if fair(f)}
    with pytest.raises(SubscriptionError, match="天气"):
        topic_filter(matcher.index, "天气")


def test_unseen_and_new_facts_come_first(factbase: FactBase) -> None:
    first = select(factbase, day=DAY, seen={}, new=frozenset({"xair-award"}), wanted=everything)
    assert len(first.facts) == 7
    assert "xair-award" in {f.id for f in first.facts}
    assert first.new == {"xair-award"}
    seen = {f.id: "2026-11-23" for f in first.facts}
    second = select(factbase, day=DAY, seen=seen, new=frozenset(), wanted=everything)
    assert not {f.id for f in second.facts} & set(seen)


def test_every_day_differs_once_everything_was_seen(factbase: FactBase) -> None:
    seen = {f.id: "2026-01-01" for f in factbase.facts}
    days = [
        {
            f.id
            for f in select(
                factbase, day=DAY + dt.timedelta(n), seen=seen, new=frozenset(), wanted=everything
            ).facts
        }
        for n in range(3)
    ]
    assert days[0] != days[1] != days[2]


def test_upcoming_events_are_highlighted(factbase: FactBase) -> None:
    future = factbase.by_id["gba-ai-robotics-conference-2025"].model_copy(
        update={"when": "2026-12"}
    )
    facts = tuple(future if f.id == future.id else f for f in factbase.facts)
    base = FactBase(facts=facts, articles=factbase.articles)
    selection = select(base, day=DAY, seen={future.id: "x"}, new=frozenset(), wanted=everything)
    assert selection.upcoming == (future,)
    text = HTML.briefing(selection, Script.SIMPLIFIED)
    assert "🔜 即将举行" in text
    assert "（2026年12月）" in text


def test_briefing_always_fits_one_message(factbase: FactBase) -> None:
    long_answer = "广东" * 1500
    facts = tuple(f.model_copy(update={"answer": long_answer}) for f in factbase.facts)
    base = FactBase(facts=facts, articles=factbase.articles)
    text, selection = HTML.compose_briefing(
        base, day=DAY, seen={}, new=frozenset(), wanted=everything, script=Script.TRADITIONAL
    )
    assert len(text) <= TELEGRAM_LIMIT
    assert len(selection.facts) < 7  # shortened by whole facts
    normal, _ = HTML.compose_briefing(
        factbase, day=DAY, seen={}, new=frozenset(), wanted=everything, script=Script.TRADITIONAL
    )
    assert "灣區AI簡報" in normal


def test_an_event_is_upcoming_only_until_its_dates_are_over(factbase: FactBase) -> None:
    conference = "gba-ai-robotics-conference-2025"  # "联盟将于12月主办", when: 2025-12

    def only(fact: object) -> bool:
        return getattr(fact, "id", None) == conference

    before = select(factbase, day=dt.date(2025, 11, 20), seen={}, new=frozenset(), wanted=only)
    assert [f.id for f in before.upcoming] == [conference]
    text = HTML.briefing(before, Script.SIMPLIFIED)
    assert "🔜 即将举行" in text
    assert "（2025年12月）" in text
    after = select(factbase, day=dt.date(2026, 1, 5), seen={}, new=frozenset(), wanted=only)
    assert after.upcoming == ()
    assert after.past == {conference}
    text = HTML.briefing(after, Script.SIMPLIFIED)
    assert "即将举行" not in text
    assert "（2025年12月，已过）" in text  # its sentence still says 将于12月


def test_a_chat_is_told_when_it_has_seen_everything(factbase: FactBase) -> None:
    left = {"techschools-count", "job-fair-signed"}
    seen = {f.id: "2026-11-01" for f in factbase.facts if f.id not in left}
    last = select(factbase, day=DAY, seen=seen, new=frozenset(), wanted=everything)
    assert (last.unseen, last.fresh) == (2, 2)
    assert "其中2条你还没看过；看完这些，资料里的内容你就都看过了。" in HTML.briefing(
        last, Script.SIMPLIFIED
    )
    seen |= dict.fromkeys(left, "2026-11-23")
    rotated = select(factbase, day=DAY, seen=seen, new=frozenset(), wanted=everything)
    assert "资料都已看过" in HTML.briefing(rotated, Script.SIMPLIFIED)
    first = select(factbase, day=DAY, seen={}, new=frozenset(), wanted=everything)
    assert "其中7条你还没看过。" in HTML.briefing(first, Script.SIMPLIFIED)
