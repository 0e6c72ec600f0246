"""Draft a plan from its text: key tasks, measures, sentences and proposed targets.

Pure functions, no database. `draft_plan(text, year)` reads a plan written the way district plans
are written (重点工作 N headings, a bold lead phrase opening each measure's paragraph, targets
stated in sentences such as “力争年底前37条道路建成通车”) and returns a `PlanDraft`: tasks, each with
its measures and the targets proposed from its sentences, every proposal with the sentence it came
from and that sentence's character offsets in the text.

The proposals are a draft for a person to accept, edit or reject, never data by themselves.

Rules, each kept small and named:
- A sentence ends at 。；;！？ (a paragraph break without one, as PDFs leave them, does not end it).
- A clause is a part of a sentence between commas or colons; a deadline (9月底前, 年底前, 上半年,
  三季度 …) and a commitment (确保 firm, 力争 stretch) belong to the clause that states them. A
  target without a stated deadline runs to the plan's year end (deadline_stated false).
- A quantity is a number (Arabic or Chinese) followed by a unit (个 条 所 座 万平方米 亿元 % …). It
  is a goal when its clause has a target verb (完成 新建 续建 建成 开工 改造 设置 实现 建设 …) and does
  not begin with context (紧盯, 围绕, 重点推进 …: the numbers of what is worked on, not promised).
  “66人以上” before a noun qualifies the noun and is not a goal; “以上”/“以下” ending a clause is a
  comparison.
- 不低于 / 不超过 / 彻底消除 make a level standard (≥, ≤, ≤ 0); a percentage is a level.
- A clause with a milestone verb (开工建设 建成开放 建成投用 开园 完工 …), or with 完成 and a stated
  deadline, and no quantity, is a milestone. “A、B遗址公园开工建设” gives one milestone for each.
- A clause that is only a deadline and a wording (年底前大头落地, 年底前基本完成) completes the clause
  before it: its deadline, and the wording kept as said (大头落地 is not 100%).
- Short quoted slogans (“三项工程、一项管理”, “四早”) are never read for numbers; 一 alone (一个项目)
  is never a goal.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from decimal import Decimal

# --- vocabulary -----------------------------------------------------------------------------------

# Longest first, so that 万平方米 wins over 平方米 and 个百分点 over 个.
UNITS = sorted(
    [
        "万平方米",
        "平方米",
        "万亩",
        "亩",
        "亿元",
        "万元",
        "元",
        "公里",
        "千米",
        "个百分点",
        "%",
        "％",
        "万人",
        "人次",
        "人",
        "万户",
        "户",
        "个",
        "条",
        "所",
        "座",
        "家",
        "项",
        "套",
        "台",
        "辆",
        "处",
        "栋",
        "间",
        "张",
        "次",
        "场",
        "批",
        "吨",
        "千瓦",
    ],
    key=len,
    reverse=True,
)
TARGET_VERBS = (
    "完成",
    "新建",
    "续建",
    "建成",
    "开工",
    "竣工",
    "改造",
    "设置",
    "实现",
    "建设",
    "新增",
    "达到",
    "培育",
    "引进",
    "签约",
    "落地",
    "入库",
    "招录",
    "安置",
    "投用",
    "通车",
    "开放",
    "提升",
    "整治",
    "拆除",
    "种植",
    "增加",
    "创建",
    "打造",
)
# A clause that opens with these names what is worked on, not a promised amount.
CONTEXT_LEADS = ("紧盯", "围绕", "依托", "重点推进", "参加", "聚焦", "抓住", "抢抓")
MILESTONE_VERBS = (
    "建成通车",
    "建成开放",
    "建成投用",
    "建成投运",
    "投入使用",
    "开工建设",
    "开园",
    "完工",
    "竣工",
    "全面开工",
    "开工",
    "通车",
    "挂牌",
    "揭牌",
)
WORDINGS = ("大头落地", "基本完成", "基本建成", "全面完成", "全部完成", "初见成效")
FIRM, STRETCH = "确保", "力争"
AT_LEAST = ("不低于", "不少于", "达到", "以上", "超过")
AT_MOST = ("不超过", "不高于", "控制在", "以下", "以内")
ELIMINATE = ("彻底消除", "全部消除")
CATEGORY_MARKERS = ("遗址", "公园", "片区", "项目", "道路", "小区", "学校", "中心")

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SCALES = {"十": 10, "百": 100, "千": 1000}
CN_NUMBER = "[零〇一二两三四五六七八九十百千]+"
ARABIC = r"\d+(?:\.\d+)?"
UNIT_RE = "|".join(re.escape(u) for u in UNITS)
QUANTITY_RE = re.compile(rf"(?P<num>{ARABIC}|{CN_NUMBER})(?P<unit>{UNIT_RE})")
SENTENCE_END = "。；;！？!?"
CLAUSE_SPLIT = re.compile(r"[,，:：]")
HEADING_RE = re.compile(r"^[ \t]*重点工作[ \t]*(\d+|[一二三四五六七八九十]+)[ \t]*$", re.M)
DEADLINE_PATTERNS = [
    (re.compile(r"(\d{1,2})月(\d{1,2})日(?:前|之前|以前)"), "day"),
    (re.compile(r"(\d{1,2}|[一二三四五六七八九十]+)月(?:底|末)?(?:前|之前|以前)"), "month"),
    (re.compile(r"(?:年底|年末|年内|今年底|全年)(?:前|之前)?"), "year"),
    (re.compile(r"上半年"), "h1"),
    (re.compile(r"(?:第)?([一二三四1-4])季度"), "quarter"),
]
SLOGAN_MAX = 12  # a quoted text this short is a slogan, not a statement


def chinese_number(text: str) -> int | None:
    """三十 → 30, 二十三 → 23, 一百零五 → 105; None when it is not a number."""
    if not text:
        return None
    total, current = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch] if current is None else current * 10 + CN_DIGITS[ch]
        elif ch in CN_SCALES:
            total += (1 if current is None else current) * CN_SCALES[ch]
            current = None
        else:
            return None
    return total + (current or 0)


def parse_number(text: str) -> Decimal | None:
    if re.fullmatch(ARABIC, text):
        return Decimal(text)
    value = chinese_number(text)
    return None if value is None else Decimal(value)


# --- results --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Proposal:
    task_number: int
    code: str
    name: str
    kind: str  # cumulative / level / milestone
    direction: str  # gte / lte
    goal: Decimal | None
    unit: str
    deadline: dt.date
    deadline_stated: bool
    commitment: str  # firm / stretch / ""
    standard: bool
    goal_wording: str
    measure: str
    sentence: str
    start: int  # offsets of the sentence in the whole text
    end: int
    remaining: bool = False  # “剩余 N”: the goal is what is left, not a year's total

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["goal"] = None if self.goal is None else str(self.goal)
        data["deadline"] = self.deadline.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Proposal:
        data = dict(data)
        data["goal"] = None if data.get("goal") in (None, "") else Decimal(data["goal"])
        data["deadline"] = dt.date.fromisoformat(data["deadline"])
        return cls(**data)


@dataclasses.dataclass
class Sentence:
    text: str
    start: int
    end: int
    measure: str


@dataclasses.dataclass
class TaskDraft:
    number: int
    title: str
    headline: str
    text: str
    measures: list[str]
    sentences: list[Sentence]
    proposals: list[Proposal]


@dataclasses.dataclass
class PlanDraft:
    title: str
    year: int
    tasks: list[TaskDraft]

    @property
    def proposals(self) -> list[Proposal]:
        return [p for task in self.tasks for p in task.proposals]


# --- parsing --------------------------------------------------------------------------------------


def compact(text: str) -> str:
    """The text without white space (PDF line breaks fall anywhere)."""
    return re.sub(r"\s+", "", text)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def find_deadline(clause: str, year: int) -> tuple[dt.date | None, str]:
    """The deadline a clause states, and the words that state it."""
    for pattern, kind in DEADLINE_PATTERNS:
        m = pattern.search(clause)
        if not m:
            continue
        try:
            if kind == "day":
                return dt.date(year, int(m.group(1)), int(m.group(2))), m.group(0)
            if kind == "month":
                month = int(parse_number(m.group(1)))
                if 1 <= month <= 12:
                    return month_end(year, month), m.group(0)
                continue
            if kind == "year":
                return dt.date(year, 12, 31), m.group(0)
            if kind == "h1":
                return dt.date(year, 6, 30), m.group(0)
            if kind == "quarter":
                quarter = int(parse_number(m.group(1)))
                return month_end(year, quarter * 3), m.group(0)
        except (ValueError, TypeError):
            continue
    return None, ""


def mask_slogans(text: str) -> str:
    """Short quoted slogans blanked out (same length), so their numbers are never read."""

    def blank(m):
        inner = m.group(0)
        return "□" * len(inner) if len(inner) - 2 <= SLOGAN_MAX else inner

    return re.sub(r"“[^”“]*”", blank, text)


def split_tasks(text: str) -> list[tuple[int, int, int]]:
    """(number, start of the heading, end of the task's text) for each 重点工作 N, in text order."""
    # Task numbers run from 1 to 99; a number seen before is not a new task's heading.
    heads, seen = [], set()
    for m in HEADING_RE.finditer(text):
        number = parse_number(m.group(1))
        if number is not None and 1 <= number <= 99 and number not in seen:
            seen.add(number)
            heads.append(m)
    out = []
    for i, m in enumerate(heads):
        number = int(parse_number(m.group(1)))
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out.append((number, m.start(), m.end(), end))
    return out


def split_sentences(text: str, offset: int) -> list[tuple[str, int, int]]:
    """Sentences of a stretch of text: (raw sentence, start, end) with offsets in the whole text."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        j = i
        while j < n and text[j] not in SENTENCE_END:
            j += 1
        end = min(j + 1, n)
        raw = text[i:end].rstrip()
        out.append((raw, offset + i, offset + i + len(raw)))
        i = end
    return out


def lead_phrase(paragraph: str) -> str:
    """A measure's lead phrase: a short first sentence ending in 。 with no comma."""
    m = re.match(r"\s*([^。,，;；:：]{2,20}。)", paragraph)
    return m.group(1) if m else ""


def _strip_leads(text: str) -> str:
    text = re.sub(r"^[、“”\"'() ()]+|[、“”\"'() ()]+$", "", text)
    changed = True
    while changed:
        changed = False
        for lead in (FIRM, STRETCH, "要", "并", "同时", "全力", "加快", "提速", "实现", "完成", "年内"):
            if text.startswith(lead) and len(text) > len(lead) + 1:
                text = text[len(lead) :].lstrip("“")
                changed = True
    return text


def _comparison(segment: str, qstart: int, qend: int) -> tuple[str, bool] | None:
    """(direction, standard) if the quantity at [qstart, qend) is compared, else None."""
    before = segment[max(0, qstart - 4) : qstart]
    after = segment[qend : qend + 2]
    for word in ("不低于", "不少于"):
        if before.endswith(word):
            return "gte", True
    for word in ("不超过", "不高于", "控制在"):
        if before.endswith(word):
            return "lte", True
    if after.startswith("以上") and qend + 2 >= len(segment.rstrip('”"')):
        return "gte", False
    if after.startswith(("以下", "以内")) and qend + 2 >= len(segment.rstrip('”"')):
        return "lte", False
    return None


def _is_qualifier(segment: str, qend: int) -> bool:
    """“66人以上超大班额”: a number qualifying the noun after it."""
    after = segment[qend:]
    return after.startswith(("以上", "以下")) and len(after.rstrip('”"')) > 2


def _segments(clause: str) -> list[str]:
    """Parts of a clause between 、 that each carry a goal; parts without one join the next."""
    parts = clause.split("、")
    out: list[str] = []
    pending = ""
    for part in parts:
        piece = pending + ("、" if pending else "") + part
        if _has_anchor(part):
            out.append(piece)
            pending = ""
        else:
            pending = piece
    if pending:
        if out:
            out[-1] = out[-1] + "、" + pending
        else:
            out.append(pending)
    return out


def _quantities(text: str):
    for m in QUANTITY_RE.finditer(text):
        num = m.group("num")
        if not re.fullmatch(ARABIC, num) and chinese_number(num) in (None, 1):
            continue  # 一个项目, 一批: not a goal
        # A Chinese numeral inside a word (三十里铺) is not a quantity of the unit after it.
        if not re.fullmatch(ARABIC, num) and m.end() < len(text) and text[m.end() - 1] == "里":
            continue
        # 9月, 10月底: months are deadlines, not quantities (月 is not a unit, but 个 after 9 can be).
        yield m


def _has_anchor(text: str) -> bool:
    return any(True for m in _quantities(text) if not _is_qualifier(text, m.end())) or any(
        w in text for w in ELIMINATE
    )


class _Drafter:
    def __init__(self, year: int):
        self.year = year
        self.plan_end = dt.date(year, 12, 31)

    def clause_proposals(self, clause: str, task_number: int, measure: str, sentence) -> list[Proposal]:
        raw, start, end = sentence
        deadline, deadline_words = find_deadline(clause, self.year)
        commitment = "firm" if FIRM in clause else "stretch" if STRETCH in clause else ""
        masked = mask_slogans(clause)
        base = dict(
            task_number=task_number,
            code="",
            deadline=deadline or self.plan_end,
            deadline_stated=deadline is not None,
            commitment=commitment,
            goal_wording=next((w for w in WORDINGS if w in clause), ""),
            measure=measure,
            sentence=raw,
            start=start,
            end=end,
        )
        head = masked.lstrip("“")
        if head.startswith(CONTEXT_LEADS) or any(head.startswith("重点" + c) for c in ("推进",)):
            return []
        has_verb = any(v in masked for v in TARGET_VERBS)
        out = []
        for segment in _segments(masked):
            original = segment
            for m in list(_quantities(segment)):
                if _is_qualifier(segment, m.end()):
                    continue
                comparison = _comparison(segment, m.start(), m.end())
                unit = m.group("unit").replace("％", "%")
                if not has_verb and comparison is None and unit != "%":
                    continue
                if comparison:
                    direction, standard = comparison
                    kind = "level"
                elif unit in ("%", "个百分点"):
                    direction, standard, kind = "gte", False, "level"
                else:
                    direction, standard, kind = "gte", False, "cumulative"
                before = segment[: m.start()]
                for word in ("不低于", "不少于", "不超过", "不高于", "控制在"):
                    before = before.removesuffix(word)
                after = segment[m.end() :].split("”")[0]
                if comparison and after.startswith(("以上", "以下", "以内")):
                    after = after[2:]
                name = before + after
                for word in (deadline_words, "剩余"):
                    if word:
                        name = name.replace(word, "")
                name = _strip_leads(name.replace("的", "", 1) if name.startswith("拟") else name)
                out.append(
                    Proposal(
                        name=name[:200],
                        kind=kind,
                        direction=direction,
                        goal=parse_number(m.group("num")),
                        unit=unit,
                        standard=standard,
                        remaining="剩余" in original,
                        **base,
                    )
                )
            for word in ELIMINATE:
                idx = segment.find(word)
                if idx >= 0:
                    name = _strip_leads(segment[:idx])
                    out.append(
                        Proposal(
                            name=name[:200],
                            kind="level",
                            direction="lte",
                            goal=Decimal(0),
                            unit="个",
                            standard=True,
                            **base,
                        )
                    )
        if out:
            return out
        # Milestones: no quantity, a milestone verb, or 完成 with a stated deadline.
        # Quoted text (slogans of any length) never states a milestone; the verb ends the clause.
        unquoted = re.sub(r"“[^”“]*”", lambda q: "□" * len(q.group(0)), clause)
        verb = next((v for v in MILESTONE_VERBS if unquoted.endswith(v)), None)
        if verb is None and deadline is not None and "完成" in unquoted:
            verb = "完成"
        if verb is None:
            return []
        subject = unquoted.replace(deadline_words, "") if deadline_words else unquoted
        subject = _strip_leads(subject)
        for name in _split_subjects(subject, verb):
            out.append(
                Proposal(
                    name=name[:200],
                    kind="milestone",
                    direction="gte",
                    goal=None,
                    unit="",
                    standard=False,
                    **base,
                )
            )
        return out

    def sentence_proposals(self, sentence, task_number: int, measure: str) -> list[Proposal]:
        raw, _start, _end = sentence
        text = compact(raw).rstrip(SENTENCE_END)
        clauses = [c for c in CLAUSE_SPLIT.split(text) if c]
        out: list[Proposal] = []
        previous: list[Proposal] = []
        previous_clause = ""
        for clause in clauses:
            deadline, words = find_deadline(clause, self.year)
            wording = next((w for w in WORDINGS if w in clause), "")
            rest = clause.replace(words, "", 1).replace(wording, "", 1) if words else clause
            if deadline is not None and wording and not rest.strip():
                # “年底前大头落地”: completes the clause before it.
                if previous:
                    for p in previous:
                        p.deadline, p.deadline_stated, p.goal_wording = deadline, True, wording
                elif previous_clause:
                    subject = _strip_leads(mask_slogans(previous_clause))
                    for prefix in ("提速", "加快", "推进", "抓好", "做好"):
                        if subject.startswith(prefix):
                            subject = subject[len(prefix) :]
                    p = Proposal(
                        task_number=task_number,
                        code="",
                        name=(subject + wording)[:200],
                        kind="milestone",
                        direction="gte",
                        goal=None,
                        unit="",
                        deadline=deadline,
                        deadline_stated=True,
                        commitment="firm" if FIRM in previous_clause else "",
                        standard=False,
                        goal_wording=wording,
                        measure=measure,
                        sentence=raw,
                        start=sentence[1],
                        end=sentence[2],
                    )
                    out.append(p)
                    previous = [p]
                continue
            previous = self.clause_proposals(clause, task_number, measure, sentence)
            # A quantity clause without a verb of its own, followed by the clause that completes it.
            if not previous and re.search(QUANTITY_RE, mask_slogans(clause)) and "剩余" in clause:
                previous = self._remaining(clause, task_number, measure, sentence)
            out.extend(previous)
            previous_clause = clause
        return out

    def _remaining(self, clause, task_number, measure, sentence):
        m = next(_quantities(mask_slogans(clause)), None)
        if m is None:
            return []
        name = _strip_leads(clause[: m.start()].replace("剩余", "") + clause[m.end() :])
        return [
            Proposal(
                task_number=task_number,
                code="",
                name=name[:200],
                kind="cumulative",
                direction="gte",
                goal=parse_number(m.group("num")),
                unit=m.group("unit"),
                deadline=self.plan_end,
                deadline_stated=False,
                commitment="",
                standard=False,
                goal_wording="",
                measure=measure,
                sentence=sentence[0],
                start=sentence[1],
                end=sentence[2],
                remaining=True,
            )
        ]


def _split_subjects(subject: str, verb: str) -> list[str]:
    """“孙坡、三十里铺遗址生态文化公园开工建设” → one name for each place, sharing the category."""
    if "、" not in subject:
        return [subject]
    parts = subject.split("、")
    last = parts[-1]
    idx = min((last.find(m) for m in CATEGORY_MARKERS if last.find(m) > 0), default=-1)
    if idx <= 0 or any(len(p) > 6 for p in parts[:-1]):
        return [subject]
    suffix = last[idx:]
    return [p + suffix for p in parts[:-1]] + [last]


def draft_plan(text: str, year: int) -> PlanDraft:
    """Tasks, measures, sentences and proposed targets of a plan's text (see the module's rules)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    drafter = _Drafter(year)
    spans = split_tasks(text)
    title = ""
    first = spans[0][1] if spans else len(text)
    for line in text[:first].splitlines():
        if line.strip():
            title = line.strip()[:200]
            break
    tasks = []
    for number, _hstart, hend, end in sorted(spans, key=lambda s: s[0]):
        body = text[hend:end]
        # The line after the heading: the task's title and its headline (separated by a space).
        lines = body.lstrip("\n").split("\n", 1)
        head_line = lines[0].strip()
        body_offset = hend + (len(body) - len(body.lstrip("\n"))) + len(lines[0])
        body_text = lines[1] if len(lines) > 1 else ""
        title_part, _, headline = head_line.partition(" ")
        measures: list[str] = []
        sentences: list[Sentence] = []
        proposals: list[Proposal] = []
        measure = ""
        for raw, s, e in split_sentences(body_text, body_offset + 1):
            # A new paragraph starts when the text before the sentence holds a blank line.
            starts_paragraph = s - 2 < 0 or "\n" in text[max(0, s - 3) : s]
            if starts_paragraph:
                lead = lead_phrase(raw)
                if lead and lead == raw.strip():
                    measure = lead.rstrip("。")
                    measures.append(measure)
            sentences.append(Sentence(raw, s, e, measure))
            proposals.extend(drafter.sentence_proposals((raw, s, e), number, measure))
        for i, p in enumerate(proposals, start=1):
            p.code = f"{number}-{i:02d}"
        tasks.append(
            TaskDraft(
                number=number,
                title=title_part[:200],
                headline=headline.strip()[:200],
                text=body_text.strip(),
                measures=measures,
                sentences=sentences,
                proposals=proposals,
            )
        )
    return PlanDraft(title=title, year=year, tasks=tasks)
