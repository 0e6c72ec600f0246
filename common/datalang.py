"""Data keeps its own language: on English pages, Chinese names and sentences are marked lang="zh-hans".

Screen readers switch voice by the lang attribute, and browsers pick fonts by it. Plan, task,
target and project names, units, source sentences and notes are stored in Chinese and shown as
they are on every page; on a page in another language each such value is wrapped in
<span lang="zh-hans">. A value without Chinese characters (an English name, a number) is left
unmarked, and nothing is marked on Chinese pages, where the whole page is already zh-hans.
"""

import html
import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language

from . import widgets

DATA_LANGUAGE = "zh-hans"
# CJK ideographs, CJK punctuation and full-width forms: any of them makes a value Chinese text.
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def page_is_chinese() -> bool:
    return (get_language() or DATA_LANGUAGE).lower().startswith("zh")


def mark_chinese(value) -> SafeString:
    """`value` escaped, in <span lang="zh-hans"> when it holds Chinese and the page is not Chinese."""
    text = "" if value is None else str(value)
    if not text or page_is_chinese() or not _CHINESE.search(text):
        return conditional_escape(value if value is not None else "")
    return format_html('<span lang="{}">{}</span>', DATA_LANGUAGE, value)


def chinese_marker():
    """`mark_chinese` for the many values of one page, as a function: the page's language is read
    once. Text is escaped as `conditional_escape` escapes it (safe strings are kept as they are)."""
    chinese = page_is_chinese()

    def mark(value) -> str:
        if value is None:
            return ""
        escaped = value if isinstance(value, SafeData) else html.escape(str(value))
        if chinese or not _CHINESE.search(str(value)):
            return escaped
        return f'<span lang="{DATA_LANGUAGE}">{escaped}</span>'

    return mark


class DataSelect(widgets.Select):
    """A <select> whose choices are data (unit names, areas, officials): on a page in another
    language each option with Chinese in its label gets lang="zh-hans".

    A filter of a large plan offers a thousand units: the options are written in Python
    (`common.widgets.Select`), exactly as Django's select.html and select_option.html write them,
    instead of one template per option.
    """

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if not page_is_chinese() and _CHINESE.search(str(option["label"])):
            option["attrs"] = {**option["attrs"], "lang": DATA_LANGUAGE}
        return option


class DataCheckboxSelectMultiple(widgets.CheckboxSelectMultiple):
    """Checkboxes whose labels are data (project group names): on a page in another language
    each label with Chinese in it is wrapped in <span lang="zh-hans"> (a checkbox's attributes
    go on its <input>, so the mark goes inside the label). Written in Python as `DataSelect` is."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["label"] = mark_chinese(option["label"])
        return option
