"""The web's permission rule for API views: the same permissions, the same refusal text."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from workbench.permissions import refusal


def has_perms(*perms: str) -> type[BasePermission]:
    """A DRF permission needing every one of `perms` ("app.codename"), refused as the web
    refuses (`workbench.permissions.refusal`: what they allow and which roles have them)."""

    class HasPerms(BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False  # DRF answers 401: not logged in
            if user.has_perms(perms):
                return True
            self.message = refusal([p for p in perms if not user.has_perm(p)])
            return False

    HasPerms.__name__ = "Has" + "".join(p.split(".")[1].title().replace("_", "") for p in perms)
    return HasPerms
