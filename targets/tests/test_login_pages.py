"""The log-in page names the product, offers recovery by e-mail, and lands a user on the plan."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from .factories import make_plan, make_user

pytestmark = pytest.mark.django_db


def test_login_page_names_the_product_and_links_to_recovery(client):
    html = client.get(reverse("login")).content.decode()
    assert '<p class="product">重点工作目标跟踪</p>' in html
    assert f'<a href="{reverse("password_reset")}">忘记密码?通过电子邮件重设</a>' in html


def test_password_recovery_by_email_end_to_end(client):
    user = make_user("clerk", email="clerk@example.org")
    response = client.post(reverse("password_reset"), {"email": "clerk@example.org"})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    (message,) = mail.outbox
    assert message.to == ["clerk@example.org"]
    assert message.subject == "重设“重点工作目标跟踪”的登录密码"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-New-pass-2020", "new_password2": "a-New-pass-2020"},
    )
    assert (done.status_code, done["Location"]) == (302, reverse("password_reset_complete"))
    user.refresh_from_db()
    assert user.check_password("a-New-pass-2020")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert mail.outbox == []


def test_a_login_lands_on_the_only_plan_or_on_the_list(client):
    make_user("clerk", districts=["测试区", "另一区"])
    login = client.post(reverse("login"), {"username": "clerk", "password": "x-Test-pass-123"})
    assert login["Location"] == "/"
    plan = make_plan()
    assert client.get("/")["Location"] == plan.get_absolute_url()
    make_plan(district="另一区")
    assert client.get("/")["Location"] == reverse("targets:plan-list")
