"""The three roles of the workbench and the permissions each one has.

Roles are Django groups, created by a data migration and kept in step by `sync_roles()`; a
role includes everything of the roles before it (reviewer ⊂ lead ⊂ admin).
"""

REVIEWER = "reviewer"
LEAD = "lead"
ADMIN = "admin"

REVIEWER_PERMISSIONS = [
    "claims.view_claim",
    "claims.change_claim",
    "claims.export_claim",
    "claims.view_corroboration",
    "claims.add_corroboration",
    "claims.change_corroboration",
    "claims.delete_corroboration",
    "claims.view_rating",
    "claims.add_rating",
    "claims.change_rating",
    "claims.view_note",
    "claims.add_note",
    "claims.change_note",
    "sources.view_article",
    "sources.view_publisher",
    "families.view_claimfamily",
]
LEAD_PERMISSIONS = [
    *REVIEWER_PERMISSIONS,
    "claims.assign_claim",
    "claims.revert_history",
    "publishing.publish_factcheck",
    "desk.adjudicate_claim",
    "sources.add_publisher",
    "sources.change_publisher",
    "sources.change_article",
    "families.change_claimfamily",
]
ADMIN_PERMISSIONS = [
    *LEAD_PERMISSIONS,
    "sources.import_articles",
    "sources.view_importbatch",
    "sources.add_importbatch",
    "workbench.view_user",
    "workbench.add_user",
    "workbench.change_user",
    "webhooks.manage_endpoints",
]
ROLES = {REVIEWER: REVIEWER_PERMISSIONS, LEAD: LEAD_PERMISSIONS, ADMIN: ADMIN_PERMISSIONS}


def sync_roles(group_model, permission_model) -> None:
    """Create the role groups and give each exactly its permissions (models may be historical).

    In a migration, an app whose models are not migrated yet has no content type: its
    permissions are left for its own migration to grant (webhooks/migrations/0002_roles.py
    syncs again). A permission missing from an app that has its models is an error.
    """
    content_type_model = permission_model._meta.get_field("content_type").related_model
    migrated = set(content_type_model.objects.values_list("app_label", flat=True))
    for role, perms in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            if app_label not in migrated:
                continue
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
