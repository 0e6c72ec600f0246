from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("plan/<int:pk>/bulletin/", views.bulletin_page, name="bulletin"),
    path("plan/<int:pk>/bulletin.pdf", views.bulletin_pdf, name="bulletin-pdf"),
    path("plan/<int:pk>/bulletin.xlsx", views.bulletin_xlsx, name="bulletin-xlsx"),
]
