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
    path("publishers/<int:pk>/history/revert/", views.publisher_revert, name="publisher_revert"),
]
