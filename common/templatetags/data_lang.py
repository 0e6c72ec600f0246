"""Chinese data on English pages, marked lang="zh-hans" (see common.datalang).

`{{ value|zh }}` wraps one value; `<blockquote{% zh_attr %}>` marks an element that holds only data.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.datalang import DATA_LANGUAGE, mark_chinese, page_is_chinese

register = template.Library()


@register.filter(is_safe=True)
def zh(value):
    return mark_chinese(value)


@register.simple_tag
def zh_attr():
    """` lang="zh-hans"` for an element that holds only Chinese data, on pages in another language."""
    return mark_safe("") if page_is_chinese() else format_html(' lang="{}"', DATA_LANGUAGE)
