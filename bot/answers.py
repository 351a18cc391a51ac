"""What the bot says: answers, choices, refusals and lists, in the script the user wrote in.

Every text here is written in simplified characters and converted (OpenCC s2hk) for readers
who wrote in traditional ones. The same rendering serves Telegram (HTML, escaped) and the
console (plain). Nothing is shown that the sources do not say: an answer carries its figures,
its source and the verbatim sentence it rests on, and a date is only shown when the quoted
sentence contains its figures (the year of 5月7日 is our inference, not the article's).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.articles import Article
from bot.briefing import SIZE, Selection, select
from bot.factbase import Fact, FactBase, FactDiff, figures_in
from bot.matcher import MAX_QUESTION_CHARS, Outcome, Verdict
from bot.problems import FactBaseError
from bot.text import Script, to_simplified, to_traditional

TELEGRAM_LIMIT: Final = 4096
QUOTE_CHARS: Final = 120
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?:多|余)?(?:万|亿)?(?:人次|个|家|所|人|位|项|条|届|份|元|名|间|倍|万|亿)"
)
KIND_NAMES: Final = {
    "event": "活动",
    "policy": "政策",
    "statistic": "数据",
    "organization": "机构",
    "initiative": "举措",
    "person": "观点",
}


@dataclass(frozen=True)
class Choice:
    """Something the user can pick next (a button in Telegram, a numbered line on the console)."""

    fact_id: str
    label: str


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    fact_ids: tuple[str, ...] = ()  # the facts the reply is about, answer first


@functools.lru_cache(maxsize=4096)
def in_script(text: str, script: Script) -> str:
    """Our own (simplified) wording in the reader's script."""
    return to_traditional(text) if script is Script.TRADITIONAL else text


def to_script(text: str, script: Script) -> str:
    """Text of either script (quotes, article titles) in the reader's script."""
    return to_traditional(text) if script is Script.TRADITIONAL else to_simplified(text)


class Renderer:
    """Renders for one output: HTML for Telegram or plain text for the console."""

    def __init__(self, *, html_output: bool) -> None:
        self.html = html_output

    def _esc(self, text: str) -> str:
        return html.escape(text, quote=False) if self.html else text

    def _bold(self, text: str) -> str:
        return f"<b>{self._esc(text)}</b>" if self.html else text

    def _italic(self, text: str) -> str:
        return f"<i>{self._esc(text)}</i>" if self.html else f"「{text}」"

    def _say(self, text: str, script: Script) -> str:
        return self._esc(in_script(text, script))

    # -- facts --------------------------------------------------------------------------------

    def fact(self, fact: Fact, base: FactBase, script: Script, *, new: bool = False) -> str:
        lines = [self._bold(in_script(("🆕 " if new else "") + fact.title, script))]
        lines.append(self._say(fact.answer, script))
        figures = list(dict.fromkeys(_FIGURE.findall(fact.answer)))
        if len(figures) > 1:
            lines.append(self._say("📊 关键数字：" + " · ".join(figures), script))
        when = _when_text(fact)
        details = []
        if when and figures_in(when) <= figures_in(_quoted(fact)):
            details.append(f"📅 {when}")
        if fact.place:
            details.append(f"📍 {fact.place}")
        if details:
            lines.append(self._say("  ".join(details), script))
        lines.extend(self._source(fact, base, script))
        return "\n".join(lines)

    def _source(self, fact: Fact, base: FactBase, script: Script) -> list[str]:
        quote = _shorten(fact.sources[0].quote, QUOTE_CHARS)
        cited = "；".join(dict.fromkeys(_cite(base.articles[s.article]) for s in fact.sources))
        return [
            self._esc(to_script("📰 来源：" + cited, script)),
            self._say("原文：", script) + self._italic(to_script(quote, script)),
        ]

    def help(self, base: FactBase, script: Script) -> str:
        kinds = Counter(f.kind for f in base.facts)
        counts = "、".join(f"{KIND_NAMES[k]}{n}" for k, n in kinds.most_common())
        years = [int(f.when[:4]) for f in base.facts if f.when]
        published = sorted(a.published for a in base.articles.values() if a.published)
        lines = [
            self._bold(
                in_script("湾区AI简报 · 广东及粤港澳大湾区人工智能与机器人人才简报", script)
            ),
            self._say(
                f"我根据{len(base.articles)}篇报道整理了{len(base.facts)}条资料（{counts}），"
                f"涉及{min(years)}年至{max(years)}年；报道发布于{published[0]}至{published[-1]}"
                "（部分报道未注明日期）。每个回答都注明出处和原文。",
                script,
            ),
            self._say("直接提问即可，简体、繁体、粤语或英文都可以，例如：", script),
            self._say("• 广东有多少所技工院校？\n• 双选会现场签约多少人？", script),
            self._esc("• 產業聯盟幾時成立？\n• How many technical schools are there in Guangdong?"),
            self._say(
                "命令：/events 活动 · /policies 政策 · /stats 数据 · /about 资料来源\n"
                "/subscribe 08:00 订阅每日简报（可加 政策 等主题）· /unsubscribe 取消 · "
                "/briefing 今日简报 · /timezone Asia/Hong_Kong 设置时区",
                script,
            ),
        ]
        return "\n".join(lines)

    def about(self, base: FactBase, script: Script) -> str:
        lines = [self._bold(in_script("资料来源", script))]
        for number, article in enumerate(base.articles.values(), start=1):
            cited = sum(any(q.article == article.id for q in f.sources) for f in base.facts)
            title = article.title or "（原网页无标题）"
            date = article.published.isoformat() if article.published else "未注明日期"
            entry = f"{number}. {title}\n   {article.publisher} · {date} · {cited}条资料"
            lines.append(self._esc(to_script(entry, script)))
        return "\n".join(lines)

    def choices(self, facts: Iterable[Fact], script: Script) -> tuple[Choice, ...]:
        return tuple(Choice(f.id, in_script(f.title, script)) for f in facts)

    def facts_list(
        self, heading: str, facts: Sequence[Fact], script: Script, *, start: int = 1
    ) -> str:
        lines = [self._bold(in_script(heading, script))]
        for number, fact in enumerate(facts, start=start):
            when = f"（{_when_text(fact)}）" if fact.when else ""
            lines.append(self._say(f"{number}. {fact.title}{when}", script))
        return "\n".join(lines)

    # -- briefings ----------------------------------------------------------------------------

    def briefing(self, selection: Selection, script: Script) -> str:
        day = selection.day
        lines = [
            self._bold(in_script(f"☀️ 湾区AI简报 · {day.year}年{day.month}月{day.day}日", script))
        ]
        count = len(selection.facts)
        if selection.unseen > selection.fresh:
            lines.append(self._say(f"今天{count}条，其中{selection.fresh}条你还没看过。", script))
        elif selection.unseen:  # the last unseen ones: say so, or the rotation is a surprise
            lines.append(
                self._say(
                    f"今天{count}条，其中{selection.fresh}条你还没看过；"
                    "看完这些，资料里的内容你就都看过了。",
                    script,
                )
            )
        else:
            lines.append(self._say(f"今天{count}条：资料都已看过，换个角度再回顾一次。", script))
        if selection.upcoming:
            lines.append(self._bold(in_script("🔜 即将举行", script)))
            lines.extend(self._item(f, selection, script) for f in selection.upcoming)
        for heading, facts in selection.sections:
            lines.append(self._bold(in_script(heading, script)))
            lines.extend(self._item(f, selection, script) for f in facts)
        lines.append(self._say("直接提问了解详情 · /events 浏览 · /unsubscribe 取消订阅", script))
        return "\n".join(lines)

    def _item(self, fact: Fact, selection: Selection, script: Script) -> str:
        new = "🆕 " if fact.id in selection.new else ""
        when = _when_text(fact)
        dated = f"（{when}）" if when and fact in selection.upcoming else ""
        dated = f"（{when}，已过）" if when and fact.id in selection.past else dated
        title = self._bold(in_script(f"{new}{fact.title}{dated}", script))
        return f"• {title}\n  {self._say(fact.answer, script)}"

    def compose_briefing(
        self,
        base: FactBase,
        *,
        day: dt.date,
        seen: Mapping[str, str],
        new: frozenset[str],
        wanted: Callable[[Fact], bool],
        script: Script,
    ) -> tuple[str, Selection]:
        """The day's briefing, shortened by whole facts until it fits one Telegram message."""
        for size in range(SIZE, 0, -1):
            selection = select(base, day=day, seen=seen, new=new, wanted=wanted, size=size)
            text = self.briefing(selection, script)
            if len(text) <= TELEGRAM_LIMIT:
                break
        return text, selection

    # -- reloads ------------------------------------------------------------------------------

    def reloaded(self, diff: FactDiff, base: FactBase) -> str:
        lines = [f"已重新加载并通过校验：现有{len(base.facts)}条资料。"]
        if not diff:
            lines.append("内容没有变化。")
        for label, ids in (("新增", diff.added), ("删除", diff.removed), ("修改", diff.changed)):
            if ids:
                lines.append(f"{label}{len(ids)}条：{', '.join(ids)}")
        return self._esc("\n".join(lines))

    def reload_failed(self, error: FactBaseError, limit: int = 20) -> str:
        shown = [str(p) for p in error.problems[:limit]]
        more = len(error.problems) - len(shown)
        lines = [f"重新加载失败（{len(error.problems)}个问题），继续使用原有资料：", *shown]
        if more:
            lines.append(f"……另有{more}个问题，运行 baybrief facts check 查看全部。")
        return self._esc("\n".join(lines))

    # -- outcomes of a question ----------------------------------------------------------------

    def outcome(self, outcome: Outcome, base: FactBase) -> Reply:
        script = outcome.script
        ids = tuple(m.fact.id for m in outcome.matches)
        choices = tuple(Choice(m.fact.id, in_script(m.fact.title, script)) for m in outcome.matches)
        if outcome.verdict is Verdict.ANSWERED:
            best, related = outcome.matches[0], outcome.matches[1:]
            more = [base.by_id[i] for i in best.fact.related if i in base.by_id]
            offered = list(dict.fromkeys([*(m.fact for m in related), *more]))[:3]
            text = self.fact(best.fact, base, script)
            buttons = tuple(Choice(f.id, in_script(f.title, script)) for f in offered)
            return Reply(text, buttons, ids)
        if outcome.verdict is Verdict.AMBIGUOUS:
            text = self._say("这几条资料都可能是你要找的，请选一条：", script)
            return Reply(self._numbered(text, choices), choices, ids)
        if outcome.verdict is Verdict.OUT_OF_SCOPE:
            named = "、".join(outcome.unknown)
            text = self._say(
                f"抱歉，我的资料里没有关于「{named}」的内容。我只掌握所收录的几篇报道中的广东及"
                "粤港澳大湾区人工智能与机器人人才、活动、政策和数据。",
                script,
            )
            return self._with_suggestions(text, choices, script, ids)
        if outcome.verdict is Verdict.TOO_LONG:
            text = (
                f"问题太长了（超过{MAX_QUESTION_CHARS}字）。"
                "请用一两句话提问，例如：广东有多少所技工院校？"
            )
            return Reply(self._say(text, script))
        if outcome.verdict is Verdict.EMPTY:
            return Reply(self._say("请用文字提问，例如：双选会现场签约多少人？", script))
        text = self._say("抱歉，我的资料里没有这个问题的答案，不想给你一个不可靠的回答。", script)
        return self._with_suggestions(text, choices, script, ids)

    def _with_suggestions(
        self, text: str, choices: tuple[Choice, ...], script: Script, ids: tuple[str, ...]
    ) -> Reply:
        if not choices:
            return Reply(text + "\n" + self._say("可以发送 /help 看看我能回答哪些问题。", script))
        return Reply(
            self._numbered(text + "\n" + self._say("你可能想了解：", script), choices), choices, ids
        )

    def _numbered(self, text: str, choices: Iterable[Choice]) -> str:
        lines = [text, *(f"{n}. {self._esc(c.label)}" for n, c in enumerate(choices, start=1))]
        return "\n".join(lines)


def _when_text(fact: Fact) -> str | None:
    if fact.when is None:
        return None
    parts = [int(p) for p in fact.when.split("-")]
    return "".join(f"{value}{unit}" for value, unit in zip(parts, "年月日", strict=False))


def _quoted(fact: Fact) -> str:
    return to_simplified("\n".join(q.quote for q in fact.sources))


def _cite(article: Article) -> str:
    title = f"《{article.title}》" if article.title else ""
    date = f" {article.published.isoformat()}" if article.published else ""
    return f"{article.publisher}{title}{date}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts under Telegram's limit, cut at line ends so no HTML tag is split (ours never span
    lines); a single overlong line is cut hard, which only plain text can contain."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts
