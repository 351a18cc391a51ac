"""What a conversation is about: the name a later 它, 那个 or "and where?" stands for.

A referent is a name the fact base knows (a keyword or short title of a fact), never a date,
a figure or a slot word (主办, 时间): 7月12日那场活动 is about the event, not about 7月12日. These
are pure functions of the fact index; bot/assistant.py keeps the referent in the chat's
context (bot/dialogue.py) and asks them when an answer or a refusal is given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from bot.dialogue import GROUPS, SLOT_WORDS, Context
from bot.factbase import FactBase
from bot.factindex import FactIndex

_FIGURE: Final = re.compile(r"\d")
# Kinds of fact that are things with names of their own: an event or a body the question did
# not name is the referent itself (联盟12月要办什么活动: the conference, not 联盟).
_NAMED_KINDS: Final = frozenset({"event", "organization", "initiative", "policy"})
_SPEAKER: Final = re.compile(r"^([^：:]{2,12})[：:]")  # a view's title names its speaker first


def named_in(index: FactIndex, text: str, fact_ids: Sequence[str]) -> str:
    """The longest name in a question that one of the given facts holds: what an unanswered
    question was about, for the follow-up that may come (邓飞是什么身份 -> 邓飞)."""
    positions = {index.position(i) for i in fact_ids}
    names = [
        phrase
        for phrase, _ in index.phrases_in(index.canonical(text))
        if not _FIGURE.search(phrase) and positions & set(index.phrase_owners[phrase])
    ]
    return max(names, key=len, default="")


def name_of(index: FactIndex, base: FactBase, fact_id: str) -> str:
    """The longest name a fact's title gives it (no date or figure), else the title."""
    position, title = index.position(fact_id), base.by_id[fact_id].title
    names = [
        p for p, _ in index.phrases_in(index.canonical(title))
        if position in index.phrase_owners[p] and not _FIGURE.search(p)
    ]  # fmt: skip
    return max(names, key=len, default=title)


def _speaker(index: FactIndex, base: FactBase, fact_id: str) -> str:
    """The person whose view a fact is, as its title names them first (邓飞：…; 澳门培正中学
    校长高锦辉：… -> 高锦辉), if a name the facts know and not a group (与会嘉宾)."""
    fact = base.by_id[fact_id]
    found = _SPEAKER.match(index.canonical(fact.title))
    if fact.kind != "person" or found is None:
        return ""
    names = [p for p, _ in index.phrases_in(found.group(1)) if found.group(1).endswith(p)]
    name = max(names, key=len, default="")
    return "" if name in GROUPS else name


def topic_of(
    index: FactIndex,
    base: FactBase,
    text: str,
    fact_id: str,
    context: Context | None,
    *,
    answered: bool = True,
) -> str:
    """What a later 它 stands for after `fact_id` answered (or, `answered` false, came closest
    to) `text`: the longest name of that fact the question used, else the earlier topic (a
    follow-up keeps its referent; a refusal never moves it), else the fact's own name. A name
    only of a related fact is the topic when the answer is a figure or a view of it
    (联盟有多少成员: 联盟); an event or a body the question did not name is its own topic
    (联盟12月要办什么活动: the conference, so 在哪里办 asks the conference's venue)."""
    position = index.position(fact_id)
    family = index.fact(position).family
    speaker = _speaker(index, base, fact_id)
    if answered and speaker:
        return speaker  # which legislator spoke about data sharing? -> 邓飞, whom 他 is then
    phrases = [  # a date, a figure or a slot (主办) is no referent
        phrase
        for phrase, _ in index.phrases_in(index.canonical(text))
        if not _FIGURE.search(phrase) and phrase not in SLOT_WORDS
    ]
    own = [p for p in phrases if position in index.phrase_owners[p]]
    if own:
        return str(max(own, key=len))
    names = [p for p in phrases if any(o in family for o in index.phrase_owners[p])]
    fact = base.by_id[fact_id]
    if names and fact.kind in _NAMED_KINDS:
        return fact.title
    if names:
        return str(max(names, key=len))
    if (
        context is not None
        and context.topic
        and (not answered or fact_id in context.fact_ids or context.topic in text)
    ):
        return context.topic
    return name_of(index, base, fact_id)  # what was the theme? answered by the event
