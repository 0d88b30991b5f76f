from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("publishers/", views.publisher_list, name="publisher_list"),
    path("publishers/<int:pk>/", views.publisher_detail, name="publisher_detail"),
    path("import/", views.import_page, name="import"),
]
