from django.urls import include, path

from claims import boundary_views, export_views, views

app_name = "claims"

# Mounted at the site root (workbench/urls.py): claim pages live under /claims/, and a claim
# made from an article's text is created at the article's address.
claim_patterns = [
    path("", views.claim_list, name="list"),
    path("bulk/", views.claim_bulk, name="bulk"),
    path("export/", export_views.claim_export, name="export"),
    path("report/", export_views.claim_report, name="report"),
    path("report.pdf", export_views.claim_report_pdf, name="report_pdf"),
    path("reports/<int:pk>/", export_views.report_job, name="report_job"),
    path("reports/<int:pk>/download/", export_views.report_download, name="report_download"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/take/", views.claim_take, name="take"),
    path("<int:pk>/quick-status/", views.claim_quick_status, name="quick_status"),
    path("<int:pk>/status/", views.claim_status, name="status"),
    path("<int:pk>/credibility/", views.claim_credibility, name="credibility"),
    path("<int:pk>/assign/", views.claim_assign, name="assign"),
    path("<int:pk>/corroborations/", views.corroboration_add, name="corroboration_add"),
    path("<int:pk>/candidates/attach/", views.candidate_attach, name="candidate_attach"),
    path(
        "<int:pk>/corroborations/<int:cid>/edit/",
        views.corroboration_edit,
        name="corroboration_edit",
    ),
    path(
        "<int:pk>/corroborations/<int:cid>/remove/",
        views.corroboration_remove,
        name="corroboration_remove",
    ),
    path("<int:pk>/rating/", views.rating_save, name="rating"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/notes/<int:nid>/edit/", views.note_edit, name="note_edit"),
    path("<int:pk>/history/revert/", views.history_revert, name="revert"),
    path("<int:pk>/split/", boundary_views.claim_split, name="split"),
    path("<int:pk>/merge/", boundary_views.claim_merge, name="merge"),
    path("<int:pk>/span/", boundary_views.claim_span, name="span"),
    path("<int:pk>/kind/", boundary_views.claim_kind, name="kind"),
]

urlpatterns = [
    path("claims/", include(claim_patterns)),
    path(
        "sources/articles/<int:article_id>/claims/new/",
        boundary_views.claim_create,
        name="create",
    ),
]
