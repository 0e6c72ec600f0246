from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from todo import views as todo_views

urlpatterns = [
    # Where a log-in lands: the to-do page for who has work, else the plan's overview or the list.
    path("", todo_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password recovery by e-mail (Django's views; our templates under templates/registration/).
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plans/", include("targets.urls")),
    path("projects/", include("projects.urls")),
    path("reports/", include("reports.urls")),
    path("planning/", include("planning.urls")),
    path("supervision/", include("supervision.urls")),
    path("todo/", include("todo.urls")),  # 我的待办: where a reporter, reviewer or leader lands
    path("notices/", include("notices.urls")),
    path("", include("public.urls")),  # 政务公开 (anonymous) and /robots.txt
]

# Our error pages, in the user's language (zhongyuan/errors.py).
handler400 = "zhongyuan.errors.bad_request"
handler403 = "zhongyuan.errors.permission_denied"
handler404 = "zhongyuan.errors.page_not_found"
handler500 = "zhongyuan.errors.server_error"
