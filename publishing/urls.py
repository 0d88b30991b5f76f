from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("fact-checks/<int:pk>/", views.public, name="public"),
    path("claims/<int:pk>/fact-check/", views.panel, name="panel"),
    path("claims/<int:pk>/fact-check/draft/", views.draft, name="draft"),
    path("claims/<int:pk>/fact-check/sign-off/", views.sign_off, name="sign_off"),
    path("claims/<int:pk>/fact-check/unpublish/", views.unpublish, name="unpublish"),
]
