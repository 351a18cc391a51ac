"""Conversation context: what a follow-up question leans on (它, 那澳门呢, 首期呢, and Macau?).

A chat's context is the last answered question, its referent (the topic a pronoun stands for)
and the facts shown; or a follow-up still waiting for its referent. It is plain data, saved in
the store per chat and forum topic, so a restart does not break a conversation, and it expires
after a while of silence. The rules of reading a follow-up live here; what to answer is still
the matcher's decision, on the question the follow-up stands for.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import Any, Final

from bot.lexicon import ASKED, PLACES, alternation, asked_kinds, data, entities_in
from bot.text import normalise

_DATA: Final = data("dialogue.yaml")
EXPIRES_AFTER: Final = float(_DATA["expires_after_minutes"]) * 60
_PRONOUN: Final = alternation(_DATA["pronouns"])
_NOT_PRONOUN: Final = alternation(_DATA["not_pronouns"])
_WITHIN: Final = re.compile(
    "(?<=[,，;；?？])\\s*(?:" + alternation(_DATA["within_message"]).pattern + ")"
)
_DETERMINER: Final = alternation(_DATA["determiners"])
_REFERRING: Final = alternation([*_DATA["pronouns"], *_DATA["determiners"]])
_ENGLISH_PRONOUN: Final = re.compile(r"\b(?:" + "|".join(_DATA["english_pronouns"]) + r")\b")
_ENGLISH_DEMONSTRATIVE: Final = re.compile(
    r"(?<!\ball )(?<!\bin )\b(?:that|this|those|these)\s*[?.!]*$"  # not "in all this"
)
_ENGLISH_THERE: Final = re.compile(_DATA["english_place_pronoun"])
SLOT_WORDS: Final = frozenset(_DATA["slot_words"])
GROUPS: Final = frozenset(_DATA["groups"])
_AWAY: Final = re.compile("|".join(rf"\b{w}\b" if w.isascii() else w for w in _DATA["away"]))
_COUNTED: Final = frozenset({"count", "list", "money"})  # questions whose focus an ellipsis swaps
_NAMING_GLUE: Final = re.compile(r"[的之和与及、,，\s]")
_SAME_KIND: Final = (re.compile(r"\d+月"), re.compile(r"\d{4}年"), re.compile(r"第\d+"))
_MORE: Final = re.compile(r"^(?:" + "|".join(_DATA["more"]) + r")[?？!！。.]*$")
_CLARIFICATION: Final = re.compile(_DATA["clarification"])
_ELLIPSIS: Final = re.compile(_DATA["ellipsis"])
_ELLIPSIS_MARKER: Final = re.compile(_DATA["ellipsis_markers"])
_QUESTION_WORD: Final = re.compile(
    r"什么|啥|吗|哪|谁|几|多少|怎么|怎样|如何|是否|是不是|有没有|为何|为什么"
    r"|\b(?:what|which|who|whom|when|where|why|how|is|are|was|were|did|does|do|can)\b"
)


class FollowUp(enum.StrEnum):
    PRONOUN = "pronoun"  # 它什么时候成立的: the referent replaces the pronoun
    DEICTIC = "deictic"  # 这个联盟有多少成员: the referent, or the noun alone when there is none
    ELLIPSIS = "ellipsis"  # 那澳门呢: the last question, about something else
    MORE = "more"  # 还有别的吗: more on the same topic
    CLARIFICATION = "clarification"  # 我是说那个联盟: the referent a follow-up was waiting for


@dataclass(frozen=True)
class Context:
    """What the next message of a chat may lean on."""

    at: float  # when it was last touched (seconds since the epoch)
    topic: str = ""  # the referent: 广东省人工智能与机器人产业联盟
    question: str = ""  # the last answered question, as the bot read it
    fact_ids: tuple[str, ...] = ()  # the facts the last answer showed
    pending: str = ""  # a follow-up that had nothing to refer to, waiting for its referent
    focus: tuple[
        str, ...
    ] = ()  # what the last question asked about (工业数据集 in 多少个工业数据集)

    def expired(self, now: float) -> bool:
        return now - self.at > EXPIRES_AFTER

    def touched(self, now: float) -> Context:
        return replace(self, at=now)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Context | None:
        """The saved context, or None when it cannot be read (a newer or broken format)."""
        try:
            values: dict[str, Any] = json.loads(raw)
            return cls(
                at=float(values["at"]),
                topic=str(values.get("topic", "")),
                question=str(values.get("question", "")),
                fact_ids=tuple(str(i) for i in values.get("fact_ids", ())),
                pending=str(values.get("pending", "")),
                focus=tuple(str(w) for w in values.get("focus", ())),
            )
        except (ValueError, TypeError, KeyError):
            return None


def asks_something(text: str) -> bool:
    """Whether a message asks a question of its own (a question word or an asked kind)."""
    canonical = normalise(text)
    return bool(_QUESTION_WORD.search(canonical)) or any(
        p.search(canonical) for p in ASKED.values()
    )


def turns_away(text: str) -> bool:
    """Whether a message asks about something other than what was just talked about."""
    return bool(_AWAY.search(normalise(text)))


def follow_up(text: str) -> FollowUp | None:
    """How a message leans on the conversation, if it visibly does."""
    canonical = normalise(text)
    if _MORE.match(canonical):
        return FollowUp.MORE
    clarified = _CLARIFICATION.match(canonical)
    if clarified and not asks_something(clarified["topic"]):
        return FollowUp.CLARIFICATION
    if _PRONOUN.search(_WITHIN.sub(" ", _NOT_PRONOUN.sub(" ", canonical))):
        return FollowUp.PRONOUN
    if _ENGLISH_DEMONSTRATIVE.search(canonical) or _ENGLISH_THERE.search(canonical):
        # and when was that? how many signed there?
        return FollowUp.PRONOUN
    if _ENGLISH_PRONOUN.search(canonical):  # "is it for training?": often within a question
        return FollowUp.DEICTIC
    elliptic = _ELLIPSIS.match(canonical)
    if elliptic and _ELLIPSIS_MARKER.search(canonical) and not asks_something(elliptic["topic"]):
        return FollowUp.ELLIPSIS  # 南沙那场呢: an ellipsis, though it has a determiner
    if _DETERMINER.search(canonical):
        return FollowUp.DEICTIC
    return None


def holds_pronoun(word: str) -> bool:
    """Whether a word carries a pronoun (首其 does: a slip for 首期, not 其)."""
    return bool(_PRONOUN.search(word)) and not _NOT_PRONOUN.search(word)


def determined(text: str) -> bool:
    """Whether a message points back only with a determiner before a noun of its own (南沙那场
    活动), no pronoun: then the noun may name another topic than the conversation's."""
    canonical = normalise(text)
    return bool(_DETERMINER.search(canonical)) and not (
        _PRONOUN.search(canonical) or _ENGLISH_PRONOUN.search(canonical)
    )


def referent(text: str) -> str:
    """What a clarification or an ellipsis names (我是说那个联盟 -> 联盟, 那澳门呢 -> 澳门)."""
    canonical = normalise(text)
    for pattern in (_CLARIFICATION, _ELLIPSIS):
        found = pattern.match(canonical)
        if found:
            return _REFERRING.sub("", found["topic"]).strip(" ,，?？。")
    return canonical


def without_pronouns(text: str) -> str:
    canonical = normalise(text)
    return _ENGLISH_PRONOUN.sub(" ", _REFERRING.sub("", canonical)).strip()


def resolve(text: str, context: Context, kind: FollowUp) -> str:
    """The question a follow-up stands for, in the words of the conversation so far."""
    if kind is FollowUp.CLARIFICATION:
        return f"{referent(text)} {without_pronouns(context.pending)}"
    if kind in (FollowUp.PRONOUN, FollowUp.DEICTIC):
        return f"{context.topic} {without_pronouns(text)}"
    if kind is FollowUp.ELLIPSIS:
        named = referent(text)
        swapped = (
            swap_entity(context.question, named)
            or swap_subject(context, named)
            or swap_focus(context, named)
        )
        return swapped or f"{named} {context.question}"
    return context.question


def swap_focus(context: Context, named: str) -> str | None:
    """The last question about the named thing instead of what it asked about: 标杆企业呢
    after 要打造多少个工业数据集 asks 要打造多少个标杆企业; 8月呢 after 7月成立了什么 asks 8月."""
    question = normalise(context.question)
    for pattern in _SAME_KIND:
        old, new = pattern.search(question), pattern.fullmatch(named)
        if old and new:
            return question.replace(old.group(), named, 1)
    if not asked_kinds(question) & _COUNTED:
        return None  # 签约呢 after 在哪里办的: signings, not where they were signed
    for word in context.focus:
        if word in question and word not in named:
            return question.replace(word, named, 1)
    return None


def _names_a_thing(named: str, entities: Collection[str]) -> bool:
    """Whether an ellipsis names more than a place or body: 北京的世界机器人大会, 南沙的活动."""
    rest = normalise(named)
    for name in sorted(entities, key=len, reverse=True):
        rest = rest.replace(name, "")
    return len(_NAMING_GLUE.sub("", rest)) >= 2


def swap_subject(context: Context, named: str) -> str | None:
    """The last question's ask put to a new subject named with its place (那南沙的活动呢
    after 双选会在东莞哪里办: 南沙的活动 在哪里办), its old subject and places left out."""
    entities = entities_in(normalise(named))
    if not entities or not _names_a_thing(named, entities):
        return None
    question = normalise(context.question)
    for old in sorted({normalise(context.topic), *entities_in(question)}, key=len, reverse=True):
        if old:
            question = question.replace(old, " ")
    return f"{named} {question.strip()}"


def swap_entity(question: str, named: str) -> str | None:
    """The last question about another place or body (广州… -> 深圳…), when both name one."""
    new = entities_in(normalise(named))
    old = entities_in(normalise(question))
    if not new or not old:
        return None
    if _names_a_thing(named, new):
        return None  # 那北京的世界机器人大会呢: another thing, not the same one in 北京
    new_name = sorted(new)[0]
    is_place = new_name in PLACES
    same_kind = [o for o in sorted(old, key=len, reverse=True) if (o in PLACES) == is_place]
    if not same_kind:
        return None
    return normalise(question).replace(same_kind[0], new_name, 1)
