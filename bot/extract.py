"""Candidate facts from an article, for an editor to curate (never served until confirmed).

It proposes every sentence that carries what facts are made of (figures with units, dates,
《titles》, organisers, contests and awards), already shaped like a fact with its verbatim
quote, and says which sentences an existing fact already quotes so the editor can skip them.
For each it proposes:

- a kind, by what the sentence does: someone speaking (院长…表示) is a person's view, a report
  or a count is a statistic, a document is a policy (意见, 通知, 措施) or an initiative (倡议,
  行动), a contest or an award (大赛, 奖, 征集) is an event once it is held and dated and an
  initiative before, something held (举办, 大会上, 亮相) is an event, something founded (成立,
  揭牌) an organisation, something launched or signed (启动, 签订) an initiative;
- keywords that are names and terms: 《titles》 and “quoted names”, the glossary's terms, known
  places and organisations, names ending like names (…学院, …联盟, …有限公司), and rare nouns;
  never numerals or measure words (一个, 九届, 两大) and never the words every fact shares;
- the figures with their units and bounds (bot/figures.py), for the editor to check.

`--out FILE` writes them as a draft fact file: each entry has `draft: true`, so `facts check`
lists it as a draft (not served, not an error) until the editor has written its title,
answer and keywords and removed the mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import yaml

from bot.articles import Article, generic_lines
from bot.factbase import Fact, GlossaryEntry, Kind
from bot.figures import Figure, chinese_figures
from bot.lexicon import FUNCTION_WORDS, HOME_GROUND, ORGANISATIONS, PLACES
from bot.segment import Segmenter
from bot.text import normalise, to_simplified

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|\d{1,2}月")
_TITLE = re.compile(r"《([^》]{2,60})》")
_QUOTED_NAME = re.compile(r"[“\"]([^”\"，,。]{2,12})[”\"]")
_ORGANISER = re.compile(r"主办|承办|协办|指导|牵头|联合|印发|发布|成立|启动|签订|签署|揭牌|上线")
_MIN_CHARS = 12
_OVERLAP_CHARS = 20  # a shared run this long means a fact already quotes the sentence
MAX_KEYWORDS = 8

# What a sentence does, in the order the kinds are decided (the first that applies).
_SPEAKER = re.compile(
    "(?:院士|教授|校长|院长|主任|局长|厅长|书记|总经理|董事长|总裁|负责人|专家|主席|会长)"
    "[^，,。；]{0,12}(?:表示|介绍|认为|指出|说|称|强调|谈到|坦言)"
)
_REPORTED = re.compile("据统计|统计显示|数据显示|报告显示|显示[,，:：]|调查")
_DOCUMENT = re.compile("意见|通知|方案|规划|办法|措施|政策|条例|纲要|指南|决定")
_PROGRAMME = re.compile("倡议|行动|计划|工程|专项")
_PAPER = re.compile(f"{_DOCUMENT.pattern}|{_PROGRAMME.pattern}")
_POLICY_VERB = re.compile("印发|出台|发布|实施")
_POLICY_STATED = re.compile("明确提出|提出要|部署|贯彻落实")
_CONTEST = re.compile("大赛|竞赛|比赛|挑战赛|奖|评选|征集")
_HELD = re.compile("举办|举行|召开|开幕|闭幕|落幕|颁奖|亮相")
_EVENT = re.compile(
    "举办|举行|召开|开幕|闭幕|亮相|展示|大会上|会上|活动现场|峰会|论坛|展会|博览会|交流会"
    "|双选会|招聘会|展[中上]|周活动"
)
_FOUNDED = re.compile(
    "(?<!成立)(?:正式成立|宣布成立|成立了|组建|揭牌|挂牌|成立)(?!至今|以来|大会上|仪式上)"
)
_ORGANISATION = re.compile("联盟|委员会|协会|学会|中心|研究院|研究所|基地|实验室|学院|公司|平台")
_HOSTS = re.compile("主办|承办|协办")
_LAUNCHED = re.compile("启动|(?<!线)上线(?!下)|推出|发起|共建|签订|签署|合作协议|打造|发布了")
_MANY_FIGURES = 3  # counted figures that make a sentence a statistic whatever else it says

# Names end like names: the last word of a run of nouns tells an institution or a programme.
_NAME_ENDS = (
    "有限公司", "公司", "集团", "学院", "大学", "中学", "小学", "学校", "研究院", "研究所",
    "实验室", "中心", "基地", "联盟", "协会", "学会", "委员会", "大会", "大赛", "论坛", "峰会",
    "模型", "平台", "基金", "指数", "报告", "计划", "工程", "行动", "倡议", "奖",
)  # fmt: skip
_NOUN_TAGS = frozenset({"n", "nz", "nt", "ns", "nr", "nrt", "j", "eng"})
_COMMON = 2_000  # jieba frequency from which a general noun is too common to be a keyword
_RARE = 3  # general nouns a candidate takes at most: names and terms come first
_DETERMINER_START = re.compile("^[0-9每各该本此其]")
_NUMERAL_WORD = re.compile("^[一二两三四五六七八九十几数多]+[个家所位项条届大种类批名次年天期]")
_DOMAIN_WORDS = frozenset({"人工智能", "机器人", "人才", "产业", "ai", "智能"})  # every fact's


@dataclass(frozen=True)
class Candidate:
    kind: Kind
    quote: str
    figures: tuple[Figure, ...]
    dates: tuple[str, ...]
    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    covered_by: tuple[str, ...]


def guess_kind(simplified: str, figures: Sequence[Figure]) -> Kind:
    """The kind of fact a sentence states, by what it does (see the module's docstring):
    the first rule that applies decides."""
    counted = [f for f in figures if f.counted and not f.dated]
    dated = bool(_DATE.search(simplified))
    if _SPEAKER.search(simplified):
        return "person"
    if _REPORTED.search(simplified) or len(counted) >= _MANY_FIGURES:
        return "statistic"
    document = [m.group() for t in _TITLE.findall(simplified) for m in _PAPER.finditer(t)]
    if document:  # 《…专项行动实施意见》 is a policy; 《…协同培养倡议》 an initiative
        return "initiative" if _PROGRAMME.fullmatch(document[-1]) else "policy"
    if _POLICY_VERB.search(simplified) and _DOCUMENT.search(simplified):
        return "policy"
    if _POLICY_STATED.search(simplified):
        return "policy"
    if _CONTEST.search(simplified):
        return "event" if dated and _HELD.search(simplified) else "initiative"
    if _LAUNCHED.search(simplified):
        return "initiative"
    if _EVENT.search(simplified) or (dated and _HOSTS.search(simplified)):
        return "event"
    if _HOSTS.search(simplified) or (
        _FOUNDED.search(simplified) and _ORGANISATION.search(simplified)
    ):
        return "organization"
    return "statistic" if counted else "initiative"


class Keywords:
    """Names and terms of a sentence, most telling first (see the module's docstring)."""

    def __init__(self, glossary: Iterable[GlossaryEntry] = (), known: Iterable[str] = ()) -> None:
        entries = list(glossary)
        self._terms = {normalise(alias): e.term for e in entries for alias in (e.term, *e.zh)}
        self._names = {n for n in PLACES | ORGANISATIONS if n not in HOME_GROUND}
        self._segmenter = Segmenter([*self._terms, *self._names, *known])
        # The glossary's terms always tell; the facts' keywords only help segmenting (many are
        # readers' everyday words, not names).
        self._known = frozenset(self._terms)

    def of(self, simplified: str) -> tuple[str, ...]:
        canonical = normalise(simplified)
        found: list[str] = [*_TITLE.findall(simplified), *_QUOTED_NAME.findall(simplified)]
        found += [
            term for alias, term in self._terms.items() if len(alias) > 1 and alias in canonical
        ]
        found += sorted(n for n in self._names if n in canonical)
        words = self._segmenter.words(simplified)
        found += self._names_ending_like_names(words)
        counted = [(f.start, f.end) for f in chinese_figures(simplified)]
        rare = [  # not a word jieba glued onto a figure (1天线下: 天线)
            w for w, start, end in words
            if self._telling(w) and not any(s < end and start <= e for s, e in counted)
        ]  # fmt: skip
        found += sorted(dict.fromkeys(rare), key=self._frequency)[:_RARE]
        kept = [w for w in dict.fromkeys(found) if self._keyword(w)]
        # A word inside a longer keyword adds nothing (东莞 inside 东莞市技师学院 still does:
        # places and organisations are kept, they are what questions name).
        return tuple(
            w
            for w in kept
            if w in self._names or not any(w != other and w in other for other in kept)
        )[:MAX_KEYWORDS]

    def _frequency(self, word: str) -> int:
        return self._segmenter.frequency(word)

    def _keyword(self, word: str) -> bool:
        return (
            len(word) >= 2
            and not _counting(word)
            and normalise(word) not in FUNCTION_WORDS
            and normalise(word) not in HOME_GROUND
            and normalise(word) not in _DOMAIN_WORDS
        )

    def _telling(self, word: str) -> bool:
        """A noun rare enough to tell this fact from others (or one of the domain's terms)."""
        if word in self._known:
            return True
        tag = self._segmenter.tag(word)
        return tag in _NOUN_TAGS and self._frequency(word) < _COMMON

    def _names_ending_like_names(self, words: Sequence[tuple[str, int, int]]) -> list[str]:
        """Runs of adjacent nouns (and the verbs inside names: 人才培养基地) that end in a
        word names end with: 东莞市技师学院, 数字经济人才培养基地, 华为技术有限公司."""
        names: list[str] = []
        run: list[tuple[str, int, int]] = []
        for word, start, end in [*words, ("。", -1, -1)]:
            breaks = (
                normalise(word) in FUNCTION_WORDS
                or not re.search(r"[\u3400-\u9fffA-Za-z]", word)
                or _counting(word)
                or bool(run and run[-1][2] != start)
            )
            if breaks:
                run = []
                if normalise(word) in FUNCTION_WORDS or word == "。":
                    continue
            run.append((word, start, end))
            if len(run) >= 2 and word.endswith(_NAME_ENDS):
                first = next(i for i, (w, _, _) in enumerate(run) if not self._verb(w))
                text = "".join(w for w, _, _ in run[first:])
                if len(run) - first >= 2 and 4 <= len(text) <= 20:
                    names.append(text)
        return names

    def _verb(self, word: str) -> bool:
        tag = self._segmenter.tag(word)
        return bool(tag) and str(tag).startswith(("v", "d", "p", "a")) and tag != "vn"


def _counting(word: str) -> bool:
    """一个, 九届, 两大, 第三届, 20家, 每年: a number or a determiner, not a name."""
    return bool(_DETERMINER_START.match(word) or _NUMERAL_WORD.match(word)) or any(
        f.start == 0 for f in chinese_figures(word)
    )


def _overlaps(sentence: str, quote: str) -> bool:
    match = SequenceMatcher(None, sentence, quote, autojunk=False).find_longest_match()
    return match.size >= min(_OVERLAP_CHARS, len(sentence), len(quote))


def sentences(lines: Iterable[str]) -> list[str]:
    return [s.strip() for line in lines for s in _SENTENCE_END.split(line) if s.strip()]


def candidates(
    lines: Iterable[str],
    facts: Iterable[Fact] = (),
    article_id: str = "",
    glossary: Iterable[GlossaryEntry] = (),
) -> list[Candidate]:
    facts = list(facts)
    quoted = [(f.id, q.quote) for f in facts for q in f.sources if q.article == article_id]
    keywords = Keywords(glossary, known=(k for f in facts for k in f.keywords))
    found = []
    for sentence in sentences(lines):
        simplified = to_simplified(sentence)
        figures = tuple(chinese_figures(simplified))
        counted = tuple(f for f in figures if f.counted and not f.dated)
        dates = tuple(_DATE.findall(simplified))
        titles = tuple(f"《{t}》" for t in _TITLE.findall(simplified))
        organised = bool(_ORGANISER.search(simplified) or _CONTEST.search(simplified))
        if len(sentence) < _MIN_CHARS or not (counted or dates or titles or organised):
            continue
        covered = tuple(sorted({fid for fid, quote in quoted if _overlaps(sentence, quote)}))
        kind = guess_kind(simplified, figures)
        terms = keywords.of(simplified)
        found.append(Candidate(kind, sentence, counted, dates, titles, terms, covered))
    return found


def article_lines(raw: str, article: Article | None) -> list[str]:
    """The curated article when its source is registered, else the page minus generic chrome."""
    return article.text.splitlines() if article is not None else generic_lines(raw)


def figure_note(figure: Figure) -> str:
    """345家 = 345 bodies/schools; 逾7000个 = at least 7000 items: what the check will compare."""
    bound = {"at_least": "at least ", "at_most": "at most ", "vague": "some "}.get(figure.bound, "")
    families = "/".join(sorted(figure.families))
    return f"{figure.text} = {bound}{figure.value:g} {families}".rstrip()


def render(found: Iterable[Candidate], article_id: str) -> str:
    """A draft fact file an editor curates in place: every entry is `draft: true` (listed by
    `facts check`, never served) until its title, answer and keywords are written."""
    parts = [
        f"# Candidate facts from {article_id}, drafts until an editor confirms them: write a\n"
        "# short title, an answer in simplified characters whose figures all appear in the\n"
        "# quote, and the words people would type as keywords; then delete `draft: true`.\n"
        "# Delete candidates that are noise or already covered.\n"
    ]
    for n, candidate in enumerate(found, start=1):
        entry: Mapping[str, object] = {
            "id": f"{article_id.split('_')[0]}-candidate-{n:03d}",
            "draft": True,
            "kind": candidate.kind,
            "title": "TODO",
            "answer": to_simplified(candidate.quote),
            "keywords": list(candidate.keywords) or ["TODO"],
            "sources": [{"article": article_id, "quote": candidate.quote}],
        }
        notes = []
        if candidate.covered_by:
            notes.append(f"# already quoted by: {', '.join(candidate.covered_by)}")
        if candidate.figures:
            notes.append(f"# figures: {'; '.join(figure_note(f) for f in candidate.figures)}")
        if candidate.dates:
            notes.append(f"# dates: {', '.join(candidate.dates)}")
        block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000)
        parts.append("\n".join([*notes, block]))
    return "\n".join(parts)
