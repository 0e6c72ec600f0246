"""Draft a plan from its text: paste or upload → review each proposal → confirm, all or nothing.

Nothing is stored before the confirmation: the parsed draft waits in the session under a random
token (at most a few per user, for two hours). The confirmation creates the plan (状态 草稿), its
key tasks, the accepted targets and the plan's text as its first source document, with each
target's sentence tracked, in one transaction.
"""

import datetime as dt
import secrets
import time
from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets.models import KeyTask, Plan, Target

from .access import plan_admin_required
from .models import SourceDocument, TrackedSentence
from .pending import pending
from .textdraft import Proposal, draft_plan

SESSION_KEY = "planning_drafts"
TOKEN_TTL_SECONDS = 2 * 60 * 60
MAX_PENDING = 3
MAX_TEXT_BYTES = 1024 * 1024  # a plan's text is some 10 kB; 1 MB is plenty
MAX_TEXT_CHARS = 300_000


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030 text, as Chinese Windows saves it."""
    if b"\x00" in data:
        raise forms.ValidationError(_("文件不是文本文件(.txt)。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise forms.ValidationError(_("无法识别文件编码,请保存为 UTF-8 或 GBK 编码的 .txt 文件。"))


class SourceForm(forms.Form):
    district = forms.CharField(label=gettext_lazy("区县"), max_length=50)
    city = forms.CharField(label=gettext_lazy("城市"), max_length=50, required=False)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("留空则取原文第一行"),
    )
    text = forms.CharField(
        label=gettext_lazy("粘贴原文"), widget=forms.Textarea(attrs={"rows": 12}), required=False, strip=False
    )
    file = forms.FileField(
        label=gettext_lazy("或上传 .txt 文件(UTF-8 或 GBK)"),
        required=False,
        error_messages={"empty": gettext_lazy("上传的文件是空的。")},
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if not upload.name.lower().endswith(".txt"):
            raise forms.ValidationError(_("请上传 .txt 文本文件。"))
        if upload.size > MAX_TEXT_BYTES:
            raise forms.ValidationError(
                _("文件过大(%(size)s 字节),原文文件不能超过 %(limit)s 字节。")
                % {"size": upload.size, "limit": MAX_TEXT_BYTES}
            )
        return decode_text(upload.read(MAX_TEXT_BYTES + 1))

    def clean(self):
        data = super().clean()
        text = data.get("file") or data.get("text") or ""
        if not text.strip():
            if not self.errors:
                raise forms.ValidationError(_("请粘贴计划原文或上传 .txt 文件。"))
            return data
        if len(text) > MAX_TEXT_CHARS:
            raise forms.ValidationError(_("原文过长,不能超过 %(limit)s 字。") % {"limit": MAX_TEXT_CHARS})
        data["source_text"] = text.replace("\r\n", "\n").replace("\r", "\n")
        district, year = data.get("district"), data.get("year")
        if district and year and Plan.objects.filter(district=district, year=year).exists():
            raise forms.ValidationError(
                _("%(district)s %(year)s 年的计划已存在。") % {"district": district, "year": year}
            )
        return data


KIND_CHOICES = [
    ("cumulative", gettext_lazy("累计量")),
    ("level", gettext_lazy("水平/比率")),
    ("milestone", gettext_lazy("里程碑")),
]


class ProposalForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("处理"),
        choices=[("accept", gettext_lazy("采纳")), ("reject", gettext_lazy("不采纳"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=KIND_CHOICES)
    direction = forms.ChoiceField(label=gettext_lazy("方向"), choices=Target.Direction.choices)
    goal = forms.DecimalField(
        label=gettext_lazy("目标值"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    unit = forms.CharField(label=gettext_lazy("计量单位"), max_length=20, required=False)
    deadline = forms.DateField(label=gettext_lazy("完成期限"))
    commitment = forms.ChoiceField(
        label=gettext_lazy("目标措辞"), choices=Target.Commitment.choices, required=False
    )
    standard = forms.BooleanField(label=gettext_lazy("保持类标准"), required=False)
    goal_wording = forms.CharField(label=gettext_lazy("原文完成程度"), max_length=100, required=False)

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self):
        data = super().clean()
        if data.get("decision") != "accept":
            return data
        kind, goal, deadline = data.get("kind"), data.get("goal"), data.get("deadline")
        if kind in ("cumulative", "level") and goal is None:
            self.add_error("goal", _("累计量和水平类目标须填写目标值。"))
        if kind == "milestone" and goal is not None:
            self.add_error("goal", _("里程碑没有目标值,请清空。"))
        if deadline and deadline.year != self.year:
            self.add_error("deadline", _("完成期限须在计划年度(%(year)s年)内。") % {"year": self.year})
        return data


def _initial(p: Proposal) -> dict:
    return {
        "decision": "accept",
        "name": p.name,
        "kind": p.kind,
        "direction": p.direction,
        "goal": p.goal,
        "unit": p.unit,
        "deadline": p.deadline,
        "commitment": p.commitment,
        "standard": p.standard,
        "goal_wording": p.goal_wording,
    }


# --- the session --------------------------------------------------------------------------------


def _pending(request) -> dict:
    return pending(request, SESSION_KEY, TOKEN_TTL_SECONDS)


def _keep(request, draft: dict) -> str:
    token = secrets.token_urlsafe(18)
    pending = _pending(request)
    pending[token] = draft | {"user": request.user.pk, "created": time.time()}
    newest = sorted(pending.items(), key=lambda item: item[1]["created"])[-MAX_PENDING:]
    request.session[SESSION_KEY] = dict(newest)
    return token


def _drop(request, token: str) -> None:
    pending = _pending(request)
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


# --- the pages ----------------------------------------------------------------------------------


@plan_admin_required
def draft_start(request):
    """GET: the form. POST: read the text, keep the draft, show it for review."""
    if request.method != "POST":
        return TemplateResponse(request, "planning/draft_start.html", {"form": SourceForm()})
    form = SourceForm(request.POST, request.FILES)
    if not form.is_valid():
        return TemplateResponse(request, "planning/draft_start.html", {"form": form}, status=400)
    data = form.cleaned_data
    text, year = data["source_text"], data["year"]
    plan_draft = draft_plan(text, year)
    if not plan_draft.tasks:
        form.add_error(None, _("原文中没有找到“重点工作 1”这样的标题,无法拆分重点工作。"))
        return TemplateResponse(request, "planning/draft_start.html", {"form": form}, status=400)
    token = _keep(
        request,
        {
            "district": data["district"],
            "city": data["city"],
            "year": year,
            "title": (data["title"] or plan_draft.title or _("%(year)s年重点工作") % {"year": year})[:200],
            "text": text,
            "tasks": [
                {
                    "number": t.number,
                    "title": t.title or _("重点工作 %(n)s") % {"n": t.number},
                    "headline": t.headline,
                    "text": t.text,
                    "measures": t.measures,
                }
                for t in plan_draft.tasks
            ],
            "proposals": [p.to_dict() for p in plan_draft.proposals],
        },
    )
    return redirect("planning:draft-review", token=token)


def _review_page(request, token, draft, forms_, *, errors=(), status=200):
    proposals = [Proposal.from_dict(p) for p in draft["proposals"]]
    by_task = {t["number"]: [] for t in draft["tasks"]}
    for p, f in zip(proposals, forms_, strict=True):
        by_task.setdefault(p.task_number, []).append({"proposal": p, "form": f})
    tasks = [t | {"rows": by_task.get(t["number"], [])} for t in draft["tasks"]]
    return TemplateResponse(
        request,
        "planning/draft_review.html",
        {
            "token": token,
            "draft": draft,
            "tasks": tasks,
            "count": len(proposals),
            "errors": list(errors),
        },
        status=status,
    )


@plan_admin_required
def draft_review(request, token):
    """GET: the proposals with accept / edit / reject. POST: create everything, or nothing."""
    draft = _pending(request).get(token)
    if draft is None:
        return TemplateResponse(request, "planning/draft_gone.html", {}, status=404)
    proposals = [Proposal.from_dict(p) for p in draft["proposals"]]
    year = draft["year"]
    if request.method != "POST":
        forms_ = [
            ProposalForm(prefix=f"p{i}", initial=_initial(p), year=year) for i, p in enumerate(proposals)
        ]
        return _review_page(request, token, draft, forms_)
    forms_ = [ProposalForm(request.POST, prefix=f"p{i}", year=year) for i in range(len(proposals))]
    if not all(f.is_valid() for f in forms_):
        return _review_page(
            request, token, draft, forms_, errors=[_("有提议需要修改,尚未创建任何数据。")], status=400
        )
    try:
        plan = _create(draft, proposals, [f.cleaned_data for f in forms_])
    except IntegrityError:
        return _review_page(
            request,
            token,
            draft,
            forms_,
            errors=[_("%(district)s %(year)s 年的计划已存在,尚未创建任何数据。") % draft],
            status=409,
        )
    _drop(request, token)
    return redirect("planning:plan-setup", pk=plan.pk)


@transaction.atomic
def _create(draft: dict, proposals: list[Proposal], decisions: list[dict]) -> Plan:
    year = draft["year"]
    plan = Plan.objects.create(
        district=draft["district"],
        city=draft["city"],
        year=year,
        title=draft["title"],
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        source=draft["title"],
        status=Plan.Status.DRAFT,
    )
    document = SourceDocument.objects.create(plan=plan, title=draft["title"], text=draft["text"])
    tasks = {
        t["number"]: KeyTask.objects.create(
            plan=plan,
            number=t["number"],
            title=t["title"][:200],
            headline=t["headline"][:200],
            text=t["text"],
        )
        for t in draft["tasks"]
    }
    for order, (p, d) in enumerate(zip(proposals, decisions, strict=True), start=1):
        if d["decision"] != "accept":
            continue
        kind = d["kind"]
        target = Target.objects.create(
            key_task=tasks[p.task_number],
            code=p.code,
            name=d["name"],
            kind=kind,
            direction=d["direction"],
            goal=d["goal"] if kind != "milestone" else None,
            unit_of_measure=d["unit"] if kind != "milestone" else "",
            baseline=Decimal(0) if kind == "cumulative" and not p.remaining else None,
            start=plan.period_start,
            deadline=d["deadline"],
            deadline_stated=p.deadline_stated or d["deadline"] != p.deadline,
            commitment=d["commitment"],
            standard=d["standard"],
            goal_wording=d["goal_wording"],
            source=Target.Source.PLAN,
            source_text=p.sentence,
            note=_("举措:%(measure)s") % {"measure": p.measure} if p.measure else "",
            sort_order=order,
        )
        TrackedSentence.objects.create(target=target, document=document, start=p.start, end=p.end)
    return plan
