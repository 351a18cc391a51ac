"""What each command of the bot does, and what a question leads to, for every front end.

Telegram (handlers/) and the console (bot/console.py) turn what arrived into an `Asker` (the
chat, the user, the script to answer in, whether they are an administrator, and how to learn
whether they may change the chat's settings) and a command of the table (bot/commands.py),
call `Service.run` or `Service.answer`, and show the `Output`: its text, the facts to offer
(buttons, or numbered lines), the page controls of a list, the 👍/👎 of an answer. So what the
bot says and what it records are decided once, here, and the console is the bot without
Telegram rather than a second implementation of it.

The store is used only through bot/storage.py (off the event loop, bounded, never fatal to an
answer): a change that cannot be saved is said to the one who asked for it; a question is
answered whatever the store does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from bot import metrics
from bot.answers import ANSWERING_MODES, Choice, Renderer, Reply
from bot.briefing import Composed, Content, SubscriptionError, compose, parse_request, topic_filter
from bot.browse import CATEGORIES, Page, page
from bot.clock import Clock, SystemClock
from bot.commands import HANDLERS, Command, CommandTable, commands
from bot.config import ConfigError, Settings, parse_timezone
from bot.curation import QUESTION_CHARS, REASONS, group, key_words, reason_label
from bot.curation import render as render_gaps
from bot.dialogue import Context as Conversation
from bot.factbase import FactBase
from bot.matcher import MAX_QUESTION_CHARS, Matcher
from bot.messages import Verbatim, message
from bot.problems import FactBaseError
from bot.records import Asked, Verdict
from bot.report import Reload, Running, read_store
from bot.report import render as render_status
from bot.schedule import local_day, next_due, zone_of
from bot.serving import Recorded, Served, record_facts, serve
from bot.storage import Storage, StoreUnavailable
from bot.store import Store
from bot.text import Script

log = logging.getLogger("baybrief.service")
T = TypeVar("T")
GAPS_SHOWN_DAYS: Final = 7  # what /gaps looks back over without an argument
VOTE_DAYS: Final = 2  # an answer nobody voted 👎 is forgotten after this (its 👍/👎 then expire)
_TOKEN_BYTES: Final = 9  # 12 characters in callback data: unguessable, and far under 64 bytes


_NUMBER: Final = re.compile(r"[0-9]{1,4}", re.ASCII)


def number(text: str) -> int | None:
    """A plain number as typed (a page, days, a choice): ASCII digits only (int() would take
    ١٢ and refuse ² after str.isdigit() accepted both), and short (int() refuses 5000 digits)."""
    return int(text) if _NUMBER.fullmatch(text) else None


async def _anyone() -> bool:
    return True


@dataclass(frozen=True)
class Asker:
    """Who asks, where, and in which script the answer is wanted."""

    chat_id: int
    script: Script
    user_id: int | None = None  # None: unknown (an anonymous group admin), or the console
    thread_id: int | None = None  # a forum topic
    admin: bool = False  # a bot administrator (BAYBRIEF_ADMIN_IDS; the console's user)
    group: bool = False
    console: bool = False
    # Whether the sender may change the chat's subscription and time zone (in groups: its
    # administrators); asked only when a change is asked for, as it costs Telegram a call.
    may_change: Callable[[], Awaitable[bool]] = _anyone


@dataclass(frozen=True)
class Output:
    """A reply, for any front end to show."""

    text: str
    choices: tuple[Choice, ...] = ()  # facts to offer: buttons, or numbered lines
    page: Page | None = None  # a browse page: its numbers and ◀ ▶
    feedback: str | None = None  # the token the 👍/👎 of an answer carry
    mode: str = "command"  # the reply's mode for questions (answer, choices, refusal...)
    menu: bool = False  # /help: the front end may refresh the chat's command menu
    done: Callable[[], Awaitable[None]] | None = None  # once shown (what is seen, recorded)


@dataclass(frozen=True)
class Vote:
    text: str  # the thanks (or why nothing was recorded)
    ask_reason: bool = False  # a 👎 that was recorded: offer the reasons


class _NotSaved(Exception):
    """A change the user asked for could not be written; they are told so."""


Action = Callable[["Service", Asker, str, Command], Awaitable[Output]]


class Service:
    def __init__(
        self,
        *,
        settings: Settings,
        storage: Storage,
        served: Served,
        renderer: Renderer,
        table: CommandTable | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings, self.storage, self.served = settings, storage, served
        self.render, self.table = renderer, table or commands()
        self.clock = clock or SystemClock()
        self.started_at = self.clock.now()
        self.reloads = 0
        self.last_reload: Reload | None = None
        self.fact_version: int | None = None  # the store's fact base version served here
        self._pruned_on: dt.date | None = None
        for command in self.table:
            if command.handler == "browse" and command.name not in CATEGORIES:
                raise ValueError(f"/{command.name} browses no category of bot/data/kinds.yaml")

    def content(self) -> Content:
        """What briefings are made of right now (a reload swaps it)."""
        return self.served.content()

    def _say(self, key: str, asker: Asker, **values: object) -> Output:
        return Output(self.render.message(key, asker.script, **values))

    # -- commands ------------------------------------------------------------------------------

    async def run(self, command: Command, asker: Asker, argument: str = "") -> Output:
        """A command of the table, for whoever may use it."""
        if command.who == "bot_admins" and not asker.admin:
            log.warning("refused /%s from user %s", command.name, asker.user_id or "unknown")
            if command.handler == "reload":
                metrics.RELOADS.labels("refused").inc()
            return self._say("bot_admins_only", asker, command=command.name)
        try:
            return await ACTIONS[command.handler](self, asker, argument.strip(), command)
        except _NotSaved:
            return self._say("not_saved", asker)
        except StoreUnavailable as error:  # a read a command cannot do without (/status)
            log.warning("/%s without the store: %s", command.name, error)
            return self._say("store_unavailable", asker)

    async def _change(self, asker: Asker, work: Callable[[Store], T]) -> T:
        """Do a change the user asked for; if it cannot be saved, the user is told so."""
        try:
            return await self.storage.write(work)
        except StoreUnavailable as error:
            log.warning("chat %s: change not saved: %s", asker.chat_id, error)
            raise _NotSaved from error

    def _remember_script(self, asker: Asker) -> Callable[[], Awaitable[None]]:
        """Keep the chat's script for replies without text (buttons, briefings)."""
        chat_id, script = asker.chat_id, asker.script.value
        return lambda: self.storage.remember(
            lambda store: store.set_chat(chat_id=chat_id, script=script)
        )

    async def _help(self, asker: Asker, argument: str, command: Command) -> Output:
        text = self.render.help(self.served.base, asker.script, self.table, admin=asker.admin)
        return Output(text, menu=True, done=self._remember_script(asker))

    async def _about(self, asker: Asker, argument: str, command: Command) -> Output:
        return Output(self.render.about(self.served.base, asker.script))

    async def _browse(self, asker: Asker, argument: str, command: Command) -> Output:
        return self.page(command.name, (number(argument) or 1) - 1, asker.script)

    def page(self, category: str, number: int, script: Script) -> Output:
        """A page of a category (a stale page number shows the nearest page)."""
        shown = page(self.served.base, category, number)
        text = self.render.facts_list(
            shown.heading(script), shown.facts, script, start=shown.first_position
        )
        return Output(text, choices=self.render.choices(shown.facts, script), page=shown)

    def fact(self, fact_id: str, script: Script) -> Output | None:
        """A fact in full, as a button shows it, with its related facts; None if a reload
        removed it."""
        served = self.served
        fact = served.base.by_id.get(fact_id)
        if fact is None:
            return None
        text = self.render.fact(fact, served.base, script, new=fact.id in served.new)
        related = [served.base.by_id[i] for i in fact.related if i in served.base.by_id]
        return Output(text, choices=self.render.choices(related, script))

    async def _subscribe(self, asker: Asker, argument: str, command: Command) -> Output:
        if not await asker.may_change():
            return self._say("group_admins_only", asker)
        try:
            request = parse_request(argument)
            topic_filter(self.served.matcher.index, request.topic)
        except SubscriptionError as error:
            return self._say("not_subscribed_because", asker, reason=error.text(asker.script))
        default_zone, now = self.settings.timezone, self.clock.now()
        chat_id, thread = asker.chat_id, asker.thread_id

        def save(store: Store) -> str:
            store.set_chat(chat_id=chat_id, script=asker.script.value)
            zone = zone_of(store.timezone(chat_id=chat_id), default_zone)
            store.subscribe(
                chat_id=chat_id, send_time=request.send_time, topic=request.topic,
                thread_id=thread, next_due_at=next_due(request.send_time, zone, after=now),
            )  # fmt: skip
            return zone.key

        zone = await self._change(asker, save)
        script = asker.script
        topic = message("subscribed_topic", script, topic=Verbatim(request.topic or ""))
        text = self.render.message(
            "subscribed", script, time=request.send_time.isoformat("minutes"), zone=zone,
            topic=Verbatim(topic) if request.topic else "",
            thread=message("subscribed_thread", script) if thread else "",
            hint=message("subscribed_hint", script),
        )  # fmt: skip
        return Output(text)

    async def _unsubscribe(self, asker: Asker, argument: str, command: Command) -> Output:
        if not await asker.may_change():
            return self._say("group_admins_only", asker)
        chat_id = asker.chat_id
        removed = await self._change(asker, lambda store: store.unsubscribe(chat_id=chat_id))
        return self._say("unsubscribed" if removed else "not_subscribed", asker)

    async def _timezone(self, asker: Asker, argument: str, command: Command) -> Output:
        chat_id, script = asker.chat_id, asker.script
        if not argument:
            known = await self.storage.read(
                lambda store: store.timezone(chat_id=chat_id), default=None
            )
            default = message("timezone_default", script, zone=self.settings.timezone.key)
            return self._say("timezone_current", asker, zone=known or default)
        if not await asker.may_change():
            return self._say("group_admins_only", asker)
        name = argument.split()[0]
        try:
            zone = parse_timezone(name, variable="time zone")
        except ConfigError:
            return self._say("timezone_unknown", asker, name=Verbatim(name))
        now = self.clock.now()

        def save(store: Store) -> None:
            store.set_chat(chat_id=chat_id, timezone=zone.key)
            subscription = store.subscription(chat_id=chat_id)
            if subscription is not None:  # due next at its time in the new zone
                due = next_due(subscription.send_time, zone, after=now)
                store.reschedule(due=[(chat_id, due)])

        await self._change(asker, save)
        return self._say("timezone_set", asker, zone=zone.key)

    async def _briefing(self, asker: Asker, argument: str, command: Command) -> Output:
        """Today's briefing now, as a reply: not recorded in the outbox (the day's scheduled
        one still comes), but what it shows counts as seen."""
        content, default_zone = self.content(), self.settings.timezone
        chat_id, now = asker.chat_id, self.clock.now()

        def composed_for(store: Store) -> Composed:
            day = local_day(now, zone_of(store.timezone(chat_id=chat_id), default_zone))
            return compose(store, content, self.render, chat_id=chat_id, day=day)

        try:
            composed = await self.storage.write(composed_for)
        except StoreUnavailable as error:  # without what the chat has seen: a fresh selection
            log.warning("briefing for chat %s without its history: %s", chat_id, error)
            day = local_day(now, default_zone)
            composed = compose(Store.in_memory(), content, self.render, chat_id=chat_id, day=day)

        async def seen() -> None:
            await self.storage.remember(
                lambda store: store.mark_seen(chat_id=chat_id, fact_ids=composed.fact_ids)
            )

        return Output(composed.text, done=seen)

    async def _whoami(self, asker: Asker, argument: str, command: Command) -> Output:
        script = asker.script
        if asker.console:
            return self._say("whoami_console", asker)
        if asker.user_id is None:
            lines = [self.render.message("whoami_unknown", script)]
        else:
            lines = [self.render.message("whoami", script, user_id=asker.user_id)]
        if asker.group:
            lines.append(self.render.message("whoami_chat", script, chat_id=asker.chat_id))
        if asker.user_id is not None:
            key = "whoami_admin" if asker.admin else "whoami_not_admin"
            lines.append(self.render.message(key, script))
        return Output("\n".join(lines))

    async def _reload(self, asker: Asker, argument: str, command: Command) -> Output:
        """Re-read and verify facts/ off the event loop, then swap in one assignment; on any
        problem the old facts keep being served and the admin gets the file:line list."""
        settings, old, script = self.settings, self.served.base, asker.script
        self.reloads += 1
        try:
            base = await asyncio.to_thread(FactBase.load, settings.facts_dir, settings.seeds_dir)
        except FactBaseError as error:
            log.warning(
                "reload by %s failed with %d problem(s)", asker.user_id, len(error.problems)
            )
            self.last_reload = Reload(self.clock.now(), ok=False, problems=len(error.problems))
            metrics.RELOADS.labels("failed").inc()
            return Output(self.render.reload_failed(error, script=script))
        matcher = await asyncio.to_thread(Matcher, base)  # ~0.2 s: not on the event loop
        note = ""
        try:
            recorded = await self.storage.write(lambda store: record_facts(store, base))
        except StoreUnavailable as error:  # serve the new facts; which are new is known next time
            log.warning("reload by %s: could not record the facts: %s", asker.user_id, error)
            recorded = Recorded(frozenset(), self.fact_version)
            note = "\n" + self.render.message("reload_not_recorded", script)
        self.served = serve(base, recorded.new, matcher, html=self.render.html)
        self.fact_version = recorded.version  # the other instances follow this one
        metrics.RELOADS.labels("ok").inc()
        diff = old.diff(base)
        counts = len(diff.added), len(diff.removed), len(diff.changed)
        self.last_reload = Reload(self.clock.now(), True, *counts)
        log.info("reload by %s: +%d -%d ~%d facts", asker.user_id, *counts)
        return Output(self.render.reloaded(diff, base, script) + note)

    async def _gaps(self, asker: Asker, argument: str, command: Command) -> Output:
        kept = self.settings.gaps_days
        days = number(argument)
        if argument and (days is None or not 1 <= days <= kept):
            return self._say("gaps_days_bad", asker, most=kept)
        days = days or min(GAPS_SHOWN_DAYS, kept)
        now = self.clock.now()
        since = now - dt.timedelta(days=days)

        def rows(store: Store) -> list[Asked]:
            self._prune(store, now)
            return store.asked(since=since, verdicts=("unanswered", "down"))

        found: list[Asked] = await self.storage.read(rows, default=[])
        text = render_gaps(
            group(found), self.served.base, self.render, asker.script, days=days, kept_days=kept
        )
        return Output(text)

    async def _status(self, asker: Asker, argument: str, command: Command) -> Output:
        now, zone = self.clock.now(), self.settings.timezone
        stored = await self.storage.write(lambda store: read_store(store, now=now, zone=zone))
        running = Running(self.served.base, self.started_at, now, self.reloads, self.last_reload)
        text = render_status(stored, self.render, asker.script, zone=zone, running=running)
        return Output(text)

    # -- questions and the curation loop ------------------------------------------------------

    async def answer(self, asker: Asker, text: str) -> Output:
        """The reply to a message, with the chat's (or forum topic's) conversation before it.
        The store is read and written around the answer, never in its way: `done` saves the
        conversation and keeps the question for the curation loop (unanswered, or answered and
        waiting for a vote), without who asked it."""
        chat_id, thread = asker.chat_id, asker.thread_id
        saved = await self.storage.read(
            lambda store: store.conversation(chat_id=chat_id, thread_id=thread), default=None
        )
        before = Conversation.from_json(saved) if saved else None
        served = self.served
        now = self.clock.now()
        started = time.perf_counter()
        reply, after = served.assistant.converse(
            text, before, now=now.timestamp(), script=asker.script
        )
        metrics.answered(reply.mode, time.perf_counter() - started)
        kept = self._kept(reply, text, served.matcher)
        token = secrets.token_urlsafe(_TOKEN_BYTES) if kept else None
        state = after.to_json() if after else None
        script = asker.script.value

        def record(store: Store) -> None:
            store.set_chat(chat_id=chat_id, script=script)
            if after != before:
                store.save_conversation(chat_id=chat_id, thread_id=thread, context=state)
            if kept is not None and token is not None:
                verdict, normalised = kept
                store.record_question(
                    token=token, question=text.strip()[:QUESTION_CHARS], normalised=normalised,
                    fact_ids=reply.fact_ids, mode=reply.mode, verdict=verdict, at=now,
                )  # fmt: skip
                self._prune(store, now)

        async def done() -> None:
            await self.storage.remember(record)

        answered = reply.mode in ANSWERING_MODES
        return Output(
            reply.text,
            choices=reply.choices,
            feedback=token if answered else None,
            mode=reply.mode,
            done=done,
        )

    @staticmethod
    def _kept(reply: Reply, text: str, matcher: Matcher) -> tuple[Verdict, str] | None:
        """Whether a question is kept, and as what: answers wait for a vote, refusals and
        choices are the to-do list. Small talk, empty and overlong messages are not."""
        if reply.mode == "smalltalk" or len(text) > MAX_QUESTION_CHARS:
            return None
        normalised = key_words(matcher, text)
        if not normalised:
            return None
        verdict: Verdict = "answered" if reply.mode in ANSWERING_MODES else "unanswered"
        return verdict, normalised

    def _prune(self, store: Store, now: dt.datetime) -> None:
        """Forget, once a day, what the retention period is over for (on the store's
        thread, as part of a call already made)."""
        if self._pruned_on == now.date():
            return
        kept_after = now - dt.timedelta(days=self.settings.gaps_days)
        votes_after = now - dt.timedelta(days=min(VOTE_DAYS, self.settings.gaps_days))
        pruned = store.prune_questions(kept_after=kept_after, votes_after=votes_after)
        if pruned:
            log.info("forgot %d questions past their retention", pruned)
        self._pruned_on = now.date()

    async def vote(self, token: str, *, up: bool, script: Script) -> Vote:
        """A reader's 👍 or 👎 on an answer; a 👎 then asks (optionally) what was wrong."""
        now = self.clock.now()
        try:
            rated = await self.storage.write(lambda s: s.rate(token=token, up=up, at=now))
        except StoreUnavailable as error:
            log.warning("vote not saved: %s", error)
            return Vote(self.render.message("not_saved", script))
        if not rated:
            return Vote(self.render.message("vote_expired", script))
        if up:
            return Vote(self.render.message("vote_thanks", script))
        return Vote(self.render.message("vote_what", script), ask_reason=True)

    async def reason(self, token: str, reason: str, script: Script) -> str:
        if reason not in REASONS:
            return self.render.message("stale_button", script)
        try:
            await self.storage.write(lambda s: s.give_reason(token=token, reason=reason))
        except StoreUnavailable as error:
            log.warning("reason not saved: %s", error)
            return self.render.message("not_saved", script)
        return self.render.message("reason_thanks", script)

    @staticmethod
    def reasons(script: Script) -> list[tuple[str, str]]:
        """What a 👎 may say was wrong: (code, label)."""
        return [(code, reason_label(code, script)) for code in REASONS]


ACTIONS: Final[dict[str, Action]] = {
    "help": Service._help,
    "about": Service._about,
    "browse": Service._browse,
    "subscribe": Service._subscribe,
    "unsubscribe": Service._unsubscribe,
    "timezone": Service._timezone,
    "briefing": Service._briefing,
    "whoami": Service._whoami,
    "reload": Service._reload,
    "gaps": Service._gaps,
    "status": Service._status,
}

if set(ACTIONS) != HANDLERS:  # the table may name only handlers that exist here
    raise AssertionError(f"bot/commands.py HANDLERS and ACTIONS differ: {set(ACTIONS) ^ HANDLERS}")
