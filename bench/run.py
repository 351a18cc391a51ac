"""Benchmark: latency, accuracy, start-up time and memory of the matcher against BM25.

`make bench` (python -m bench.run). The baseline is BM25 (bm25s) over jieba tokens of each
fact's title, keywords, sample questions and answer, answering its best hit and refusing only
when nothing matches. Both run in this same process over the same questions, alternating
rounds; every figure is a median over rounds, and ratios are ours / baseline. Then the same on
the real facts plus 100,000 synthetic ones, and start-up (imports + fact base + index) and peak
memory in fresh interpreters.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import bm25s
import jieba

from bot.evaluation import Case, Judge, Tally, load
from bot.factbase import KINDS, Fact, FactBase, Quote
from bot.lexicon import FUNCTION_WORDS, PLACES
from bot.matcher import Matcher
from bot.segment import GENERAL_DICTIONARY
from bot.text import normalise

ROOT = Path(__file__).resolve().parent.parent
Answer = Callable[[str], str | None]


# Tuning sets only: a held-out set is scored once, by tests/test_evaluation.py, never here.
SETS = ("questions.yaml", "understanding-tuning.yaml", "english-tuning.yaml")
DATA = ROOT / "tests" / "data"


def ours(matcher: Matcher) -> Answer:
    def answer(question: str) -> str | None:
        outcome = matcher.match(question)
        return outcome.matches[0].fact.id if outcome.answered else None

    return answer


def _tokens(text: str) -> list[str]:
    return [w for w in jieba.lcut(normalise(text)) if w.strip() and w not in FUNCTION_WORDS]


def bm25(base: FactBase) -> Answer:
    corpus = [_tokens(" ".join([f.title, *f.keywords, *f.questions, f.answer])) for f in base.facts]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    ids = [f.id for f in base.facts]
    vocabulary = retriever.vocab_dict

    def answer(question: str) -> str | None:
        tokens = [t for t in _tokens(question) if t in vocabulary]
        if not tokens:
            return None
        documents, scores = retriever.retrieve([tokens], k=1, show_progress=False)
        return ids[int(documents[0][0])] if float(scores[0][0]) > 0 else None

    return answer


def latencies(answer: Answer, questions: Sequence[str]) -> list[float]:
    timings = []
    for question in questions:
        start = time.perf_counter()
        answer(question)
        timings.append(time.perf_counter() - start)
    return timings


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def compare(answers: dict[str, Answer], questions: Sequence[str], rounds: int) -> dict[str, Any]:
    """p50/p99 per round for each matcher, rounds interleaved; medians over rounds."""
    per_round: dict[str, list[tuple[float, float]]] = {name: [] for name in answers}
    for answer in answers.values():  # warm caches once
        latencies(answer, questions[:50])
    for _ in range(rounds):
        for name, answer in answers.items():
            timings = latencies(answer, questions)
            per_round[name].append((percentile(timings, 0.5), percentile(timings, 0.99)))
    return {
        name: {
            "p50_ms": statistics.median(r[0] for r in rounds_) * 1e3,
            "p99_ms": statistics.median(r[1] for r in rounds_) * 1e3,
        }
        for name, rounds_ in per_round.items()
    }


def single_questions(name: str) -> list[Case]:
    """The set's questions asked on their own (no dialogue turns, no overviews, one part)."""
    return [
        c for c in load(DATA / name) if c.conversation is None and c.kind != "overview"
        and len(c.parts) <= 1
    ]  # fmt: skip


def accuracy(
    answer: Answer, sets: dict[str, list[Case]], judge: Judge
) -> dict[str, dict[str, float]]:
    """Top-1 right on answerable questions, and refusals on those to refuse, per set."""
    found = {}
    for name, cases in sets.items():
        right, refused = Tally(), Tally()
        for case in cases:
            got = answer(case.question)
            if case.kind == "refusal":
                refused.total += 1
                refused.right += got is None
            else:
                right.total += 1
                right.right += got is not None and (
                    judge.same_statement(got, case.accept)
                    if case.accept
                    else all(judge.holds(got, p) for p in case.parts)
                )
        found[name] = {"top1": right.rate, "refusals": refused.rate, "answerable": right.total}
    return found


def synthetic_base(real: FactBase, size: int, seed: int = 7) -> FactBase:
    """The real facts plus plausible distractors built from general Chinese nouns and places.

    Distractors share the domain's common words (人工智能, 人才, 产业) but not its names, so the
    run measures how the index scales and how much common-word noise costs, not trick questions.
    """
    rng = random.Random(seed)
    nouns = [
        line.split()[0]
        for line in GENERAL_DICTIONARY.read_text(encoding="utf-8").splitlines()
        if line.endswith(" n") and len(line.split()[0]) >= 2
    ]
    places = sorted(PLACES) + [
        rng.choice(nouns)[:1] + rng.choice("州山江阳安宁") for _ in range(300)
    ]
    domain = ["人工智能", "机器人", "技能人才", "产业", "大模型", "数据集", "智能制造", "职业教育"]
    suffixes = ["技师学院", "职业技术学院", "人工智能研究院", "机器人产业协会", "科技有限公司"]
    units = ["所", "家", "人", "个", "项", "份"]
    article = next(iter(real.articles))
    facts = list(real.facts)
    for n in range(size - len(real.facts)):
        place, topic, extra = rng.choice(places), rng.choice(nouns), rng.choice(nouns)
        org = place + rng.choice(suffixes)
        field = rng.choice(domain)
        figure = f"{rng.randint(2, 99999)}{rng.choice(units)}"
        answer = (
            f"{rng.randint(2015, 2030)}年，{org}围绕{field}开展{topic}{extra}工作，规模达{figure}。"
        )
        facts.append(
            Fact.model_construct(
                id=f"synthetic-{n:06d}",
                kind=rng.choice(KINDS),
                title=f"{place}{field}{topic}{extra}",
                answer=answer,
                keywords=(f"{topic}{extra}", org, f"{place}{topic}"),
                sources=(Quote.model_construct(article=article, quote=answer),),
                questions=(),
                when=None,
                place=place if rng.random() < 0.3 else None,
                title_en=None,
                related=(),
            )
        )
    return FactBase(facts=tuple(facts), articles=MappingProxyType(dict(real.articles)))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STARTUP = """
import resource, time
start = time.perf_counter()
from pathlib import Path
from bot.factbase import FactBase
from bot.matcher import Matcher
matcher = Matcher(FactBase.load(Path("facts"), Path("seeds")))
matcher.match("广东有多少所技工院校？")
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def startup(runs: int) -> dict[str, float]:
    """Fresh interpreters: imports, loading and verifying the facts, building the index."""
    timings, memory = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.split()
        timings.append(float(out[0]))
        memory.append(float(out[1]))
    return {"median_s": statistics.median(timings), "peak_rss_mb": statistics.median(memory)}


def run_synthetic(size: int, rounds: int) -> dict[str, Any]:
    """Runs in its own interpreter (`--synthetic N`) so its memory is measured alone."""
    real = FactBase.load(ROOT / "facts", ROOT / "seeds")
    base = synthetic_base(real, size)
    before = peak_rss_mb()
    start = time.perf_counter()
    matcher = Matcher(base)
    build = time.perf_counter() - start
    after_index = peak_rss_mb()  # before the baseline builds its own index in this process
    baseline = bm25(base)
    gc.freeze()  # as the bot does: the long-lived index is not walked by every GC pass
    sets = {name: single_questions(name) for name in SETS}
    questions = [c.question for cases in sets.values() for c in cases]
    answers = {"ours": ours(matcher), "bm25": baseline}
    judge = Judge(base)
    return {
        "facts": len(base.facts),
        "index_build_s": build,
        "peak_rss_mb": after_index,
        "rss_before_index_mb": before,
        "peak_rss_with_bm25_mb": peak_rss_mb(),
        "latency": compare(answers, questions, rounds),
        "accuracy": {name: accuracy(a, sets, judge) for name, a in answers.items()},
    }


def report(results: dict[str, Any]) -> str:
    lines = []
    for label, part in (("real fact base", results["real"]), ("synthetic", results["synthetic"])):
        ours_l, base_l = part["latency"]["ours"], part["latency"]["bm25"]
        lines.append(f"\n== {label}: {part['facts']} facts ==")
        lines.append(f"{'':18}{'ours':>12}{'bm25':>12}{'ours/bm25':>12}")
        for key in ("p50_ms", "p99_ms"):
            ratio = ours_l[key] / base_l[key]
            lines.append(f"{key:18}{ours_l[key]:12.3f}{base_l[key]:12.3f}{ratio:12.2f}")
        for set_name in part["accuracy"]["ours"]:
            for measure in ("top1", "refusals"):
                a = part["accuracy"]["ours"][set_name][measure]
                b = part["accuracy"]["bm25"][set_name][measure]
                lines.append(f"{set_name + ' ' + measure:18}{a:12.1%}{b:12.1%}")
        if "index_build_s" in part:
            grown = part["peak_rss_mb"] - part["rss_before_index_mb"]
            lines.append(
                f"index build {part['index_build_s']:.1f} s, peak RSS {part['peak_rss_mb']:.0f} MB"
                f" ({grown:.0f} MB more than the facts alone)"
            )
    s = results["startup"]
    lines.append(
        f"\nstart-up (imports + facts + index), median of {s['runs']}: {s['median_s']:.3f} s"
    )
    lines.append(f"peak RSS after start-up: {s['peak_rss_mb']:.0f} MB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--synthetic-size", type=int, default=100_000)
    parser.add_argument("--synthetic", type=int, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    jieba.setLogLevel(60)
    if args.synthetic:
        print(json.dumps(run_synthetic(args.synthetic, args.rounds)))
        return

    real = FactBase.load(ROOT / "facts", ROOT / "seeds")
    matcher = Matcher(real)
    sets = {name: single_questions(name) for name in SETS}
    questions = [c.question for cases in sets.values() for c in cases]
    answers = {"ours": ours(matcher), "bm25": bm25(real)}
    gc.freeze()
    judge = Judge(real)
    results: dict[str, Any] = {
        "real": {
            "facts": len(real.facts),
            "latency": compare(answers, questions, args.rounds),
            "accuracy": {name: accuracy(a, sets, judge) for name, a in answers.items()},
        }
    }
    child = subprocess.run(
        [sys.executable, "-m", "bench.run", "--synthetic", str(args.synthetic_size),
         "--rounds", str(max(3, args.rounds // 2))],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    results["synthetic"] = json.loads(child.stdout.splitlines()[-1])
    results["startup"] = {**startup(args.rounds), "runs": args.rounds}
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
