from django.urls import path

from desk import views

app_name = "desk"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("hand-outs/", views.handouts, name="handouts"),
    path("adjudication/", views.adjudication_list, name="adjudication"),
    path("adjudication/<int:pk>/", views.adjudicate, name="adjudicate"),
    path("agreement/", views.agreement, name="agreement"),
]
