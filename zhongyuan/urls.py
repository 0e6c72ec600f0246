from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="targets:plan-list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plans/", include("targets.urls")),
    path("projects/", include("projects.urls")),
    path("reports/", include("reports.urls")),
    path("planning/", include("planning.urls")),
    path("supervision/", include("supervision.urls")),
    path("bench/", include("zhongyuan.bench_views")),  # baseline for `make bench`; 404 unless BENCH_ENDPOINTS
]

# Our error pages, in the user's language (zhongyuan/errors.py).
handler400 = "zhongyuan.errors.bad_request"
handler403 = "zhongyuan.errors.permission_denied"
handler404 = "zhongyuan.errors.page_not_found"
handler500 = "zhongyuan.errors.server_error"
