from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/targets/", views.target_list, name="target-list"),
    path("<int:pk>/indicators/", views.indicator_list, name="indicator-list"),
    path("tasks/<int:pk>/", views.keytask_detail, name="keytask-detail"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
]
