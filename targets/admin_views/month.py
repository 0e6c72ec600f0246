"""Placeholder: being written."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


month_entry_view = template_view = import_view = compliance_view = _todo
