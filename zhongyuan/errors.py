"""The site's own error pages: every refusal a user can meet is a page in the site's look and language.

Django's default handlers render 400.html and 500.html without the request and its CSRF failure
view renders 403_csrf.html without it too, so they would show neither the user's language nor
the header's log-out and language forms. These handlers render every page in the language the
user chose (`chosen_language`, from the cookie only, so a failure before the language middleware
ran still gets it) and say what happened and what to do next.

The 500 page is different: something already went wrong, perhaps the database, so it is rendered
from 500.html with a plain context (no context processors, no session, no user, no query); if
even that fails, a fixed bilingual page is sent.

`LongUrlMiddleware` refuses a URL longer than `MAX_URL_LENGTH` with our 414 page; gunicorn
(gunicorn.conf.py) lets request lines through up to its own maximum, which is above that.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from .middleware import chosen_language

logger = logging.getLogger(__name__)


def _render(request, template: str, status: int, context: dict | None = None) -> HttpResponse:
    with translation.override(chosen_language(request)):
        response = render(request, template, {"status": status} | (context or {}), status=status)
    return response


@requires_csrf_token
def bad_request(request, exception=None):
    """400 for a SuspiciousOperation; 413 when the posted data is over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return _render(request, "413.html", 413, {"limit_mb": f"{limit / 1024 / 1024:g}"})
    with translation.override(chosen_language(request)):
        if isinstance(exception, TooManyFieldsSent):
            message = _("提交或链接中的字段过多(上限 %(limit)s 个),服务器没有处理这个请求。") % {
                "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            }
        elif isinstance(exception, TooManyFilesSent):
            message = _("一次上传的文件过多(上限 %(limit)s 个),服务器没有处理这个请求。") % {
                "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES
            }
        else:
            message = _("服务器无法处理这个请求:链接或提交的内容格式有误。")
    return _render(request, "400.html", 400, {"message": message})


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", 404)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was not accepted; rendering sets a fresh CSRF cookie for the retry."""
    return _render(request, "403_csrf.html", 403)


FALLBACK_500 = """<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>服务器出错 / Server error</title></head>
<body><h1>服务器出错 / Server error</h1>
<p>服务器处理这个请求时出错,您的操作可能没有完成。请稍后再试;如果反复出现,请联系督查室。</p>
<p lang="en">The server failed while handling this request; your action may not have been completed.
Please try again later; if it keeps happening, contact the Supervision Office (督查室).</p>
<p><a href="/">返回首页 / Home</a></p></body></html>
"""


def server_error(request):
    """500: rendered without the request's context processors, the session or the database."""
    try:
        language = chosen_language(request)
        with translation.override(language):
            body = loader.get_template("500.html").render({"LANGUAGE_CODE": language, "status": 500})
    except Exception:  # the error page itself must not fail
        logger.exception("the 500 page could not be rendered")
        body = FALLBACK_500
    return HttpResponseServerError(body)


class MethodNotAllowedPageMiddleware:
    """Turn Django's empty 405 (a POST to a read-only page) into our page, keeping its Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = _render(request, "405.html", 405)
            page["Allow"] = response.get("Allow", "GET, HEAD")
            return page
        return response


class LongUrlMiddleware:
    """Refuse a URL (path and query string) longer than settings.MAX_URL_LENGTH with our 414 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # WSGI strings hold one character per byte received (the query string still percent-encoded).
        length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if length > settings.MAX_URL_LENGTH:
            return _render(request, "414.html", 414, {"limit": settings.MAX_URL_LENGTH})
        return self.get_response(request)
