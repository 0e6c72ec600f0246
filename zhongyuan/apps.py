"""Third-party and contrib apps under our own names in the admin (app labels unchanged)."""

from axes.apps import AppConfig as BaseAxesConfig
from django.contrib.auth.apps import AuthConfig as BaseAuthConfig
from django.utils.translation import gettext_lazy as _


class AuthConfig(BaseAuthConfig):
    verbose_name = _("用户与权限")


class AxesConfig(BaseAxesConfig):
    verbose_name = _("登录安全")
