"""Word lists the matcher reasons with, all in normalised (simplified, case-folded) form.

- Function words carry no topic: a question is judged by how much of the *rest* a fact explains.
- Question words tell what is asked (how many, when, where, who), so a "how many" question is
  not answered with a fact that holds no figure.
- Places and organisations outside a fact make a question about something else: 上海有多少所
  技工院校 must not get Guangdong's figure. 广东 and China are home ground, never a mismatch.
"""

from __future__ import annotations

import re
from typing import Final, Literal

AskedKind = Literal["count", "when", "where", "money", "who", "why"]
# Kinds a fact must carry to be the answer; who and why only make a fitting fact preferred.
REQUIRED_KINDS: Final = frozenset({"count", "when", "where", "money"})

FUNCTION_WORDS: Final = frozenset(
    """
    的 地 得 了 着 过 是 吗 呢 吧 啊 呀 么 嘛 哦 喔 啦 哈 嗯 呗 和 与 及 跟 同 或 或者 还是 在 于
    有 没 没有 有没有 是不是 是否 不是 都 也 还 就 又 再 才 已 已经 曾 曾经 将 会 能 能够 可以 可
    要 需要 应该 请问 请 问 问下 问一下 想 想问 想知道 知道 了解 告诉 告诉我 说 说说 讲 讲讲 介绍
    介绍一下 一下 下 我 我们 你 你们 您 他 她 它 他们 她们 咱们 大家 这 那 这个 那个 这些 那些
    这次 那次 本次 此次 该 些 个 一个 一些 什么 啥 多少 几 几个 哪 哪里 哪儿 哪个 哪些 哪位 哪家
    哪间 哪年 哪天 谁 怎么 怎样 怎么样 如何 为什么 为何 何时 什么时候 时候 何地 地方 最后 最终
    一共 总共 共 共计 总计 合计 大概 大约 约 左右 具体 到底 究竟 现在 目前 当前 当时 之前 以前
    之后 以后 今年 去年 明年 最近 近期 听说 据说 关于 有关 情况 内容 信息 资料 消息 所 家 名 位
    人 间 次 项 条 届 多 余 等 其中 以及 而且 但是 但 不过 然后 那么 所以 因为 如果 就是 真的 真
    对 好 好的 谢谢 请教 喇 咯 嘞 呐 一 第 来 去 做 搞 弄 给 让 把 被 从 到 向 对于 为 为了 以 按
    由于 而 且 并 并且 第几 排第几 几号 问题 事情 事 东西 意思 说法 手艺 有关部门 指 指的是 所谓
    叫做 关系 专门 咁 嘢 喎 啫 啰 噃 吖 㗎 嗰 嗰个 边 啱 乜
    how many much what when where who whom whose which why is are was were be been being the a
    an of in on at to for and or there do does did has have had with by about from this that
    these those it its tell me please can could you i we our your us they them their any some
    people person say says said anything something thing things get got give given make made
    take go went come know think also just only more most other such into over after before
    under between through during out up per via each every all both few same than then too
    very now new would will should may might must here doesn't don't didn't isn't aren't
    wasn't matter mean means using use used together whether
    """.split()
)

# Words people use for what the articles call otherwise. Each group is interchangeable in a
# question; a word found only through a synonym counts slightly less than the word itself.
_SYNONYM_GROUPS: Final = [
    "人工智能 ai", "机器人 机械人", "成员 会员 成员单位", "教师 老师", "企业 公司 厂商 厂家",
    "岗位 职位 工作岗位 空缺", "招聘 招人 招工 请人", "学生 学员 在校生", "学校 院校",
    "技工院校 技校 技工学校", "民营企业 民企 私企", "国有企业 国企", "举办 举行 召开",
    "成立 创立 组建 设立", "发布 推出 公布 上线", "印发 出台 颁布", "展示 展出 展览 亮相",
    "参加 参与 出席 到场", "数量 数目", "大赛 比赛 竞赛", "大会 会议", "目标 指标",
    "梯队 档次 一档 档", "科研单位 科研院所 研究机构 科研机构 研究院", "毕业生 毕业",
    "中小学 中小学校", "签约 签合同 录用 聘用", "规模 体量", "协议 合约", "平台 系统",
    "每年 一年 每一年", "输送 送出 培养出", "课程 课", "惠及 覆盖 受益", "双选会 招聘会",
    "签署 签订 签 签了", "达成 谈成 谈妥", "学校 中小学", "线上 网上 在线", "求职 找工作 找工 应聘",
    "总量 总数 总额", "集聚 聚集 集中", "课堂 教学",
    "成果 作品", "岗位 工作机会",
]  # fmt: skip


def _synonyms() -> dict[str, tuple[str, ...]]:
    found: dict[str, dict[str, None]] = {}
    for group in _SYNONYM_GROUPS:
        words = group.split()
        for word in words:
            found.setdefault(word, {}).update(dict.fromkeys(w for w in words if w != word))
    return {word: tuple(others) for word, others in found.items()}


SYNONYMS: Final = _synonyms()
SYNONYM_SIMILARITY: Final = 0.9

# Words that name a kind of fact: 出了什么政策 is explained by any policy fact.
KIND_WORDS: Final[dict[str, frozenset[str]]] = {
    "policy": frozenset(
        "政策 文件 措施 举措 规定 意见 通知 计划 部署 要求 目标 policy plan".split()
    ),
    "event": frozenset("活动 会议 大会 会 比赛 大赛 展会 展览 event conference fair".split()),
    "statistic": frozenset("数据 统计 数字 人数 数量 figure figures".split()),
    "organization": frozenset("机构 组织 单位 团体 委员会 联盟 organisation organization".split()),
    "initiative": frozenset("项目 计划 倡议 举措 行动 目的 作用 initiative project".split()),
    "person": frozenset("人 人物 校长 嘉宾 专家 说法 观点 看法 建议".split()),
}
# The kind of fact that answers each kind of question best (a statistic for how many...).
ANSWERED_BEST_BY: Final[dict[AskedKind, frozenset[str]]] = {
    "count": frozenset({"statistic"}),
    "who": frozenset({"organization", "person"}),
    "when": frozenset({"event", "organization", "initiative"}),
    "where": frozenset({"event", "organization"}),
    "money": frozenset({"initiative", "policy", "statistic"}),
    "why": frozenset({"event", "initiative", "policy"}),
}
# Words that only phrase what is asked (哪个城市, 哪些单位): a fact carrying that kind of answer
# explains them.
ASKED_WORDS: Final[dict[AskedKind, frozenset[str]]] = {
    "where": frozenset("城市 地点 地方 场地 地址 位置 city location venue place".split()),
    "when": frozenset("时间 日期 时候 年份 月份 date time".split()),
    "count": frozenset("数量 人数 总数 数字 规模 number".split()),
    "who": frozenset("单位 机构 部门 人 角色 名字 谁 organisation organization".split()),
    "money": frozenset("钱 价格 费用 元".split()),
    "why": frozenset("原因 目的 意义 作用 reason purpose".split()),
}
KIND_SIMILARITY: Final = 0.8

# The measure word of a "how many" question tells what is counted: 多少人 wants people.
UNIT_FAMILIES: Final = {
    "人": "people", "人次": "people", "名": "people", "位": "people", "家": "bodies",
    "所": "schools", "间": "schools", "个": "items", "份": "copies", "条": "items",
    "项": "items", "届": "editions", "元": "money",
}  # fmt: skip
_ASKED_UNIT = re.compile(r"(?:多少|几|几多)(人次|人|名|位|家|所|间|个|份|条|项|届|元)")


def asked_unit(text: str) -> str | None:
    """The family of the unit a count question asks for (people, bodies, schools...)."""
    found = _ASKED_UNIT.search(text)
    return UNIT_FAMILIES[found.group(1)] if found else None


# "How" words: the verb after them is what is asked (粤匠大模型点样下载 asks about 下载).
HOW_WORDS: Final = frozenset("怎么 怎样 如何 怎么样 点样 how".split())

# Which kind of answer a question wants; a question may want several (几时喺边度举办).
ASKED: Final[dict[AskedKind, re.Pattern[str]]] = {
    "count": re.compile(
        r"多少(?!钱)|(?<![第哪])几[个所家位项条届名人间次万亿份百千]|几多|数量|数目|人数|总量|总数"
        r"|有几|多大|how many"
        r"|number of"
    ),
    "when": re.compile(r"什么时候|何时|哪天|哪一天|哪年|哪一年|几月|几号|日期|\bwhen\b|what date"),
    "where": re.compile(r"哪里|在哪|何地|哪儿|地点|地址|什么地方|哪个城市|\bwhere\b"),
    "who": re.compile(r"谁|哪个单位|哪些单位|哪些机构|由哪|主办方|主办单位|\bwho\b"),
    "money": re.compile(r"多少钱|价格|价钱|售价|费用|收费|工资|薪水|薪酬|门票|\bcost\b|\bprice\b"),
    "why": re.compile(r"为什么|为何|目的|原因|意义|\bwhy\b|\bpurpose\b"),
}

# Place names and organisations that decide what a question is about. English names are
# mapped to Chinese so that "technical schools in Shanghai" is refused like 上海的技工院校.
HOME_GROUND: Final = frozenset(
    """
    广东 广东省 粤 南粤 大湾区 湾区 粤港澳 粤港澳大湾区 珠三角 中国 全国 我国 国内 国家 全省 省
    """.split()
)
PLACES: Final = frozenset(
    """
    北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北
    湖南 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 长三角
    京津冀 广州 深圳 珠海 汕头 佛山 韶关 湛江 肇庆 江门 茂名 惠州 梅州 汕尾 河源 阳江 清远
    东莞 中山 潮州 揭阳 云浮 南沙 前海 横琴 南京 苏州 杭州 宁波 武汉 成都 西安 长沙 郑州 厦门
    福州 青岛 济南 合肥 南昌 昆明 贵阳 南宁 海口 三亚 沈阳 大连 长春 哈尔滨 石家庄 太原 兰州
    乌鲁木齐 拉萨 呼和浩特 银川 西宁 无锡 包头 台北 美国 日本 韩国 英国 德国 法国 俄罗斯 印度
    新加坡 加拿大 澳大利亚 欧洲
        """.split()
)
ORGANISATIONS: Final = frozenset(
    """
    华为 腾讯 阿里巴巴 阿里 百度 字节跳动 字节 小米 京东 美团 比亚迪 大疆 商汤 科大讯飞 优必选
    小鹏 蔚来 中兴 联想 网易 拼多多 openai 谷歌 google 微软 microsoft 苹果 英伟达 nvidia
    特斯拉 三星 库卡 拓斯达 云天励飞 乐聚机器人 奥比中光 道通科技 逐际动力 金山办公 海尔 格力
    美的 清华大学 清华 北京大学 北大 中山大学 华南理工大学 华南理工 暨南大学 暨大 深圳大学
    香港大学 港大 香港中文大学 港中大 香港科技大学 港科大 香港城市大学 城大 复旦大学 浙江大学
    上海交通大学 澳门大学 教育部 工信部 科技部 人社部 发改委 商务部 财政部
        """.split()
)
# English words for what the facts say in Chinese, so "How many technical schools are there in
# Guangdong?" is read like 广东有多少所技工院校. Applied to questions and to facts alike.
ENGLISH_NAMES: Final = {
    "guangdong": "广东", "guangzhou": "广州", "shenzhen": "深圳", "dongguan": "东莞",
    "foshan": "佛山", "zhuhai": "珠海", "zhongshan": "中山", "nansha": "南沙",
    "hong kong": "香港", "hongkong": "香港", "macau": "澳门", "macao": "澳门",
    "shanghai": "上海", "beijing": "北京", "jiangsu": "江苏", "zhejiang": "浙江",
    "sichuan": "四川", "anhui": "安徽", "chongqing": "重庆", "taiwan": "台湾",
    "greater bay area": "大湾区", "china": "中国", "huawei": "华为", "tencent": "腾讯",
    "mainland": "内地", "technical schools": "技工院校", "technical school": "技工院校",
    "vocational schools": "职业院校", "technician college": "技师学院", "schools": "学校",
    "school": "学校", "students": "学生", "student": "学生", "teachers": "教师", "teacher": "教师",
    "graduates": "毕业生", "job fair": "双选会", "job fairs": "双选会", "jobs": "岗位",
    "vacancies": "岗位", "employers": "用人单位", "companies": "企业", "company": "企业",
    "enterprises": "企业", "firms": "企业", "resumes": "简历", "cvs": "简历", "signed": "签约",
    "contracts": "签约", "on site": "现场", "on the spot": "现场", "on-site": "现场",
    "online": "线上", "alliance": "联盟", "members": "成员", "member": "成员",
    "academicians": "院士", "committees": "委员会", "committee": "委员会", "fund": "基金",
    "billion": "亿", "yuan": "元", "platform": "平台", "index": "指数", "ranking": "梯队",
    "tier": "梯队", "rank": "梯队", "cities": "城市", "city": "城市", "robots": "机器人",
    "robot": "机器人", "robotics": "机器人", "humanoid": "人形机器人", "ai": "人工智能",
    "artificial intelligence": "人工智能", "agents": "智能体", "large model": "大模型",
    "large models": "大模型", "models": "模型", "datasets": "数据集", "scenarios": "应用场景",
    "manufacturing": "制造", "industry": "产业", "industries": "行业", "plan": "意见",
    "policy": "政策", "policies": "政策措施", "measures": "措施", "ministries": "部门",
    "notice": "通知", "cooperation": "合作", "research": "科研", "institutes": "科研机构",
    "initiative": "倡议", "exchange": "交流活动", "conference": "大会", "contest": "大赛",
    "competition": "大赛", "award": "奖", "organised": "主办", "organized": "主办",
    "organisers": "主办", "organizers": "主办", "organiser": "主办", "organizer": "主办",
    "founded": "成立", "established": "成立", "launched": "启动", "teach": "开设",
    "courses": "课程", "course": "课程", "skilled workers": "技能人才", "talent": "人才",
    "training": "培养", "education": "教育", "embodied": "具身智能", "exhibition": "展",
    "digital": "数字", "target": "目标", "targets": "目标", "goals": "目标", "2027": "2027年",
    "special action": "专项行动", "action plan": "专项行动", "issued": "印发", "issue": "印发",
    "eight": "8", "plus": "+", "core": "核心", "attended": "参加", "attend": "参加",
    "came": "参加", "matter": "意义", "significance": "意义", "purpose": "目的",
    "yuejiang": "粤匠", "pui ching": "培正", "waic": "世界人工智能大会", "gba": "大湾区",
    "bay area": "大湾区", "held": "举办", "hold": "举办", "take place": "举办",
    "took place": "举办", "guide": "指南", "guides": "指南", "manufacturers": "制造业企业",
    "publish": "发布", "published": "发布", "release": "发布", "released": "发布",
    "skills": "技能", "skill": "技能", "model": "模型", "offer": "签约",
}  # fmt: skip
# Letter boundaries, not \b: in 在WAIC上 the Chinese characters count as word characters.
_ENGLISH_NAME = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(sorted(map(re.escape, ENGLISH_NAMES), key=len, reverse=True))
    + r")(?![a-z0-9])"
)
_ENTITIES = sorted(PLACES | ORGANISATIONS | HOME_GROUND, key=len, reverse=True)
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))


def with_chinese_names(text: str) -> str:
    """English place and company names replaced by their Chinese names (normalised text)."""
    return _ENGLISH_NAME.sub(lambda m: ENGLISH_NAMES[m.group()], text)


# A proper name of a body: modifiers before one of these (中国人工智能学会, 华南理工大学).
ORGANISATION_SUFFIXES: Final = frozenset(
    "学会 协会 商会 联合会 研究院 研究所 大学 学院 公司 集团 中学 小学 委员会 基金会".split()
)


def entities_in(text: str) -> set[str]:
    """Places and organisations named in normalised text, longest names first, not home ground."""
    return {name for name in _ENTITY.findall(text) if name not in HOME_GROUND}


def asked_kinds(text: str) -> frozenset[AskedKind]:
    return frozenset(kind for kind, pattern in ASKED.items() if pattern.search(text))
