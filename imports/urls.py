"""The import pages, still at /sources/import/… (workbench/urls.py mounts them there)."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_page, name="upload"),
    path("history/", views.import_history, name="history"),
    path("<int:pk>/", views.import_batch, name="batch"),
    path("<int:pk>/resume/", views.import_resume, name="resume"),
    path("<int:pk>/report.csv", views.import_report, name="report"),
]
