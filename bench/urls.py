"""The benchmark's URLs: the whole site (`zhongyuan.urls`) and the in-product fortunes page (/bench/)."""

from django.urls import include, path

from zhongyuan.urls import handler400, handler403, handler404, handler500  # noqa: F401
from zhongyuan.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/", include("bench.views")),
    *site_urlpatterns,
]
