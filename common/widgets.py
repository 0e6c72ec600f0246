"""Form widgets that write their HTML in Python, exactly as Django's widget templates write it.

Django renders every widget through the template engine (`django/forms/widgets/input.html`, which
includes `attrs.html`; `textarea.html`; `select.html` with one `select_option.html` per option).
A reporter's monthly page has about ninety widgets, and their templates were close to half of
its rendering time. These classes build the same context (`get_context`) and write the markup
those templates write, character for character; common/tests/test_widgets.py compares each with
Django's own rendering for values, attributes and choices that need escaping.

Only the markup changes hands: the widgets' values, attributes, ids and labels come from Django
as before.
"""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString


def _as_s(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it was marked safe."""
    text = "%s" % value  # noqa: UP031 (exactly what the stringformat filter does)
    return SafeString(text) if isinstance(value, SafeData) else conditional_escape(text)


def html_attrs(attrs: dict) -> SafeString:
    """Attributes as django/forms/widgets/attrs.html writes them: True bare, False left out."""
    return SafeString(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, _as_s(value))
            for name, value in attrs.items()
            if value is not False
        )
    )


def _input(widget: dict) -> SafeString:
    """django/forms/widgets/input.html, for a widget's (or a choice's) context."""
    value_part = "" if widget["value"] is None else f' value="{_as_s(widget["value"])}"'
    return SafeString(
        format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
        + value_part
        + html_attrs(widget["attrs"])
        + ">"
    )


class _InputHTML:
    """django/forms/widgets/input.html."""

    def render(self, name, value, attrs=None, renderer=None):
        return _input(self.get_context(name, value, attrs)["widget"])


class HiddenInput(_InputHTML, forms.HiddenInput):
    pass


class TextInput(_InputHTML, forms.TextInput):
    pass


class DateInput(_InputHTML, forms.DateInput):
    pass


class Textarea(forms.Textarea):
    """django/forms/widgets/textarea.html (its line break after the opening tag included)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return SafeString(
            format_html('<textarea name="{}"', widget["name"])
            + html_attrs(widget["attrs"])
            + ">\n"
            + text
            + "</textarea>"
        )


class Select(forms.Select):
    """django/forms/widgets/select.html and select_option.html, for choices without groups
    (a select with option groups is left to Django's templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        parts = [format_html('<select name="{}"', widget["name"]), html_attrs(widget["attrs"]), ">"]
        for _group, options, _index in widget["optgroups"]:
            for option in options:
                parts.append(
                    f'\n  <option value="{_as_s(option["value"])}"{html_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
        parts.append("\n</select>")
        return SafeString("".join(parts))


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """django/forms/widgets/checkbox_select.html (multiple_input.html, and input_option.html for
    each choice), for choices without groups (with groups it is left to Django's templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        parts = ["<div"]
        if widget["attrs"].get("id"):
            parts.append(format_html(' id="{}"', widget["attrs"]["id"]))
        if widget["attrs"].get("class"):
            parts.append(format_html(' class="{}"', widget["attrs"]["class"]))
        parts.append(">")
        for _group, options, _index in widget["optgroups"]:
            for option in options:
                parts.extend(("<div>\n    ", _choice(option), "</div>"))
        parts.append("\n</div>")
        return SafeString("".join(parts))


def _choice(option: dict) -> str:
    """django/forms/widgets/checkbox_option.html, which includes input_option.html: the input, in
    its label when the label wraps it. Each included template keeps the line break it ends with."""
    if not option["wrap_label"]:
        return f"{_input(option)}\n\n\n"
    label_for = format_html(' for="{}"', option["attrs"]["id"]) if option["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(option)}\n {conditional_escape(option['label'])}</label>\n\n"
