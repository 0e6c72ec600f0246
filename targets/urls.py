from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
]
