from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from workbench.views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", RedirectView.as_view(pattern_name="claims:list", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("claims.urls")),  # /claims/… and the claims made on an article's page
    path("sources/import/", include("imports.urls")),
    path("sources/", include("sources.urls")),
    path("admin/", admin.site.urls),
]
