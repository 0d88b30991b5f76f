"""View decorators: log in first, then a permission or a plain 403 (never a silent no-op)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require_perm(*perms: str) -> Callable:
    """Require login (redirect to it) and every permission in `perms` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                raise PermissionDenied(f"You need the permission to do this ({', '.join(perms)}).")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
