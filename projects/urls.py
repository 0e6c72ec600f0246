from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("plan/<int:pk>/", views.project_list, name="project-list"),
    path("plan/<int:pk>/groups/", views.group_list, name="group-list"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
]
