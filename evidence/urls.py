from django.urls import path

from evidence import views

app_name = "evidence"

# Mounted at /evidence/ (workbench/urls.py); <evidence_id> is the corroboration's id.
urlpatterns = [
    path("<int:evidence_id>/archive/", views.archive_detail, name="archive"),
    path("<int:evidence_id>/archive/original/", views.archive_download, name="download"),
    path("<int:evidence_id>/rechecked/", views.link_rechecked, name="link_rechecked"),
    # The claim page's evidence form, filled from the page at a URL.
    path("prefill/<int:claim_id>/", views.evidence_prefill, name="prefill"),
]
