"""`/api/v1/`: the REST API, its OpenAPI schema and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/status/", views.claim_status, name="claim_status"),
    path("claims/<int:pk>/credibility/", views.claim_credibility, name="claim_credibility"),
    path("claims/<int:pk>/corroborations/", views.corroboration_add, name="corroborations"),
    path("claims/<int:pk>/ratings/", views.rating_save, name="ratings"),
    path("claims/<int:pk>/notes/", views.note_add, name="notes"),
    path(
        "claims/<int:pk>/corroborations/<int:cid>/",
        views.corroboration_detail,
        name="corroboration",
    ),
    path("claims/<int:pk>/notes/<int:nid>/", views.note_detail, name="note"),
    path("articles/", views.article_list, name="articles"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("publishers/", views.publisher_list, name="publishers"),
    path("publishers/<int:pk>/", views.publisher_detail, name="publisher"),
    path("exports/", views.export, name="exports"),
    path("imports/", views.import_create, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
