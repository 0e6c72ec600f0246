"""`common.widgets` write what Django's widget templates write, character for character."""

import datetime as dt

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe

from common import widgets

REACHED = [("", "—"), ("1", "已完成"), ("0", "未完成 <b>&</b>")]


def form_class(kind):
    """The same form with our widgets (`kind` = widgets) or Django's (`kind` = forms)."""

    class RowForm(forms.Form):
        target = forms.IntegerField(widget=kind.HiddenInput)
        value = forms.CharField(required=False, widget=kind.TextInput(attrs={"class": "month-value"}))
        reached = forms.TypedChoiceField(
            choices=REACHED, required=False, widget=kind.Select(attrs={"aria-label": "1-01 是否完成"})
        )
        reached_on = forms.DateField(
            required=False, widget=kind.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        note = forms.CharField(
            required=False,
            widget=kind.Textarea(attrs={"rows": 2, "aria-label": '1-01 "进展"', "disabled": True}),
        )
        flag = forms.CharField(
            required=False, widget=kind.TextInput(attrs={"readonly": False, "data-x": "a&b"})
        )

    return RowForm


DATA = [
    None,  # unbound: initial values
    {},
    {
        "target": "12",
        "value": "1,234.5",
        "reached": "1",
        "reached_on": "2020-06-30",
        "note": "第一行\n<script>&",
    },
    {"target": "x", "value": '"引号" & <尖括号>', "reached": "9", "reached_on": "2020-13-01", "note": ""},
]
INITIAL = {
    "target": 7,
    "value": mark_safe("<i>safe</i>"),
    "reached_on": dt.date(2020, 5, 31),
    "note": "已有说明",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("prefix", [None, "row-3"])
def test_each_widget_writes_what_djangos_template_writes(language, data, prefix):
    with translation.override(language):
        ours = form_class(widgets)(data, initial=INITIAL, prefix=prefix)
        django = form_class(forms)(data, initial=INITIAL, prefix=prefix)
        if data is not None:
            ours.is_valid()
            django.is_valid()
        for name in ours.fields:
            assert str(ours[name]) == str(django[name]), name
        # Errors add aria-invalid and aria-describedby: the same with either widget.
        assert str(ours) == str(django)


def test_values_and_attributes_are_escaped():
    form = form_class(widgets)({"target": "1", "value": '"><script>', "note": "</textarea><b>"})
    html = str(form["value"]) + str(form["note"]) + str(form["flag"])
    assert "<script>" not in html and "</textarea><b>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in html
    assert 'data-x="a&amp;b"' in html and "readonly" not in html


def test_a_select_with_option_groups_is_left_to_djangos_templates():
    choices = [("", "全部"), ("组一", [("1", "甲"), ("2", "乙")])]
    ours = forms.ChoiceField(choices=choices, widget=widgets.Select).widget
    django = forms.ChoiceField(choices=choices, widget=forms.Select).widget
    assert ours.render("g", "2") == django.render("g", "2")
    assert "<optgroup" in ours.render("g", "2")


LIGHTS = [("achieved", "✓ 已完成"), ("behind", "▲ 滞后 <b>&</b>"), ("overdue", mark_safe("✗ <i>逾期</i>"))]


def checkbox_form(kind):
    class FilterForm(forms.Form):
        light = forms.MultipleChoiceField(choices=LIGHTS, required=False, widget=kind.CheckboxSelectMultiple)
        flag = forms.MultipleChoiceField(
            choices=LIGHTS,
            required=False,
            widget=kind.CheckboxSelectMultiple(attrs={"class": "a&b inline", "data-x": "1"}),
        )

    return FilterForm


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "data", [None, {}, {"light": ["behind", "overdue"]}, {"light": ["nope"], "flag": ["achieved"]}]
)
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_checkboxes_write_what_djangos_template_writes(language, data, auto_id):
    with translation.override(language):
        ours = checkbox_form(widgets)(data, auto_id=auto_id)
        django = checkbox_form(forms)(data, auto_id=auto_id)
        for name in ours.fields:
            assert str(ours[name]) == str(django[name]), name
        assert str(ours) == str(django)
    if data and data.get("light") == ["behind", "overdue"]:
        html = str(ours["light"])
        assert (
            html.count(" checked") == 2
            and "▲ 滞后 &lt;b&gt;&amp;&lt;/b&gt;" in html
            and "<i>逾期</i>" in html
        )


def test_grouped_choices_are_left_to_djangos_templates():
    class GroupedForm(forms.Form):
        light = forms.MultipleChoiceField(
            choices=[("好", LIGHTS[:1]), ("差", LIGHTS[1:])], widget=widgets.CheckboxSelectMultiple
        )

    class DjangoForm(forms.Form):
        light = forms.MultipleChoiceField(
            choices=[("好", LIGHTS[:1]), ("差", LIGHTS[1:])], widget=forms.CheckboxSelectMultiple
        )

    assert str(GroupedForm()["light"]) == str(DjangoForm()["light"])
    assert "<label>好</label>" in str(GroupedForm()["light"])
