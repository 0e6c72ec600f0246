from django.urls import path

from . import draftviews, importviews, views

app_name = "planning"

urlpatterns = [
    path("draft/", draftviews.draft_start, name="draft-start"),
    path("draft/<str:token>/", draftviews.draft_review, name="draft-review"),
    path("plans/<int:pk>/", views.plan_setup, name="plan-setup"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan-status"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan-copy"),
    path("plans/<int:pk>/table.xlsx", importviews.table_export, name="table-export"),
    path("table/", importviews.table_import, name="table-import"),
    path("table/template.xlsx", importviews.table_template, name="table-template"),
    path("documents/<int:pk>/", views.document, name="document"),
]
