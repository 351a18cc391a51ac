"""One reply to one message, the same for Telegram, the console, inline mode and `ask --json`.

The assistant decides what kind of reply a message needs (small talk, an answer, the answers
to each part of a multi-part question, choices, or a refusal) and renders it in the reader's
script. Everything a front end shows of an answer comes from here, so what is measured on the
labelled sets is what readers get.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.answers import ANSWERING_MODES, Renderer, Reply
from bot.dialogue import (
    SLOT_WORDS,
    Context,
    FollowUp,
    asks_something,
    determined,
    follow_up,
    holds_pronoun,
    referent,
    resolve,
    turns_away,
)
from bot.factbase import Fact, FactBase
from bot.lexicon import (
    ASKED,
    ASKED_WORDS,
    HAPPENED,
    HOME_GROUND,
    PLACES,
    alternation,
    data,
    entities_in,
    unwrapped,
    words,
)
from bot.matcher import Match, Matcher, Outcome, Verdict
from bot.overview import MAX_ITEMS, Digest, Overviews, Wish, wants_overview
from bot.referents import name_of, named_in, topic_of
from bot.text import Script, detect_script, normalise

_CLAUSE_END: Final = re.compile(
    r"[，,；;？?。！!\n]+|(?:还有|另外|以及|顺便|同埋)(?=.)"
    # "how many X and how many Y" asks twice; "when and where was it", "who and when?" once
    r"|(?i:(?<!when)(?<!where)(?<!who)(?<!what)(?<!how)(?<!which)"
    r"\s+(?:and|plus)\s+(?=(?:how|when|where|who|what|which)\s+\w))"
)
_QUESTION_SIGNAL: Final = re.compile(
    "什么|啥|吗|呢|哪|谁|几|多少|怎么|怎样|如何|是否|是不是|有没有|咩|乜|边|点样|\\?|？"
    r"|\b(?:what|which|who|whom|whose|when|where|why|how)\b"
)
# What an English part asks, for a bare "and academicians?" after it to borrow.
_ENGLISH_ASKED: Final = re.compile(r"\bhow (?:many|much)\b|\b(?:when|where|who)\b")
_AND_ALSO: Final = re.compile(r"^(?:and|also|plus)\s+(?P<rest>.+)$")
_SENTENCE_END: Final = re.compile(r"[；;？?。！!\n，,]+")  # 高锦辉是谁，他讲了什么: a clause too
_ATTRIBUTION_DATA: Final = data("attribution.yaml")
_ATTRIBUTION: Final = re.compile("|".join(_ATTRIBUTION_DATA["asks"]))
_ATTRIBUTION_FRAMING: Final = alternation(_ATTRIBUTION_DATA["framing"])
_PAGE_SECTION: Final = alternation(words("page_sections.txt"))
_KIND_NOUNS: Final = {"event": "的活动", "organization": "的机构"}  # 南沙那场: 南沙的活动
_CONJUNCTS: Final = re.compile(r"[和与跟同、及]")
_NOISE: Final = re.compile(r"[\s\W_]+")
MIN_CLAUSE: Final = 3  # characters a clause needs to be asked on its own
ASKED_WORD_SET: Final = frozenset(w for words in ASKED_WORDS.values() for w in words)
MIN_OVERVIEW: Final = 3  # facts on a topic that make 有哪些/怎么样 a request for a digest
BARE_TITLE: Final = 0.5  # a name alone that names this much of its fact's title asks for it
MIN_SIBLINGS, MAX_SIBLINGS = 1, 3  # related facts shown with the answer to a list question


@dataclass(frozen=True)
class SmallTalk:
    intent: str
    patterns: tuple[re.Pattern[str], ...]
    zh: str
    en: str


def _small_talk() -> tuple[tuple[SmallTalk, ...], dict[str, list[str]]]:
    raw = data("smalltalk.yaml")
    examples = raw.pop("examples")
    intents = tuple(
        SmallTalk(name, tuple(re.compile(p) for p in item["patterns"]), item["zh"], item["en"])
        for name, item in raw.items()
    )
    return intents, examples


SMALL_TALK, EXAMPLES = _small_talk()


def small_talk(text: str) -> SmallTalk | None:
    """The small-talk intent the whole message is, if any (你好, 谢谢, 你是谁, 帮助), also once
    the words wrapped around it are off (by the way, who are you?)."""
    for message in dict.fromkeys((normalise(text), unwrapped(normalise(text)))):
        bare = _NOISE.sub("", message)
        for intent in SMALL_TALK if bare else ():
            if any(p.fullmatch(bare) for p in intent.patterns):
                return intent
    return None


def clauses(question: str) -> list[str]:
    """The parts of a multi-part question, each a question of its own.

    Clauses without a question word are context for the next one (那2500人里面，应届毕业生有
    多少); 甲和乙分别几月成立 becomes 甲几月成立 and 乙几月成立.
    """
    pieces = [p.strip() for p in _CLAUSE_END.split(question) if p.strip()]
    parts: list[str] = []
    pending = ""
    for piece in pieces:
        also = _AND_ALSO.match(normalise(piece))
        asked = _ENGLISH_ASKED.search(normalise(parts[-1])) if parts else None
        if _QUESTION_SIGNAL.search(normalise(piece)) or _asks(piece):
            parts.append(pending + piece)
            pending = ""
        elif also and asked:  # members, how many? and academicians? -> academicians how many
            parts.append(f"{asked.group()} {also['rest']}")
        else:
            pending += piece + "，"
    if pending and parts:
        parts[-1] += "，" + pending.rstrip("，")
    expanded = []
    for part in parts:
        for each in _respectively(part):
            expanded += _each_asked(each)
    return [p for p in expanded if len(_NOISE.sub("", p)) >= MIN_CLAUSE]


def _each_asked(part: str) -> list[str]:
    """双选会是哪天、在哪里办的 -> [双选会是哪天, 双选会在哪里办的]: kinds of answer asked side by
    side, each with what comes before the first of them. One part when fewer than two
    stretches between 、 ask something of their own."""
    pieces = part.split("、")
    if len(pieces) < 2 or not all(_asks_itself(p) for p in pieces):
        return [part]
    first = pieces[0]
    signal = _QUESTION_SIGNAL.search(first)
    at = signal.start() if signal else 0
    head = first[:at]
    head = head[:-1] if head.endswith("是") else head  # 双选会是哪天 -> 双选会 + 在哪里办
    return [first, *(head + p for p in pieces[1:])]


def _asks_itself(piece: str) -> bool:
    return bool(_QUESTION_SIGNAL.search(normalise(piece)))


def _asks(text: str) -> bool:
    canonical = normalise(text)
    return any(pattern.search(canonical) for pattern in ASKED.values())


def _respectively(part: str) -> list[str]:
    """甲和乙分别是什么 -> [甲是什么, 乙是什么]; short later conjuncts borrow the first one's
    head (南沙活动的主办、承办分别是谁 -> 南沙活动的承办是谁)."""
    if "分别" not in part:
        return [part]
    before, _, predicate = part.partition("分别")
    conjuncts = [c for c in _CONJUNCTS.split(before) if c]
    if len(conjuncts) < 2:
        return [part]
    first = conjuncts[0]
    head = first[: first.rfind("的") + 1] if "的" in first else ""
    result = [conjuncts[0] + predicate]
    result += [(head if len(c) <= 4 else "") + c + predicate for c in conjuncts[1:]]
    return result


def _names_a_place(text: str) -> bool:
    """Whether a part of a question names a place or body of its own, home ground too
    (上海有技工院校吗？广东有多少所: the second part asks of 广东)."""
    return bool(entities_in(text)) or any(place in text for place in HOME_GROUND)


class Assistant:
    """Replies from one fact base and its matcher; a reload builds a new Assistant."""

    def __init__(self, base: FactBase, matcher: Matcher, renderer: Renderer) -> None:
        self.base, self.matcher, self.render = base, matcher, renderer
        self.overviews = Overviews(matcher)
        # slot words as the matcher reads them too (venue is read venu, date dat)
        read = {matcher.index.canonical(w) for w in SLOT_WORDS | ASKED_WORD_SET}
        self._slot_words = SLOT_WORDS | ASKED_WORD_SET | read

    def reply(self, text: str, *, script: Script | None = None) -> Reply:
        """A reply to a message on its own, with no conversation before it."""
        return self.converse(text, None, now=0.0, script=script)[0]

    def converse(
        self, text: str, context: Context | None, *, now: float, script: Script | None = None
    ) -> tuple[Reply, Context | None]:
        """The reply to a message of a conversation, and the context for the next one."""
        script = script or detect_script(text)
        if context is not None and context.expired(now):
            context = None
        talk = small_talk(text)
        if talk is not None:
            return self._small_talk(talk, script), context and context.touched(now)
        if _PAGE_SECTION.search(normalise(text)):  # 经济新闻精选有哪些新闻: page noise
            refusal = Outcome(text, Verdict.NOT_FOUND, script)
            return self.render.outcome(refusal, self.base), context and context.touched(now)
        if _ATTRIBUTION.search(normalise(text)):
            sourced = self._attribution(text, context, script, now)
            if sourced is not None:
                return sourced
        kind = follow_up(text)
        if kind is FollowUp.PRONOUN and self._slip_for_pronoun(text):
            kind = None  # 智能产业基金首其募资多少: 首其 is 首期 mistyped
        if kind is FollowUp.CLARIFICATION or (
            kind is None and context is not None and context.pending and not asks_something(text)
        ):
            if context is None or not context.pending:
                return self.render.no_referent(script), context
            return self._answer(
                resolve(text, context, FollowUp.CLARIFICATION), script, now, context
            )
        if kind is FollowUp.MORE:
            if context is None or not context.fact_ids:
                return self.render.no_referent(script), context
            return self._more(context, script, now)
        if kind is not None:
            if context is None or not context.topic:
                if kind is FollowUp.DEICTIC and self._says_enough(text):
                    return self._answer(text, script, now, None)  # 这个双选会在哪
                if kind is FollowUp.DEICTIC and wants_overview(text) is Wish.STRONG:
                    briefing = self._answer(text, script, now, None)  # 介绍一下那个联盟
                    if briefing[0].mode == "overview":
                        return briefing
                if kind in (FollowUp.PRONOUN, FollowUp.DEICTIC) and (
                    self._named_before(text) or self._names_a_subject(text)
                ):
                    # 高锦辉是谁？他讲了什么; What is the Yuejiang model, and who built it?
                    alone = self._answer(text, script, now, None)
                    if alone[0].mode in ANSWERING_MODES:
                        return alone
                pending = Context(at=now, pending=text)
                return self.render.no_referent(script), pending
            if kind is FollowUp.ELLIPSIS:
                around = self._place_in_story(text, context, script, now)
                if around is not None:
                    return around
            named = referent(text) if kind is FollowUp.ELLIPSIS else ""
            there = self._the_one_there(text, context) if kind is FollowUp.ELLIPSIS else None
            read = self.matcher.index.canonical(text) if kind is FollowUp.ELLIPSIS else text
            question = there or resolve(read, context, kind)  # and Macau? -> 澳门, then swapped
            resolved = self._answer(question, script, now, context, named=named)
            if (
                kind is FollowUp.ELLIPSIS
                and named
                and resolved[0].mode == "answer"
                and resolved[0].fact_ids[0] in context.fact_ids
                and not self._states(resolved[0].fact_ids[0], named)
            ):  # 签约呢 after 多少家单位来招聘: the signings, not the employers again
                asked = f"{context.topic} {named}"
                other = self._answer(asked, script, now, context)
                if other[0].mode != "answer":  # the talk is evidence: its related facts first
                    related = frozenset(self._neighbourhood(context)) - set(context.fact_ids)
                    other = self._answer(asked, script, now, context, within=related)
                if other[0].mode == "answer" and other[0].fact_ids[0] not in context.fact_ids:
                    return other
            if resolved[0].mode not in ANSWERING_MODES and context.fact_ids:
                near_by = self._near_by(question, context, script, now, named=named)
                if near_by is not None:
                    return near_by
            if (
                resolved[0].mode not in ANSWERING_MODES
                and kind is FollowUp.DEICTIC
                and determined(text)
                and self._says_enough(text)
            ):  # 南沙那场AI教育活动的主题 after the fund: the noun names the topic itself
                alone = self._answer(text, script, now, context)
                if alone[0].mode in ANSWERING_MODES:
                    return alone
            return resolved
        if context is not None and context.topic and self._only_slots(text):
            leant = f"{context.topic} {text}"  # 主办方是谁
            slots = self._answer(leant, script, now, context)
            if slots[0].mode not in ANSWERING_MODES and context.fact_ids:
                near_by = self._near_by(leant, context, script, now)
                if near_by is not None:
                    return near_by
            return slots
        reply, fresh = self._answer(text, script, now, context, near=self._articles(context))
        if reply.mode == "answer" and context is not None and context.topic:
            kept = self._kept_to_the_story(text, reply, context, script, now)
            if kept is not None:
                return kept
        if (
            reply.mode not in ANSWERING_MODES
            and context is not None
            and context.topic
            and not turns_away(text)
            and not self._names_another(text, context.topic)
            and self._knows_a_word(text)
        ):
            leant = f"{context.topic} {text}"
            # the topic must read into the question, not stand as a part of its own (广东技能
            # 人才总量 + 另外问下，八部门…: answering the topic alone is no answer)
            if len(clauses(leant)) <= max(1, len(clauses(text))):
                leaning = self._answer(leant, script, now, context)
                if leaning[0].mode in ANSWERING_MODES:
                    return leaning
        return reply, fresh

    def _answer(
        self,
        text: str,
        script: Script,
        now: float,
        context: Context | None,
        *,
        named: str = "",
        near: frozenset[str] = frozenset(),
        within: frozenset[str] | None = None,
    ) -> tuple[Reply, Context | None]:
        """The reply to a complete question, and the context it leaves; `named` is what an
        ellipsis names (AI majors in "and AI majors?"), which the answer must explain;
        `within`, the facts a follow-up may be about."""
        wish = wants_overview(text) if within is None else None
        if wish is None and context is None and self.overviews.bare_topic(text):
            wish = Wish.BARE
        outcome = self.matcher.match(text, named=named, near=near, within=within)
        if (
            outcome.verdict is Verdict.MISSING_DETAIL
            and outcome.matches
            and HAPPENED.search(self.matcher.index.canonical(text))
        ):
            # 粤匠大模型在哪里发布的: the fact gives no place, the event it came out at does
            # (not 什么时候开放给学生用: asked of no coming about)
            at = self.matcher.occasion(text, frozenset({outcome.matches[0].fact.id}))
            outcome = outcome if at is None else dataclasses.replace(at, script=outcome.script)
        if wish is not None:
            digest = self.overviews.digest(text)
            several = len(digest.facts) >= MIN_OVERVIEW
            broad = digest.broad and not (digest.specific and outcome.answered)
            wanted = wish is Wish.STRONG or broad or (several and not outcome.answered)
            wanted |= several and digest.deeds  # what has the alliance done: not its founding
            # 华为? is what the sources say of Huawei, not the first fact naming it; 粤匠大模型
            # alone is the fact about the model (its title is the name)
            about_it = outcome.answered and (outcome.features or {}).get("title_precision", 0.0)
            wanted |= several and wish is Wish.BARE and about_it < BARE_TITLE
            if wish is Wish.WEAK and len(clauses(text)) > 1:
                wanted = False  # 邓飞是什么身份？他对数据共享有什么建议: two questions, not a topic
            if wish is Wish.WEAK and outcome.verdict is Verdict.MISSING_DETAIL:
                wanted = False  # what are the 12 measures?: the fact names none, say so
            if self._names_foreign(outcome, digest):
                wanted = False  # what did HKUST say at the Nansha event?: nothing on HKUST
            if wanted and digest.facts and (len(digest.facts) > 1 or not outcome.answered):
                reply = self.render.overview(digest, self.base, script)
                return reply, Context(now, digest.topic, text, reply.fact_ids)
            refused = not outcome.answered or bool(digest.unknown) or self._foreign(text)
            if wanted and not digest.facts and (wish is Wish.STRONG or digest.broad) and refused:
                return self.render.not_covered(digest, script), context
        outcome = dataclasses.replace(outcome, script=script)
        multi = self._multi_part(text, outcome)
        reply = multi or self.render.outcome(outcome, self.base)
        if wish is not None and multi is None and outcome.answered:
            reply = self._with_siblings(reply, outcome, digest, text)
        index = self.matcher.index
        if outcome.verdict is Verdict.MISSING_DETAIL and outcome.matches:  # the topic is known
            closest = outcome.matches[0].fact.id
            topic = topic_of(index, self.base, text, closest, context, answered=False)
            return reply, Context(now, topic, text, (closest,))
        if reply.mode != "answer":
            named = named_in(index, text, [m.fact.id for m in outcome.matches])
            if named:  # 邓飞是什么身份 unanswered: 他提到了哪些问题 is still about 邓飞
                return reply, Context(now, named, text)
            return reply, context and context.touched(now)
        topic = topic_of(index, self.base, text, reply.fact_ids[0], context)
        focus = tuple(sorted(self.matcher.read(text).focus))
        return reply, Context(now, topic, text, reply.fact_ids, focus=focus)

    def _attribution(
        self, text: str, context: Context | None, script: Script, now: float
    ) -> tuple[Reply, Context | None] | None:
        """这篇南沙报道是哪个记者写的 / which outlet reported the eight-department plan: the
        bylines of the report the question names, else of the one just talked about. None
        when neither is clear (the question is then read as any other)."""
        topic = _ATTRIBUTION_FRAMING.sub(" ", normalise(text))
        outcome = self.matcher.match(topic) if self.matcher.read(topic).content else None
        fact_id = None
        if outcome is not None and outcome.answered:
            fact_id = outcome.matches[0].fact.id
        elif (
            outcome is not None
            and outcome.matches
            and (outcome.matches[0].coverage >= 0.5 or _one_report(outcome.matches[:3]))
        ):
            fact_id = outcome.matches[0].fact.id  # the report is named, if not asked well
        elif context is not None and context.fact_ids:
            fact_id = context.fact_ids[0]
        if fact_id is None or fact_id not in self.base.by_id:
            return None
        reply = self.render.attribution(self.base.by_id[fact_id], self.base, script)
        topic_name = context.topic if context is not None else ""
        return reply, Context(
            now, topic_name or name_of(self.matcher.index, self.base, fact_id), text, reply.fact_ids
        )

    def _states(self, fact_id: str, named: str) -> bool:
        """Whether a fact's own words say what an ellipsis names (and on site? of the fact
        giving both the online and the on-site figures)."""
        fact = self.base.by_id[fact_id]
        own = self.matcher.index.canonical(
            " ".join([fact.answer, *(q.quote for q in fact.sources)])
        )
        words = [w for w, _, _ in self.matcher.read(named).content]
        return bool(words) and all(w in own for w in words)

    def _near_by(
        self, question: str, context: Context, script: Script, now: float, *, named: str = ""
    ) -> tuple[Reply, Context | None] | None:
        """A follow-up the whole fact base does not answer, read as about the conversation:
        the facts last shown answer it, or say they lack the detail (在哪个城市办 of a
        conference whose city is not given); only when they do not match at all, their
        related facts (多少人参加 after the event: its attendance). None if neither answers."""
        shown = frozenset(i for i in context.fact_ids if i in self.base.by_id)
        own = self._answer(question, script, now, context, named=named, within=shown)
        if own[0].mode == "answer":
            return own
        occasion = self.matcher.occasion(question, shown)
        if occasion is not None:  # 粤匠 was released at the 5月7日 job fair in 东莞
            reply = self.render.outcome(dataclasses.replace(occasion, script=script), self.base)
            return reply, Context(
                now,
                name_of(self.matcher.index, self.base, reply.fact_ids[0]),
                question,
                reply.fact_ids,
            )
        if self.matcher.match(question, within=shown).verdict is Verdict.MISSING_DETAIL:
            return own  # the fact lacks it, and nothing else stands in for it
        family = frozenset(self._neighbourhood(context)) - shown
        near = self._answer(question, script, now, context, named=named, within=family)
        return near if near[0].mode == "answer" else None

    def _neighbourhood(self, context: Context) -> tuple[str, ...]:
        """The facts a follow-up may be about, nearest first: those the conversation last
        showed and their related facts (the event an initiative was signed at); not the rest
        of the article (the conference's venue is not the exhibitions' cities)."""
        index = self.matcher.index
        shown = [i for i in context.fact_ids if i in self.base.by_id]
        ids = list(shown)
        for fact_id in shown:
            ids += [self.base.facts[i].id for i in index.fact(index.position(fact_id)).family]
        return tuple(dict.fromkeys(ids))

    def _names_foreign(self, outcome: Outcome, digest: Digest) -> bool:
        """Whether the question names a body or a name none of the digest's facts covers:
        then the digest is about the rest of the question, not about what it asks."""
        if outcome.verdict is not Verdict.OUT_OF_SCOPE or not outcome.unknown:
            return False
        return any(
            not any(self.overviews.covers(f, name) for f in digest.facts)
            for name in outcome.unknown
        )

    def _knows_a_word(self, text: str) -> bool:
        """Whether any word of the message is one a fact holds: keyboard mash (jdksla;;;fjk)
        leans on no topic, it is no question about it."""
        index = self.matcher.index
        q = self.matcher.read(text)
        return (
            not q.content
            or wants_overview(text) is not None
            or any(
                word in self._slot_words or index.holders(word) or index.sounds_like(word)
                for word, _, _ in q.content
            )
        )

    def _foreign(self, text: str) -> bool:
        """Whether a topic names a thing no fact holds at all (新能源汽车补贴: 补贴), not a
        slip for one: a fact sharing its other words is no briefing on it."""
        index = self.matcher.index
        q = self.matcher.read(text)
        return any(
            noun and len(word) > 1 and not index.holders(word) and not index.sounds_like(word)
            for (word, _, _), noun in zip(q.content, q.nouns, strict=True)
        )

    def _articles(self, context: Context | None) -> frozenset[str]:
        """The articles of the facts the conversation last showed."""
        if context is None:
            return frozenset()
        facts = (self.base.by_id[i] for i in context.fact_ids if i in self.base.by_id)
        return frozenset(s.article for f in facts for s in f.sources)

    def _place_in_story(
        self, text: str, context: Context, script: Script, now: float
    ) -> tuple[Reply, Context] | None:
        """那香港呢 / what about Guangzhou? after a briefing: that place's part of the story
        briefed on (the facts about it in the same articles), not the briefing's question with
        the place swapped in (the Nansha event held in Hong Kong)."""
        if not context.fact_ids or wants_overview(context.question) is None:
            return None
        named = referent(text)
        if not entities_in(self.matcher.index.canonical(named)) & PLACES:
            return None
        digest = self.overviews.digest(named)
        articles = {s.article for i in context.fact_ids if i in self.base.by_id
                    for s in self.base.by_id[i].sources}  # fmt: skip
        told = tuple(f for f in digest.facts if any(s.article in articles for s in f.sources))
        if len(told) < MIN_OVERVIEW - 1:
            return None
        reply = self.render.overview(dataclasses.replace(digest, facts=told), self.base, script)
        return reply, Context(now, digest.topic, named, reply.fact_ids)

    def _with_siblings(self, reply: Reply, outcome: Outcome, digest: Digest, text: str) -> Reply:
        """The answer to a list question (专项行动到2027年有哪些目标, 联盟的成员都有谁) with the
        facts of the topic's digest related to it: one fact seldom holds the whole list. The
        answer stays first, so the asked fact is what the reply answers with."""
        head = outcome.matches[0].fact
        if head not in digest.facts:
            return reply
        index = self.matcher.index
        family = {self.base.facts[i].id for i in index.fact(index.position(head.id)).family}
        siblings = [f for f in digest.facts if f.id in family and f.id != head.id]
        if len(siblings) < MIN_SIBLINGS:
            return reply
        facts = [head, *siblings[:MAX_SIBLINGS]]
        body = self.render.answers(facts, self.base, reply.script, text)
        ids = tuple(f.id for f in facts)
        return dataclasses.replace(reply, text=body, fact_ids=ids)

    def _only_slots(self, text: str) -> bool:
        """Whether a message names only attributes (主办方是谁, 多少人参加, when was it held?):
        then it asks about what the conversation is about, however well it matches alone."""
        content = [w for w, _, _ in self.matcher.read(text).content]
        if not content:  # and where?  几时?: a question word alone asks about the topic
            return asks_something(text)
        return all(w in self._slot_words for w in content)

    def _named_before(self, text: str) -> bool:
        """Whether a pronoun's referent is named earlier in the same message: its first
        sentence leans on nothing and names something (高锦辉是谁？他讲了哪些东西)."""
        pieces = [p for p in _SENTENCE_END.split(text) if p.strip()]
        if len(pieces) < 2:  # "What is the Yuejiang model and who built it?": at the and
            pieces = clauses(text)
        first, *rest = pieces or [""]
        return bool(rest) and follow_up(first) is None and bool(self.matcher.read(first).content)

    def _says_enough(self, text: str) -> bool:
        """Whether a message with a determiner or an English pronoun names its topic itself
        (这个双选会在哪; 那个AI与机器人产业联盟有多少成员; what's the Yuejiang model for, is it
        for training?), rather than leaving it to the pronoun (when was it founded?)."""
        q = self.matcher.read(text)
        words = [w for w, _, _ in q.content]
        if len(words) - len(q.focus & set(words)) >= 1 and len(words) >= 2:
            return True
        return self._names_a_subject(text)

    def _names_a_subject(self, text: str) -> bool:
        """Whether a message names a place, a body or a long name of the sources itself (他们
        在南沙讨论了什么; did KUKA sign anything there?): its pronoun then leans on that, not
        on a conversation before it."""
        index = self.matcher.index
        return any(
            w not in SLOT_WORDS
            and (
                (len(w) >= 3 and (w in index.phrase_owners or index.sounds_like(w)))
                or entities_in(w)
            )  # 高錦暉校長說他們學校: a name mistyped is still named
            for w, _, _ in self.matcher.read(text).content
        )

    def _kept_to_the_story(
        self, text: str, reply: Reply, context: Context, script: Script, now: float
    ) -> tuple[Reply, Context | None] | None:
        """A message naming nothing of its own (采用什么模式? How many schools signed?) that the
        whole base answers from another story: asked about the conversation's topic, the
        answer from the story talked about wins (the conference's format, not the job fair's).
        None when the message names a subject, or the topic does not answer it."""
        stories = self._articles(context)
        shown = self.base.by_id.get(reply.fact_ids[0])
        if shown is None or {s.article for s in shown.sources} & stories:
            return None
        if turns_away(text) or self._names_another(text, context.topic):
            return None
        if _names_a_place(self.matcher.index.canonical(text)):
            return None  # 那香港呢, 广东自己有没有相关基金: a place of its own
        leant = self._answer(f"{context.topic} {text}", script, now, context)
        fact = self.base.by_id.get(leant[0].fact_ids[0]) if leant[0].fact_ids else None
        if leant[0].mode != "answer" or fact is None:
            return None
        return leant if {s.article for s in fact.sources} & stories else None

    def _names_another(self, text: str, topic: str) -> bool:
        """Whether a question names its own subject, one the conversation's topic is not
        (what did the CEO of UBTech say? after the Dongguan fair): unanswered, it is refused
        on its own, not answered about the topic."""
        index = self.matcher.index
        canonical_topic = index.canonical(topic)
        return any(
            w not in SLOT_WORDS
            and w not in canonical_topic
            and not entities_in(w) & PLACES  # 那东莞有没有: the place swapped, same topic
            and ((len(w) >= 3 and w in index.phrase_owners) or entities_in(w))
            for w, _, _ in self.matcher.read(text).content
        )

    def _slip_for_pronoun(self, text: str) -> bool:
        """Whether the pronoun a message seems to hold is inside a mistyped name of the fact
        base (首其 for 首期), and nothing else in it points back."""
        words = [w for w, _, _ in self.matcher.read(text).content]
        slips = [w for w in words if holds_pronoun(w) and self.matcher.index.sounds_like(w)]
        rest = normalise(text)
        for word in slips:
            rest = rest.replace(word, " ")
        return bool(slips) and follow_up(rest) is not FollowUp.PRONOUN

    def _more(self, context: Context, script: Script, now: float) -> tuple[Reply, Context]:
        """More on the topic: the facts related to what was shown that were not shown yet."""
        shown = set(context.fact_ids)
        related: list[Fact] = []
        for fact_id in context.fact_ids:
            fact = self.base.by_id.get(fact_id)
            if fact is not None:
                related += [f for f in self.render.related(fact, self.base) if f.id not in shown]
        digest = self.overviews.digest(context.topic) if context.topic else None
        if digest is not None:
            related += [f for f in digest.facts if f.id not in shown]
        unique = list(dict.fromkeys(related))[:MAX_ITEMS]
        if not unique:
            return Reply(self.render.message("no_more", script), script=script), context.touched(
                now
            )
        reply = self.render.overview(Digest(context.topic, tuple(unique)), self.base, script)
        return reply, Context(now, context.topic, context.question, (*shown, *reply.fact_ids))

    def _the_one_there(self, text: str, context: Context) -> str | None:
        """南沙那场呢 after 双选会在哪里举办: the same question of the event held in 南沙 (the
        one there), not of the job fair in 南沙. None unless the ellipsis is a place with a
        determiner and the last question named its topic."""
        places = entities_in(self.matcher.index.canonical(referent(text))) & PLACES
        if not places or not determined(text) or not context.fact_ids:
            return None
        question, topic = normalise(context.question), normalise(context.topic)
        if not topic or topic not in question or entities_in(question) & PLACES:
            return None  # 东莞那场交流会…: the place is swapped, not the topic
        shown = self.base.by_id.get(context.fact_ids[0])
        noun = _KIND_NOUNS.get(shown.kind, "") if shown is not None else ""
        return question.replace(topic, f"{max(places, key=len)}{noun}", 1)

    def _small_talk(self, talk: SmallTalk, script: Script) -> Reply:
        chinese = script is not Script.ENGLISH
        examples = EXAMPLES["zh" if chinese else "en"]
        lines = [talk.zh if chinese else talk.en, *(f"• {e}" for e in examples)]
        text = self.render.say("\n".join(lines), script)
        return Reply(text, mode="smalltalk", script=script)

    def _multi_part(self, text: str, whole: Outcome) -> Reply | None:
        """Answers to each part, when the parts are answered by different facts."""
        parts = clauses(text)
        if len(parts) < 2:
            return None
        outcomes = [self.matcher.match(p) for p in parts]
        if whole.verdict is Verdict.MISSING_DETAIL and not all(o.answered for o in outcomes):
            return None  # a detail the best fact lacks, and no facts that answer every part
        first = outcomes[0]
        if first.verdict is Verdict.OUT_OF_SCOPE and not any(map(_names_a_place, parts[1:])):
            # 深圳也办了双选会吗，签约多少人: the later parts ask of 深圳's too
            return self.render.outcome(dataclasses.replace(first, script=whole.script), self.base)
        for n in range(1, len(outcomes)):
            if not first.answered and self._only_slots(parts[n]):
                outcomes[n] = first  # 意见几号印发的？具体日期有吗: still the 意见's date
            elif first.answered and not outcomes[n].answered:
                with_topic = self.matcher.match(first.matches[0].fact.title + parts[n])
                if with_topic.answered:
                    outcomes[n] = with_topic
            elif first.answered and self._only_slots(parts[n]):
                # 南沙活动有几多人出席？主办方系边个: the organisers of that event, not any
                topic = topic_of(
                    self.matcher.index, self.base, parts[0], first.matches[0].fact.id, None
                )
                with_topic = self.matcher.match(f"{topic} {parts[n]}")
                if with_topic.answered:
                    outcomes[n] = with_topic
        facts: list[Fact] = []
        answered = [o.matches[0].fact for o in outcomes if o.answered]
        if whole.answered and (len(answered) < 2 or whole.matches[0].fact in answered):
            facts.append(whole.matches[0].fact)  # not when it answers none of the parts
        for outcome in outcomes:
            if outcome.answered and outcome.matches[0].fact not in facts:
                facts.append(outcome.matches[0].fact)
        unanswered = [p for p, o in zip(parts, outcomes, strict=True) if not o.answered]
        if len(facts) < 2 and not (facts and not whole.answered):
            return None
        body = self.render.answers(facts, self.base, whole.script, text)
        if unanswered:
            missing = "、".join(f"「{p}」" for p in unanswered)
            body += "\n\n" + self.render.message("parts_unknown", whole.script, parts=missing)
        scores = [o.matches[0].score for o in outcomes if o.answered]
        return Reply(
            body, fact_ids=tuple(f.id for f in facts), mode="answer", script=whole.script,
            score=min(scores, default=0.0),
        )  # fmt: skip


def _one_report(matches: Sequence[Match]) -> bool:
    """Whether the closest facts all come from one report: then the question names that
    report (cheng mengxuan ... the nansha report) even though it asks nothing a fact says."""
    articles = [frozenset(s.article for s in m.fact.sources) for m in matches]
    return len(articles) > 1 and bool(frozenset.intersection(*articles))
