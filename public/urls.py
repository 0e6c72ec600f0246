"""The public pages (政务公开) and /robots.txt, included at the site's root."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("public/", views.index, name="index"),
    path("public/<int:pk>/", views.plan_page, name="plan"),
    path("public/<int:pk>/targets/<int:target_pk>/", views.target_page, name="target"),
    path("public/<int:pk>/items/<int:item_pk>/", views.item_page, name="item"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Any other address under /public/ gets the public 404 page, not the staff site's.
    path("public/<path:rest>", views.unknown, name="unknown"),
]
