from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:pk>/history/revert/", views.article_revert, name="article_revert"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("publishers/", views.publisher_list, name="publisher_list"),
    path("publishers/new/", views.publisher_add, name="publisher_add"),
    path("publishers/<int:pk>/", views.publisher_detail, name="publisher_detail"),
    path("import/", views.import_page, name="import"),
    path("import/history/", views.import_history, name="import_history"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("import/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("import/<int:pk>/report.csv", views.import_report, name="import_report"),
]
