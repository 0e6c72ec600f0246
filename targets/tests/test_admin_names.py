"""The admin speaks the page's language: app names and role names in Chinese, English on request."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from entry import roles

from .factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def app_names(client) -> list[str]:
    html = client.get(reverse("admin:index")).content.decode()
    return re.findall(r'<caption>\s*<a href="[^"]*" class="section"[^>]*>([^<]*)</a>', html)


def test_admin_index_names_the_apps_in_chinese(superuser_client):
    names = app_names(superuser_client)
    for name in ["用户与权限", "登录安全", "项目台账", "通报", "重点工作目标"]:
        assert name in names
    assert not [name for name in names if re.search(r"[A-Za-z]", name)]


def test_admin_index_names_the_apps_in_english(superuser_client):
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    names = app_names(superuser_client)
    for name in [
        "Users and permissions",
        "Login security",
        "Project ledger",
        "Bulletins",
        "Key task targets",
    ]:
        assert name in names
    assert not [name for name in names if re.search(r"[\u4e00-\u9fff]", name)]


def test_role_groups_keep_their_names_and_show_chinese_labels(superuser_client):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(
        [roles.VIEWER, roles.REPORTER, roles.REVIEWER, roles.ADMIN]
    )
    user = make_user("someone", is_staff=True)
    html = superuser_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    select = re.search(r'<select name="groups".*?</select>', html, re.S)[0]
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)
    shown = {Group.objects.get(pk=pk).name: text for pk, text in options}
    assert shown == {
        roles.VIEWER: "浏览(viewer)",
        roles.REPORTER: "填报(reporter)",
        roles.REVIEWER: "审核(reviewer)",
        roles.ADMIN: "管理(admin)",
    }


def test_role_labels_in_english(superuser_client):
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    user = make_user("someone", is_staff=True)
    html = superuser_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    select = re.search(r'<select name="groups".*?</select>', html, re.S)[0]
    assert sorted(re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)) == [
        "Administrator (admin)",
        "Reporter (reporter)",
        "Reviewer (reviewer)",
        "Viewer (viewer)",
    ]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"&\w+;", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:app_list", args=["axes"]),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:targets_figure_changelist"),
    ],
)
def test_chinese_admin_pages_have_no_english_words(superuser_client, url):
    """Django's and django-axes' English labels are in Chinese too (locale/zh_Hans)."""
    words = set(
        re.findall(
            r"\b[A-Za-z][A-Za-z ]{3,}[A-Za-z]\b", visible_text(superuser_client.get(url).content.decode())
        )
    )
    # The language switcher names English in English, as every language names itself.
    assert words - {"English"} == set()


def test_axes_names_in_chinese_and_english(superuser_client):
    html = superuser_client.get(reverse("admin:index")).content.decode()
    for name in ["访问尝试", "访问失败", "访问日志"]:
        assert name in html
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = superuser_client.get(reverse("admin:index")).content.decode()
    for name in ["Access attempts", "Access failures", "Access logs"]:
        assert name in html


def test_group_list_shows_the_role_labels(superuser_client):
    html = superuser_client.get(reverse("admin:auth_group_changelist")).content.decode()
    rows = re.findall(
        r'<th class="field-name"><a [^>]*>(\w+)</a></th><td class="field-role_label">([^<]*)</td>', html
    )
    assert sorted(rows) == [("admin", "管理"), ("reporter", "填报"), ("reviewer", "审核"), ("viewer", "浏览")]


def test_group_list_in_english(superuser_client):
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = superuser_client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert '<td class="field-role_label">Reporter</td>' in html
    assert ">Role</a>" in html or ">Role</span>" in html
