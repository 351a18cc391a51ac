"""The curation loop in Telegram, end to end against the loopback fake Bot API: 👍/👎 under
every answer and digest, a 👎 asks what was wrong, and admins read /gaps and /status."""

from __future__ import annotations

from pathlib import Path

from tests.fakebotapi import Call, FakeBotAPI
from tests.harness import ADMIN, USER, keyboard_of, next_message, press, running, settings_for


async def question(api: FakeBotAPI, text: str, *, chat_id: int = USER) -> Call:
    mark = len(api.calls)
    api.push_message(chat_id=chat_id, text=text)
    return await next_message(api, chat_id=chat_id, after=mark)


def votes(call: Call) -> list[str]:
    return [b["callback_data"] for row in keyboard_of(call) for b in row if b["text"] in "👍👎"]


async def test_votes_on_answers_and_digests(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(settings_for(api, tmp_path)):
        answer = await question(api, "广东有多少所技工院校？")
        up, down = votes(answer)
        assert up.startswith("v:u:")
        assert down == "v:d:" + up.removeprefix("v:u:")
        assert keyboard_of(answer)[0][0]["callback_data"].startswith("f:")  # related facts stay
        digest = await question(api, "介绍一下双选会")
        assert "📋" in str(digest.params["text"])
        assert len(votes(digest)) == 2
        refused = await question(api, "上海有多少所技工院校？")
        assert votes(refused) == []  # kept as a gap already: nothing to vote on

        message_id = answer.result["message_id"]
        asked = await press(api, down, message_id=message_id)
        assert "哪里不对" in str(asked.params["text"])
        edited = await api.wait_for("editMessageReplyMarkup", after=api.calls.index(asked) - 1)
        reasons = [b["callback_data"] for row in keyboard_of(edited) for b in row]
        assert [r.split(":")[1] for r in reasons if r.startswith("w:")] == [
            "fact", "wrong", "part", "other",
        ]  # fmt: skip
        assert any(r.startswith("f:") for r in reasons)  # the related facts are still there
        thanked = await press(api, "w:wrong:" + up.removeprefix("v:u:"), message_id=message_id)
        assert "已记录" in str(thanked.params["text"])

        liked = await press(api, votes(digest)[0], message_id=digest.result["message_id"])
        assert "谢谢反馈" in str(liked.params["text"])
        forged = await press(api, "v:u:not-a-token", message_id=message_id)
        assert "太久" in str(forged.params["text"])

        gaps = await question(api, "/gaps", chat_id=ADMIN)
        text = str(gaps.params["text"])
        assert "×1 广东有多少所技工院校？" in text
        assert "👎 1次（内容有误 1）" in text
        assert "×1 上海有多少所技工院校？" in text
        assert "介绍一下双选会" not in text  # voted 👍
        status = await question(api, "/status", chat_id=ADMIN)
        assert "👍 1 · 👎 1 · 未答 1 · 已答未评 0" in str(status.params["text"])
        refused_gaps = await question(api, "/gaps")
        assert "只有管理员" in str(refused_gaps.params["text"])
        whoami = await question(api, "/whoami")
        assert f"你的 Telegram 用户 id：{USER}" in str(whoami.params["text"])
