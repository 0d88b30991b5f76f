from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("claim/<int:pk>/", views.claim_family, name="claim_family"),
    path("claim/<int:pk>/merge/", views.family_merge, name="merge"),
    path("claim/<int:pk>/split/", views.family_split, name="split"),
    path("claim/<int:pk>/revert/", views.family_revert, name="revert"),
]
