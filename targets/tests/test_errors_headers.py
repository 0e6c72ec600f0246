"""Our error pages (zhongyuan/errors.py) and the security headers (zhongyuan/middleware.py).

Every refusal a user can meet is a page of ours in the user's language, saying what happened and
what to do next; logged-in pages and downloads are private to the browser; every page carries
the Content-Security-Policy.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entry.roles import ADMIN, REPORTER, REVIEWER, assign_role
from zhongyuan import errors

from .factories import make_figure, make_target, make_unit, make_user
from .test_fuzz import PARAMS
from .test_fuzz import world as fuzz_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

# (heading, a sentence of the message) per page and language.
TEXT = {
    400: {
        "zh-hans": ("请求有误", "服务器无法处理这个请求"),
        "en": ("Bad request", "The server cannot handle this request"),
    },
    403: {
        "zh-hans": ("没有访问权限", "请联系督查室为您的账号分配相应角色"),
        "en": ("Access denied", "ask the Supervision Office to give your account"),
    },
    "csrf": {
        "zh-hans": ("页面已过期,提交未被接受", "没有保存任何内容"),
        "en": ("The page has expired: your submission was not accepted", "Nothing was saved"),
    },
    404: {
        "zh-hans": ("页面不存在", "找不到您要访问的页面"),
        "en": ("Page not found", "The page you asked for cannot be found"),
    },
    "fields": {
        "zh-hans": ("请求有误", "提交或链接中的字段过多(上限 1000 个)"),
        "en": ("Bad request", "The form or link has too many fields (limit: 1000)"),
    },
    413: {
        "zh-hans": ("提交的内容过大", "超过了服务器接受的上限(0.25 MB)"),
        "en": ("Too much data submitted", "more than the server accepts (0.25 MB)"),
    },
    414: {
        "zh-hans": ("链接过长", "上限 4096 个字符"),
        "en": ("Link too long", "limit: 4096 characters"),
    },
    500: {
        "zh-hans": ("服务器出错", "您刚才的操作可能没有完成"),
        "en": ("Server error", "what you just did may not have been completed"),
    },
}
HOME_LINK = {"zh-hans": "返回首页(年度计划总览)", "en": "Back to the home page (the year plans)"}
CONTACT = {"zh-hans": "请联系督查室", "en": "contact the Supervision Office"}
LANGUAGES = ["zh-hans", "en"]


def in_language(client: Client, language: str) -> Client:
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def heading(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)).strip()


def assert_our_page(response, status, key, language, *, home_link=True):
    html = response.content.decode()
    assert response.status_code == status
    assert html_lang(html) == language
    title, sentence = TEXT[key][language]
    assert heading(html) == title
    assert sentence in html
    assert CONTACT[language] in html
    if home_link:
        assert f'<a href="/plans/">{HOME_LINK[language]}</a>' in html
    return html


@pytest.fixture
def staff_client(client):
    user = make_user("boss", is_staff=True)
    assign_role(user, ADMIN)
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_is_ours(viewer_client, language):
    response = in_language(viewer_client, language).get("/plans/999999/")
    assert_our_page(response, 404, 404, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_for_an_anonymous_visitor_is_ours(client, language):
    response = in_language(client, language).get("/no-such-page/")
    assert_our_page(response, 404, 404, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_under_admin_is_ours(staff_client, language):
    response = in_language(staff_client, language).get("/admin/no-such-page/")
    assert_our_page(response, 404, 404, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_403_from_the_admin_is_ours(client, language):
    reviewer = make_user("checker", is_staff=True)
    assign_role(reviewer, REVIEWER)
    client.force_login(reviewer)
    response = in_language(client, language).get(reverse("admin:targets_target_add"))
    html = assert_our_page(response, 403, 403, language)
    assert '<a href="/accounts/login/?next=/admin/targets/target/add/">' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_csrf_failure_is_ours_and_sets_a_fresh_token(viewer, language):
    client = in_language(Client(enforce_csrf_checks=True), language)
    client.force_login(viewer)
    response = client.post(reverse("logout"))
    assert_our_page(response, 403, "csrf", language)
    assert settings.CSRF_COOKIE_NAME in response.cookies
    # Still logged in: the refused log-out did nothing.
    assert client.get(reverse("targets:plan-list")).status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_400_from_a_suspicious_host_is_ours(client, language):
    response = in_language(client, language).get("/plans/", HTTP_HOST="evil.example")
    assert_our_page(response, 400, 400, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_400_for_too_many_query_fields_says_so(viewer_client, plan, language):
    query = "&".join(["a=1"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))  # 4003 characters
    response = in_language(viewer_client, language).get(f"/plans/{plan.pk}/?{query}")
    assert_our_page(response, 400, "fields", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_as_of_date_keeps_its_own_message_on_our_400_page(viewer_client, plan, language):
    response = in_language(viewer_client, language).get(f"/plans/{plan.pk}/?as_of=" + "9" * 3000)
    html = response.content.decode()
    assert response.status_code == 400
    assert html_lang(html) == language
    assert heading(html) == TEXT[400][language][0]
    back = {"zh-hans": "返回总览(最新数据)", "en": "Back to the overview (latest data)"}[language]
    assert f'<a href="/plans/{plan.pk}/">{back}</a>' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_413_for_a_post_over_the_upload_limit(viewer_client, settings, language):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024 // 4
    body = "username=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = in_language(viewer_client, language).post(
        reverse("login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert_our_page(response, 413, 413, language)


def test_413_for_an_oversized_excel_import_post(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024 // 4
    reporter = make_user("filler", is_staff=True)
    assign_role(reporter, REPORTER)
    client.force_login(reporter)
    url = reverse("admin:targets_figure_xlsx_import")
    response = client.post(
        url,
        "confirm=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        content_type="application/x-www-form-urlencoded",
    )
    assert_our_page(response, 413, 413, "zh-hans")


@pytest.mark.parametrize("language", LANGUAGES)
def test_414_for_a_very_long_url(viewer_client, plan, language):
    response = in_language(viewer_client, language).get(f"/plans/{plan.pk}/?as_of=" + "9" * 5000)
    assert_our_page(response, 414, 414, language)


def test_a_url_just_under_the_limit_is_served(viewer_client, plan):
    path = f"/plans/{plan.pk}/"
    padding = settings.MAX_URL_LENGTH - len(path) - len("as_of=2020-06&x=")
    response = viewer_client.get(path, {"as_of": "2020-06", "x": "y" * padding})
    assert len(response.wsgi_request.get_full_path()) == settings.MAX_URL_LENGTH + 1  # the "?"
    assert response.status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_500_is_ours(viewer, plan, monkeypatch, language):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("targets.progress.resolve_as_of", broken)
    client = in_language(Client(raise_request_exception=False), language)
    client.force_login(viewer)
    response = client.get(f"/plans/{plan.pk}/")
    assert_our_page(response, 500, 500, language)
    assert "simulated failure" not in response.content.decode()


def test_500_page_needs_no_database_and_no_request_context():
    request = RequestFactory().get("/plans/", HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}=en")
    with CaptureQueriesContext(connection) as queries:
        response = errors.server_error(request)
    assert len(queries) == 0
    assert_our_page(response, 500, 500, "en")


def test_500_falls_back_to_a_fixed_page_when_the_template_fails(monkeypatch):
    def broken(name):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>服务器出错 / Server error</h1>" in html
    assert "督查室" in html


# --- Headers: Cache-Control and Content-Security-Policy (zhongyuan.middleware.SecurityHeadersMiddleware)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def june_plan(plan, task):
    target = make_target(task, "1-01", units=[make_unit("测试局")])
    make_figure(target, dt.date(2020, 6, 1), 60)
    return plan


def test_the_policy_is_the_documented_one():
    assert settings.CONTENT_SECURITY_POLICY == CSP


def test_a_logged_in_page_is_private_also_when_served_from_the_page_cache(
    viewer_client, june_plan, django_capture_on_commit_callbacks
):
    # The plan's data was made in this test's transaction; pages are cached only once it is
    # committed, which moves the plan's data version (targets/models.py DataVersion).
    with django_capture_on_commit_callbacks(execute=True):
        june_plan.save()
    url = f"/plans/{june_plan.pk}/?as_of=2020-06"
    first = viewer_client.get(url)
    second = viewer_client.get(url)
    # The second came from the page cache, which renders only the header's user area.
    assert ("overall" in first.context, "overall" in second.context) == (True, False)
    for response in (first, second):
        assert response.status_code == 200
        assert cache_control(response) == {"private"}
        assert response["Content-Security-Policy"] == CSP
        assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("kind", ["xlsx", "pdf"])
def test_bulletin_downloads_are_private_and_not_stored(viewer_client, june_plan, monkeypatch, kind):
    monkeypatch.setattr("reports.documents.pdf_bytes", lambda bulletin: b"%PDF-1.4 test")
    response = viewer_client.get(f"/reports/plan/{june_plan.pk}/bulletin.{kind}?month=2020-06")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="bulletin-plan{june_plan.pk}-2020-06.{kind}"'
    )
    assert cache_control(response) == {"private", "no-store"}


def test_the_excel_template_download_is_private_and_not_stored(client, june_plan):
    unit = make_unit("填报局")
    make_target(june_plan.key_tasks.first(), "1-02", units=[unit])
    reporter = make_user("filler")
    assign_role(reporter, REPORTER)
    unit.members.add(reporter)
    client.force_login(reporter)
    response = client.get(
        reverse("admin:targets_figure_xlsx_template"), {"unit": unit.pk, "month": "2020-06"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    # The admin's own never_cache adds no-cache, max-age=0 and must-revalidate.
    assert {"private", "no-store"} <= cache_control(response)


def test_admin_pages_keep_djangos_no_cache_and_are_private(staff_client):
    response = staff_client.get("/admin/")
    assert cache_control(response) == {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
    assert response["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("path", ["/no-such-page/", "/accounts/login/"])
def test_anonymous_pages_and_error_pages_carry_the_headers(client, path):
    response = client.get(path)
    assert "private" in cache_control(response)
    assert response["Content-Security-Policy"] == CSP


def test_a_500_page_carries_the_headers(viewer, plan, monkeypatch):
    monkeypatch.setattr("targets.progress.resolve_as_of", lambda *a, **k: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    response = client.get(f"/plans/{plan.pk}/")
    assert response.status_code == 500
    assert cache_control(response) == {"private"}
    assert response["Content-Security-Policy"] == CSP


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_chart_and_bulletin_pages_have_no_inline_script(viewer_client, june_plan):
    target = june_plan.key_tasks.first().targets.first()
    pages = [
        f"/plans/{june_plan.pk}/?as_of=2020-06",
        f"/plans/targets/{target.pk}/?as_of=2020-06",
        f"/reports/plan/{june_plan.pk}/bulletin/?month=2020-06",
    ]
    for path in pages:
        html = viewer_client.get(path).content.decode()
        assert INLINE_SCRIPT.findall(html) == [], path
        assert EVENT_HANDLER.findall(html) == [], path
        assert '<script type="application/json" id=' in html, path  # the chart's data block
        assert '<script src="/static/js/charts.js" defer></script>' in html, path


def test_a_chart_data_block_cannot_be_closed_by_the_data(viewer_client, plan, task):
    make_target(task, "1-01", name="</script><script>alert(1)</script>")
    html = viewer_client.get(f"/plans/{plan.pk}/").content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("value", ["9" * 3900, "x" * 3900, "２" * 420])  # "２" is 9 bytes in a URL
def test_a_very_long_query_value_in_any_parameter_never_gives_a_500(fuzz_world, value):  # noqa: F811
    client, urls, _target, _unit = fuzz_world
    statuses = set()
    for url in urls:
        for param in PARAMS:
            response = client.get(url, {param: value})
            assert response.status_code < 500, (url, param)
            statuses.add(response.status_code)
    assert 200 in statuses and 400 in statuses


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "此页面只能查看"), ("en", "This page is for viewing only")]
)
def test_a_form_sent_to_a_read_only_page_gets_our_405_page(viewer_client, plan, language, heading):
    viewer_client.cookies["django_language"] = language
    response = viewer_client.post(reverse("targets:plan-detail", args=[plan.pk]), {"x": "1"})
    html = response.content.decode()
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
    assert f"<h1>{heading}</h1>" in html
    assert f'<html lang="{language}">' in html
