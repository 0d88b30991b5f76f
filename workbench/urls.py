from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path
from django.views.generic import RedirectView

from api import web as api_web
from workbench.views import bad_request, favicon, healthz, needs_email

handler400 = bad_request

# django.contrib.auth's pages, the password reset ones only while e-mail can be sent.
account_patterns = [
    path(str(p.pattern), needs_email(p.callback), name=p.name)
    if p.name.startswith("password_reset")
    else p
    for p in auth_urls.urlpatterns
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", RedirectView.as_view(pattern_name="claims:list", permanent=False)),
    path("accounts/", include(account_patterns)),
    path("account/tokens/", api_web.tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", api_web.token_revoke, name="api_token_revoke"),
    path("api/v1/", include("api.urls")),
    path("", include("claims.urls")),  # /claims/… and the claims made on an article's page
    path("sources/import/", include("imports.urls")),
    path("sources/", include("sources.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("publishing.urls")),  # /fact-checks/<claim id>/ and the claim's panel
    path("notifications/", include("notifications.urls")),
    path("families/", include("families.urls")),
    path("evidence/", include("evidence.urls")),
    path("desk/", include("desk.urls")),
    path("admin/", admin.site.urls),
]
