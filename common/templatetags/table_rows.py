"""The rows of a django-tables2 table, written in Python instead of the library's template loop.

django-tables2's layout renders each cell through the template engine: per cell it looks up the
column's `attrs` (rebuilt on every access), tests `column.localize` twice and resolves the cell;
for a page of 50 rows and 10 columns that was most of the project list's rendering time. The tag
below writes the same rows (the same `<tr>` attributes, the same `<td>` attributes per column, each
cell rendered as `{{ cell }}` would be, localized as the library's template does) with the column
attributes worked out once per column. tests/…/test_table_rows.py holds the output equal to the
library's template, tag for tag.
"""

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """`<tr>…</tr>` for every row of the table's current page, or the empty text's row."""
    columns = list(table.columns)
    openings = [f"<td {column.attrs['td'].as_html()}>" for column in columns]
    localizers = [
        None if column.localize is None else (localize if column.localize else unlocalize)
        for column in columns
    ]
    # A column whose td attributes are callables gets them per cell, with the cell's value and
    # record, as the library does; the others once.
    dynamic = [any(callable(v) for v in (column.column.attrs.get("td") or {}).values()) for column in columns]
    cells = list(zip(columns, openings, localizers, dynamic, strict=True))
    parts = []
    for row in table.paginated_rows:
        parts.append(f"<tr {row.attrs.as_html()}>")
        for column, opening, localizer, per_cell in cells:
            # As row.items() does through row.get_cell(column.name), without looking the column
            # up by name again for every cell.
            cell = row._get_and_render_with(column, render_func=row._call_render, default=column.default)
            if per_cell:
                column.current_value, column.current_record = cell, row.record
                opening = f"<td {column.attrs['td'].as_html()}>"
            if localizer is not None:
                cell = localizer(cell)
            # Text is only escaped by {{ cell }} (localizing leaves it as it is); other values go
            # the template's whole way.
            parts.extend(
                (
                    opening,
                    conditional_escape(cell)
                    if isinstance(cell, str)
                    else render_value_in_context(cell, context),
                    "</td>",
                )
            )
        parts.append("</tr>")
    if not parts and table.empty_text:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text)
    return mark_safe("".join(parts))  # attributes from AttributeDict.as_html, cells escaped above
