"""One set of rules for what a person types, whichever way a monthly figure comes in.

Every input of the tables below goes through the three entry paths (the unit's monthly page,
the admin's figure form and the Excel upload), each time on an empty database. The three must
agree: all accept it and store the same thing, or all refuse it with the same message (the
Excel one names the cell or the column first).
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from entry.roles import REPORTER, assign_role
from entry.write import Entry, save_entries
from entry.xlsx import sheetcells
from targets.models import NOTE_MAX_LENGTH, Figure, Target
from targets.tests.factories import make_target, make_unit, make_user

pytestmark = pytest.mark.django_db

D = Decimal
JUNE = dt.date(2020, 6, 1)
MONTH_URL = reverse("admin:targets_figure_month")
ADD_URL = reverse("admin:targets_figure_add")
TEMPLATE_URL = reverse("admin:targets_figure_xlsx_template")
IMPORT_URL = reverse("admin:targets_figure_xlsx_import")
COLUMN = {
    "value": sheetcells.VALUE,
    "reached_on": sheetcells.REACHED_ON,
    "progress_note": sheetcells.PROGRESS,
}


@dataclass
class World:
    client: object
    user: object
    unit: object
    monitored: Target
    milestone: Target


@pytest.fixture
def world(client, task):
    unit = make_unit("甲局")
    user = make_user("rep")
    assign_role(user, REPORTER)
    unit.members.add(user)
    client.force_login(user)
    # No goal and no history: no warning interferes with the value's own rules.
    monitored = make_target(
        task,
        "1-01",
        kind=Target.Kind.MONITORED,
        goal=None,
        deadline=None,
        unit_of_measure="亿元",
        units=[unit],
    )
    milestone = make_target(
        task, "1-02", kind=Target.Kind.MILESTONE, goal=None, unit_of_measure="", units=[unit]
    )
    return World(client, user, unit, monitored, milestone)


@dataclass
class Outcome:
    """Saved (with the stored figure) or refused (with the messages about `field`)."""

    figure: Figure | None
    messages: list[str]


def _stored(target) -> Figure | None:
    return Figure.objects.filter(target=target, month=JUNE).first()


def _typed(target: Target, field: str, raw: str) -> dict[str, str]:
    """What the person types: the tested field, plus what the figure needs besides."""
    typed = {field: raw}
    if target.kind == Target.Kind.MILESTONE:
        typed.setdefault("reached", "yes")
    else:
        typed.setdefault("value", "10")
    return typed


def through_month_page(w: World, target: Target, field: str, raw: str) -> Outcome:
    url = f"{MONTH_URL}?unit={w.unit.pk}&month=2020-06"
    page = w.client.get(url)
    formset = page.context["formset"]
    data = {f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()}
    typed = _typed(target, field, raw)
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
        if form.row.target == target:
            for name, value in typed.items():
                data[form.add_prefix(name)] = {"yes": "1"}.get(value, value) if name == "reached" else value
    data["_save"] = "1"
    response = w.client.post(url, data)
    if response.status_code == 303:
        return Outcome(_stored(target), [])
    assert response.status_code == 400
    (form,) = [form for row, form in response.context["rows"] if row.target == target]
    return Outcome(None, [*form.errors.get(field, []), *form.non_field_errors()])


def through_admin_form(w: World, target: Target, field: str, raw: str) -> Outcome:
    data = {"target": target.pk, "month": "2020-06-01", "_save": "1"}
    for name, value in _typed(target, field, raw).items():
        data[name] = {"yes": "true"}.get(value, value) if name == "reached" else value
    response = w.client.post(ADD_URL, data)
    if response.status_code == 302:
        return Outcome(_stored(target), [])
    assert response.status_code == 200
    form = response.context["adminform"].form
    return Outcome(None, [*form.errors.get(field, []), *form.non_field_errors()])


def through_excel(w: World, target: Target, field: str, raw) -> Outcome:
    template = w.client.get(TEMPLATE_URL, {"unit": w.unit.pk, "month": "2020-06"})
    wb = load_workbook(io.BytesIO(template.content))
    ws = wb.active
    row = next(
        r
        for r in range(sheetcells.HEADER_ROW + 1, ws.max_row + 1)
        if ws.cell(row=r, column=1).value == target.code
    )
    for name, value in _typed(target, field, raw).items():
        key = sheetcells.REACHED if name == "reached" else COLUMN[name]
        cell = ws.cell(row=row, column=sheetcells.COLUMNS.index(key) + 1)
        cell.value = "是" if value == "yes" else value
        if isinstance(value, str):
            cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = w.client.post(
        IMPORT_URL,
        {"unit": w.unit.pk, "month": "2020-06", "file": SimpleUploadedFile("填报表.xlsx", buffer.getvalue())},
    )
    if response.status_code == 200:
        confirmed = w.client.post(IMPORT_URL, {"confirm": response.context["token"]})
        assert confirmed.status_code == 302
        return Outcome(_stored(target), [])
    assert response.status_code == 400, response.content.decode()[:300]
    key = COLUMN[field]
    cell = sheetcells.cell_name(row, key)
    messages = list(response.context["errors"]) + [m for r in response.context["rows"] for m in r["errors"]]
    # The same message, after the cell ("第 12 行“本月数值”列(F12)") or the column ("本月数值").
    for prefix in (f"{cell}:", f"{sheetcells.column_title(key)}:"):
        messages = [m.removeprefix(prefix) for m in messages]
    return Outcome(None, messages)


PATHS = {"month page": through_month_page, "admin form": through_admin_form, "excel": through_excel}


def run_everywhere(w: World, target: Target, field: str, raw, excel_raw=None) -> dict[str, Outcome]:
    outcomes = {}
    for name, path in PATHS.items():
        Figure.objects.all().delete()
        typed = excel_raw if name == "excel" and excel_raw is not None else raw
        outcomes[name] = path(w, target, field, typed)
    return outcomes


def assert_saved(outcomes: dict[str, Outcome], field: str, expected) -> None:
    for name, outcome in outcomes.items():
        assert outcome.messages == [], name
        assert getattr(outcome.figure, field) == expected, name


def assert_refused(outcomes: dict[str, Outcome], message: str) -> None:
    assert {name: outcome.messages for name, outcome in outcomes.items()} == {key: [message] for key in PATHS}
    assert Figure.objects.count() == 0


NOT_A_NUMBER = "“%s”不是数字。请只填写数字,如 1234.5 或 1,234.5。"

VALUES_ACCEPTED = [
    ("12", D(12)),
    (" 12 ", D(12)),
    ("\u300012\u3000", D(12)),
    ("１２", D(12)),
    ("１２．５", D("12.5")),
    ("12,345.6", D("12345.6")),
    ("１２，３４５", D(12345)),
    ("1,234,567", D(1234567)),
    ("12.500", D("12.5")),
    ("+7", D(7)),
    ("0", D(0)),
    ("-0", D(0)),
    (".5", D("0.5")),
    ("999999999999.99", D("999999999999.99")),
]


@pytest.mark.parametrize(("raw", "expected"), VALUES_ACCEPTED, ids=[repr(raw) for raw, _ in VALUES_ACCEPTED])
def test_values_accepted_alike(world, raw, expected):
    assert_saved(run_everywhere(world, world.monitored, "value", raw), "value", expected)


VALUES_REFUSED = [
    ("12.345678901234567890", "数值最多保留 2 位小数,“12.345678901234567890”的小数位数过多。"),
    ("12.345", "数值最多保留 2 位小数,“12.345”的小数位数过多。"),
    ("１２．３４５", "数值最多保留 2 位小数,“１２．３４５”的小数位数过多。"),
    ("1000000000000", "数值过大:小数点前最多 12 位数字,“1000000000000”超出。"),
    ("999999999999.995", "数值最多保留 2 位小数,“999999999999.995”的小数位数过多。"),
    ("1" + "0" * 40, "数值过大:小数点前最多 12 位数字,“100000000000000000000000000000…”超出。"),
    ("1" * 100, "数值过大:小数点前最多 12 位数字,“111111111111111111111111111111…”超出。"),
    ("0." + "1" * 100, "数值最多保留 2 位小数,“0.1111111111111111111111111111…”的小数位数过多。"),
    ("-1", "数值不能为负数。"),
    ("-1,000", "数值不能为负数。"),
    ("1,23", NOT_A_NUMBER % "1,23"),
    ("12,3456", NOT_A_NUMBER % "12,3456"),
    ("1 000", NOT_A_NUMBER % "1 000"),
    ("1e3", NOT_A_NUMBER % "1e3"),
    ("NaN", NOT_A_NUMBER % "NaN"),
    ("Infinity", NOT_A_NUMBER % "Infinity"),
    ("约50", NOT_A_NUMBER % "约50"),
    ("50%", NOT_A_NUMBER % "50%"),
    ("10²", NOT_A_NUMBER % "10²"),
    ("①", NOT_A_NUMBER % "①"),
    ("٣", NOT_A_NUMBER % "٣"),
    (".", NOT_A_NUMBER % "."),
    ("--1", NOT_A_NUMBER % "--1"),
]


@pytest.mark.parametrize(("raw", "message"), VALUES_REFUSED, ids=[repr(raw) for raw, _ in VALUES_REFUSED])
def test_values_refused_alike_with_one_message(world, raw, message):
    assert_refused(run_everywhere(world, world.monitored, "value", raw), message)


# Excel also hands over numbers; those read as the same text would be.
EXCEL_NUMBERS = [
    (12, "12", None),
    (12.5, "12.5", None),
    (0.1 + 0.2, "0.3", None),  # a float's binary rounding is not a third decimal place
    (50.125, "50.125", "数值最多保留 2 位小数,“50.125”的小数位数过多。"),
    (10**12, "1000000000000", "数值过大:小数点前最多 12 位数字,“1000000000000”超出。"),
    (-3, "-3", "数值不能为负数。"),
]


@pytest.mark.parametrize(("number", "text", "message"), EXCEL_NUMBERS, ids=[t for _n, t, _m in EXCEL_NUMBERS])
def test_excel_numbers_are_held_to_the_same_rules(world, number, text, message):
    outcomes = run_everywhere(world, world.monitored, "value", text, excel_raw=number)
    if message is None:
        assert_saved(outcomes, "value", D(text))
    else:
        assert_refused(outcomes, message)


def test_a_huge_excel_number_is_too_large_not_a_crash(world):
    outcome = through_excel(world, world.monitored, "value", 1e300)
    assert outcome.messages == ["数值过大:小数点前最多 12 位数字,“1e+300”超出。"]
    assert Figure.objects.count() == 0


def too_long(length: int) -> str:
    return f"最多 {NOTE_MAX_LENGTH} 字,现有 {length} 字,请精简。"


def test_note_limit_is_the_same_everywhere():
    assert NOTE_MAX_LENGTH == 5000


NOTES = [
    ("进" * NOTE_MAX_LENGTH, "进" * NOTE_MAX_LENGTH, None),
    ("  第一行\r\n第二行  ", "第一行\n第二行", None),
    ("进" * (NOTE_MAX_LENGTH + 1), None, too_long(NOTE_MAX_LENGTH + 1)),
    # An Excel cell holds at most 32,767 characters.
    ("x" * 30_000, None, too_long(30_000)),
    # Spaces at the ends do not count.
    (" " * 10 + "进" * NOTE_MAX_LENGTH + " " * 10, "进" * NOTE_MAX_LENGTH, None),
]


@pytest.mark.parametrize(
    ("raw", "stored", "message"), NOTES, ids=["at-limit", "line-ends", "over", "far-over", "trimmed"]
)
def test_notes_alike(world, raw, stored, message):
    outcomes = run_everywhere(world, world.monitored, "progress_note", raw)
    if message is None:
        assert_saved(outcomes, "progress_note", stored)
    else:
        assert_refused(outcomes, message)


def bad_date(raw: str) -> str:
    return f"“{raw}”不是有效日期,请按 2020-06-15 的格式填写。"


DATES = [
    ("2020-06-15", dt.date(2020, 6, 15)),
    (" 2020-06-15 ", dt.date(2020, 6, 15)),
    ("2020/6/15", dt.date(2020, 6, 15)),
    ("2020.6.5", dt.date(2020, 6, 5)),
    ("2020年6月15日", dt.date(2020, 6, 15)),
    ("２０２０－０６－１５", dt.date(2020, 6, 15)),
    ("06/15/2020", bad_date("06/15/2020")),
    ("2020-02-30", bad_date("2020-02-30")),
    ("上周", bad_date("上周")),
    ("2020-07-02", "完成日期不能晚于所报月份的月末。"),
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[raw for raw, _ in DATES])
def test_dates_alike(world, raw, expected):
    outcomes = run_everywhere(world, world.milestone, "reached_on", raw)
    if isinstance(expected, dt.date):
        assert_saved(outcomes, "reached_on", expected)
    else:
        assert_refused(outcomes, expected)


def test_the_database_holds_the_note_limit_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(
            target=world.monitored, month=JUNE, value=1, anomaly_note="x" * (NOTE_MAX_LENGTH + 1)
        )
    assert Figure.objects.count() == 0


# --- the admin form: a figure keeps its target and month -----------------------------------------


def test_admin_change_form_keeps_target_and_month(world):
    other = make_target(world.monitored.key_task, "1-03", units=[world.unit])
    (figure,) = save_entries([Entry(target=world.monitored, month=JUNE, value=D(10))], user=world.user)
    url = reverse("admin:targets_figure_change", args=[figure.pk])

    page = world.client.get(url)
    form = page.context["adminform"].form
    assert (form.fields["target"].disabled, form.fields["month"].disabled) == (True, True)

    # A crafted request naming another target and month changes the value only.
    response = world.client.post(
        url,
        {"target": other.pk, "month": "2020-05-01", "value": "12", "base_version": "1", "_save": "1"},
    )
    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.target, figure.month, figure.value, figure.version) == (world.monitored, JUNE, D(12), 2)
    assert list(Figure.objects.values_list("target__code", "month")) == [("1-01", JUNE)]
