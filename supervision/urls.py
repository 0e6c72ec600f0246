from django.urls import path

from . import matrix, views

app_name = "supervision"

urlpatterns = [
    path("plans/<int:pk>/", views.item_list, name="item-list"),
    path("plans/<int:pk>/assign/", matrix.matrix, name="matrix"),
    path("units/<int:pk>/", matrix.unit_detail, name="unit-detail"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/<slug:action>/", views.step, name="item-step"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/thumbnail/", views.evidence_thumbnail, name="evidence-thumbnail"),
]
