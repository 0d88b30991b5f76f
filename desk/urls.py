from django.urls import path

from desk import views

app_name = "desk"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("hand-outs/", views.handouts, name="handouts"),
    path("adjudication/", views.adjudication_list, name="adjudication"),
    path("adjudication/<int:pk>/", views.adjudicate, name="adjudicate"),
    path("agreement/", views.agreement, name="agreement"),
    path("activity/", views.activity, name="activity"),
    path("activity/claims/<int:claim>/", views.activity, name="claim_activity"),
    path("activity/articles/<int:article>/", views.activity, name="article_activity"),
    path("activity/users/<int:user>/", views.activity, name="user_activity"),
    path("views/", views.saved_views, name="saved_views"),
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/watch/", views.saved_view_watch, name="saved_view_watch"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
]
