"""`DataSelect` writes its options itself: byte for byte what Django's templates write."""

import pytest
from django import forms
from django.utils import translation

from common.datalang import DataSelect

CHOICES = [("", "全部"), ("a&b", "片区<A>"), ("x", "East"), (3, "金水区 第3单位")]


class Form(forms.Form):
    area = forms.ChoiceField(choices=CHOICES, widget=DataSelect, required=False)
    grouped = forms.ChoiceField(
        choices=[("", "全部"), ("组一", [("1", "甲"), ("2", "乙")])], widget=DataSelect, required=False
    )


def both(form: Form, name: str) -> tuple[str, str]:
    field = form[name]
    attrs = field.build_widget_attrs({"id": field.auto_id})
    widget = field.field.widget
    fast = widget.render(field.html_name, field.value(), dict(attrs))
    slow = forms.Select.render(widget, field.html_name, field.value(), dict(attrs))
    return fast, slow


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", [{}, {"area": "a&b", "grouped": "2"}, {"area": "3"}, {"area": "nope"}])
@pytest.mark.parametrize("name", ["area", "grouped"])
def test_the_options_are_written_as_the_templates_write_them(language, data, name):
    with translation.override(language):
        form = Form(data)
        form.is_valid()
        fast, slow = both(form, name)
    assert fast == slow
    assert fast.count("<option") == (4 if name == "area" else 3)


def test_english_pages_mark_chinese_options_and_escape_values():
    with translation.override("en"):
        fast, _slow = both(Form({"area": "a&b"}), "area")
    assert '<option value="a&amp;b" selected lang="zh-hans">片区&lt;A&gt;</option>' in fast
    assert '<option value="x">East</option>' in fast
